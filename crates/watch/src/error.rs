//! Errors of the watch service.

use std::path::PathBuf;

/// Why the service could not start or a cycle failed. Display names what was being done; the
/// cause is the source.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A file could not be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML for the service.
    #[error("{}", path.display())]
    Parse {
        /// The config file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: toml::de::Error,
    },
    /// A `[[source]]` table is invalid.
    #[error("{what}")]
    Source {
        /// Which table, e.g. `[[source]] kind = "builtin"`.
        what: String,
        /// Why.
        #[source]
        source: toml::de::Error,
    },
    /// A config value is invalid (the message names the field).
    #[error("{0}")]
    Config(String),
    /// The store could not be opened.
    #[error("opening the store `{url}`")]
    OpenStore {
        /// Its URL.
        url: String,
        /// Why.
        #[source]
        source: powermap_store::StoreError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] powermap_store::StoreError),
    /// A follower failed to start or poll.
    #[error(transparent)]
    Follow(#[from] powermap_follow::FollowError),
    /// The security models or the policy could not be loaded.
    #[error(transparent)]
    Findings(#[from] powermap_findings::FindingsError),
    /// An analysis failed.
    #[error(transparent)]
    Pipeline(Box<powermap_pipeline::PipelineError>),
    /// A built-in dataset could not be analysed.
    #[error("built-in dataset `{dataset}`")]
    Builtin {
        /// Its id.
        dataset: String,
        /// Why.
        #[source]
        source: Box<powermap_pipeline::PipelineError>,
    },
    /// The alert engine or the webhook could not be set up.
    #[error(transparent)]
    Serve(#[from] powermap_serve::ServeError),
    /// The listen address could not be bound, or the server failed.
    #[error("{what}")]
    Io {
        /// What was being done, e.g. `binding 127.0.0.1:9464`.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A cycle's blocking task panicked or was cancelled.
    #[error("cycle task")]
    Task(#[source] tokio::task::JoinError),
}

impl From<powermap_pipeline::PipelineError> for WatchError {
    fn from(e: powermap_pipeline::PipelineError) -> Self {
        WatchError::Pipeline(Box::new(e))
    }
}

/// Result of the watch service.
pub type Result<T, E = WatchError> = std::result::Result<T, E>;

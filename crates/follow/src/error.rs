//! Errors of the followers.

/// Anything that can go wrong following a source.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] powermap_store::StoreError),
    /// The node could not be reached or answered with an HTTP error, after retries.
    #[error("{url}: {message}")]
    Http {
        /// Endpoint.
        url: String,
        /// What happened.
        message: String,
    },
    /// The node answered a JSON-RPC call with an error object.
    #[error("{method}: RPC error {code}: {message}")]
    Rpc {
        /// Method called.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// Error message.
        message: String,
    },
    /// The node's answer lacks a field or has the wrong shape.
    #[error("{what}: unexpected answer: {message}")]
    Shape {
        /// Which call.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// The configuration is invalid.
    #[error("config: {0}")]
    Config(String),
    /// A fork deeper than the configured limit: refusing to roll back automatically.
    #[error("{chain}: reorg deeper than max_reorg_depth = {limit} blocks below height {height}; roll back by hand or raise the limit")]
    ReorgTooDeep {
        /// Chain.
        chain: String,
        /// Stored tip height where the walk started.
        height: u64,
        /// Configured limit.
        limit: u64,
    },
    /// Reading or moving a dropped file failed.
    #[error("{path}: {message}")]
    File {
        /// File.
        path: String,
        /// What happened.
        message: String,
    },
    /// Attribution data failed to load.
    #[error("attribution: {0}")]
    Attribution(String),
    /// The analysis failed.
    #[error("analysis")]
    Analysis(#[source] Box<powermap_pipeline::PipelineError>),
    /// The incremental analysis cannot be kept up to date (its options, or a bug).
    #[error("analysis: {0}")]
    Incremental(String),
}

/// Result of follower operations.
pub type Result<T, E = FollowError> = std::result::Result<T, E>;

pub(crate) fn shape(what: impl Into<String>, message: impl Into<String>) -> FollowError {
    FollowError::Shape {
        what: what.into(),
        message: message.into(),
    }
}

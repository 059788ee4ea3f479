//! Errors of building a report: each names the file or layer it comes from.

use std::path::PathBuf;

/// What went wrong while building or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No built-in report for this network.
    #[error("no built-in report for `{network}` (built in: {known}; or pass --spec FILE)")]
    UnknownNetwork {
        /// The network asked for.
        network: String,
        /// The networks with a built-in report.
        known: String,
    },
    /// A spec or facts file is malformed.
    #[error("{file}: {message}")]
    Spec {
        /// File (and line, when known).
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Reading a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A layer's data file is missing under the data root.
    #[error("layer `{layer}`: {} not found (run from the repository root, or pass --data DIR pointing at the folder that holds `data/`)", path.display())]
    MissingData {
        /// The layer.
        layer: String,
        /// The file looked for.
        path: PathBuf,
    },
    /// A layer's source adapter failed.
    #[error("layer `{layer}`: {source}")]
    Source {
        /// The layer.
        layer: String,
        /// The cause.
        source: Box<powermap_sources::SourceError>,
    },
    /// The pipeline failed on a layer.
    #[error("layer `{layer}`: {source}")]
    Pipeline {
        /// The layer.
        layer: String,
        /// The cause.
        source: Box<powermap_pipeline::PipelineError>,
    },
    /// A layer's data gave no analysis for the network it asks for.
    #[error("layer `{layer}`: {message}")]
    Layer {
        /// The layer.
        layer: String,
        /// What is wrong.
        message: String,
    },
    /// Drawing a chart failed.
    #[error("layer `{layer}`: chart: {message}")]
    Chart {
        /// The layer.
        layer: String,
        /// The cause.
        message: String,
    },
}

//! Pipeline errors.

use thiserror::Error;

/// Why an analysis could not be produced.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The window specification cannot be applied to this data.
    #[error(transparent)]
    Window(#[from] powermap_windows::WindowError),
    /// An input could not be read.
    #[error(transparent)]
    Ingest(#[from] powermap_ingest::IngestError),
    /// EDI input could not be read or its mapping loaded.
    #[error(transparent)]
    Edi(#[from] powermap_edi::Error),
    /// An EDI raw file whose name does not say its ledger.
    #[error("{}: cannot tell the ledger from the file name (expected `<ledger>_raw_data.json`, e.g. bitcoin_raw_data.json)", .0.display())]
    EdiFileName(std::path::PathBuf),
    /// No observation survived attribution and filtering.
    #[error("no observations to analyse{0}")]
    Empty(String),
    /// Attribution rules could not be read.
    #[error(transparent)]
    Attribution(#[from] powermap_attribution::Error),
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A second attribution source that is neither an EDI `mapping_information/` directory
    /// nor a bitcoin-data `pools/` directory, or cannot be applied to this input.
    #[error("{0}")]
    Mapping(String),
    /// A merge that cannot be applied.
    #[error("merge: {0}")]
    Merge(String),
    /// A merge names an entity no observation was attributed to.
    #[error("merge: no entity named `{name}` in this analysis{hint}")]
    MergeUnknown {
        /// The name given.
        name: String,
        /// Why, and the closest names that do exist.
        hint: String,
    },
}

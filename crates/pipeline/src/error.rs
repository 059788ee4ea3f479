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
    /// No observation survived attribution and filtering.
    #[error("no observations to analyse{0}")]
    Empty(String),
}

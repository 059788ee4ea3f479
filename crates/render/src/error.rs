//! The one error type of this crate.

use thiserror::Error;

/// Everything that can go wrong while turning analyses into bytes or placing them on disk.
#[derive(Debug, Error)]
pub enum RenderError {
    /// Writing to the output sink failed.
    #[error("write failed")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed (usually an I/O error underneath).
    #[error("CSV output failed")]
    Csv(#[from] csv::Error),
    /// Formatting text failed (a `Display` implementation returned an error).
    #[error("formatting failed")]
    Fmt(#[from] std::fmt::Error),
    /// JSON serialisation failed.
    #[error("JSON output failed")]
    Json(#[from] serde_json::Error),
    /// Building the Arrow batch or writing Parquet failed.
    #[error("Parquet output failed")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Building the Arrow record batch failed.
    #[error("Arrow batch failed")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// The caller asked for something the input cannot give (bad input, not a bug).
    #[error("{0}")]
    Input(String),
    /// Drawing a chart failed.
    #[error("plot failed: {0}")]
    Plot(String),
    /// Encoding the PNG failed.
    #[error("PNG encoding failed")]
    Png(#[from] png::EncodingError),
    /// An internal invariant was broken: a bug in powermap-render, please report it.
    #[error("internal error (a bug, please report it): {0}")]
    Internal(String),
}

/// Result alias for this crate.
pub type Result<T, E = RenderError> = std::result::Result<T, E>;

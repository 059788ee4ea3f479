//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Errors converting a dataset into observations.
///
/// Record-level variants name the file, the 1-based line and the field, e.g.
/// `solana_validators_epoch860.csv:17: field "active_stake_lamports": expected an integer, got "x"`.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SourceError {
    /// No source has this id (see `powermap import --list`).
    #[error("unknown source {id:?}; known sources: {known}")]
    UnknownSource {
        /// The id asked for.
        id: String,
        /// The known ids, comma-separated.
        known: String,
    },
    /// The source does not provide this layer (or not from this file).
    #[error("source {id} cannot produce layer {layer} from {}: {reason}", path.display())]
    LayerUnavailable {
        /// The source id.
        id: &'static str,
        /// The layer asked for.
        layer: powermap_model::Layer,
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// Opening or reading a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The CSV layer failed (malformed quoting, invalid UTF-8, unequal field counts…).
    #[error("{}:{line}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the record (0 when unknown).
        line: u64,
        /// The underlying error.
        #[source]
        source: csv::Error,
    },
    /// The header lacks a column the adapter needs.
    #[error("{}:1: missing column \"{column}\"", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// One field of one record is invalid.
    #[error("{}:{line}: field \"{field}\": {problem}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The column name.
        field: String,
        /// What is wrong, quoting the value.
        problem: String,
    },
}

impl SourceError {
    pub(crate) fn field(
        path: &std::path::Path,
        line: u64,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        SourceError::Field {
            path: path.to_path_buf(),
            line,
            field: field.into(),
            problem: problem.into(),
        }
    }
}

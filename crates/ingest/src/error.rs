//! The one error type of this crate.
//!
//! Every variant names the file it concerns; record-level variants add the position (a 1-based
//! line for CSV and JSON Lines, a 1-based row for Parquet) and, where one is to blame, the field.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A 1-based line of a text file (CSV: the line the record starts on).
    Line(u64),
    /// A 1-based row of a Parquet file, or the n-th observation handed to a writer.
    Row(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "{n}"),
            Position::Row(n) => write!(f, " row {n}"),
        }
    }
}

/// Errors reading or writing observations.
///
/// Bad input ([`Field`](Self::Field), [`Record`](Self::Record), [`Header`](Self::Header),
/// [`Schema`](Self::Schema), …) is kept apart from [`Internal`](Self::Internal), which is a bug
/// in powermap and should be reported.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Opening, reading, writing, syncing or renaming a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// One field of one record is invalid, e.g. `obs.csv:17: field "weight": expected a number ≥ 0, got "-3"`.
    #[error("{}:{position}: field \"{field}\": {problem}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// Line or row of the record.
        position: Position,
        /// The column / key.
        field: &'static str,
        /// What is wrong, with the offending value quoted.
        problem: String,
    },
    /// A record is malformed as a whole (bad JSON, wrong number of CSV fields, too long).
    #[error("{}:{position}: {problem}", path.display())]
    Record {
        /// The file.
        path: PathBuf,
        /// Line or row of the record.
        position: Position,
        /// What is wrong.
        problem: String,
    },
    /// A CSV header names an unknown column, repeats one, or lacks a required one.
    #[error("{}:1: header: {problem}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A Parquet column is missing, unknown, or of a type that cannot hold the field.
    #[error("{}: column \"{field}\": {problem}", path.display())]
    Schema {
        /// The file.
        path: PathBuf,
        /// The column.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The Parquet file is corrupt or unsupported.
    #[error("{}: parquet: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// Decoding or building Arrow record batches failed.
    #[error("{}: arrow: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// The format could not be inferred from the file name.
    #[error("{}: cannot tell the format from the extension (expected .csv, .jsonl, .ndjson or .parquet)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A format name that is not one of `csv`, `jsonl`, `parquet`.
    #[error("unknown format `{0}` (expected csv, jsonl or parquet)")]
    UnknownFormatName(String),
    /// No built-in dataset has this id.
    #[error("unknown built-in dataset `{0}` (see `powermap datasets`)")]
    UnknownDataset(String),
    /// A bug in powermap: please report it.
    #[error("internal error (please report this bug): {0}")]
    Internal(String),
}

impl IngestError {
    /// Builds an [`IngestError::Io`].
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        IngestError::Io {
            path: path.into(),
            source,
        }
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            IngestError::Field { field, .. } => Some(field),
            IngestError::Schema { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The line or row the error is about, if any.
    pub fn position(&self) -> Option<Position> {
        match self {
            IngestError::Field { position, .. } | IngestError::Record { position, .. } => {
                Some(*position)
            }
            IngestError::Header { .. } => Some(Position::Line(1)),
            _ => None,
        }
    }
}

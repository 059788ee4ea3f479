//! Errors of the EDI adapter.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong reading EDI files. All variants but [`Error::Internal`] are
/// bad input and name the file, and where it applies the line and field.
#[derive(Debug, Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of raw block data is not a JSON object.
    #[error("{file}:{line}: invalid JSON: {source}")]
    Json {
        /// File label.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        #[source]
        source: serde_json::Error,
    },
    /// A field of a raw block is missing or malformed.
    #[error("{file}:{line}: field `{field}`: {message}")]
    Field {
        /// File label.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The field (e.g. `outputs[2].value`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A mapping-information file is malformed.
    #[error("{path}: {source}")]
    Registry {
        /// The file.
        path: PathBuf,
        /// The registry error (names entry and field).
        #[source]
        source: Box<powermap_attribution::Error>,
    },
    /// A ledger EDI has no parser for.
    #[error("unknown EDI ledger `{0}` (expected one of: bitcoin, bitcoin_cash, dogecoin, litecoin, zcash, ethereum, cardano, tezos)")]
    UnknownLedger(String),
    /// A bug in powermap, not in the input. Please report it.
    #[error("internal error (this is a powermap bug, please report it): {0}")]
    Internal(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

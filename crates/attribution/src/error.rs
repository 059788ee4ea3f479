//! Errors raised while building a registry from untrusted files.

use thiserror::Error;

/// Everything that can go wrong in this crate.
///
/// All variants except [`Error::Internal`] are bad input: they name the file (as the caller
/// labelled it), the line and the key or field at fault.
#[derive(Debug, Error)]
pub enum Error {
    /// The file is not valid JSON, or not the JSON shape expected.
    #[error("{file}:{line}:{column}: invalid registry JSON: {source}")]
    Json {
        /// File label given by the caller (e.g. `identifiers/bitcoin.json`).
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        #[source]
        source: serde_json::Error,
    },
    /// A field is missing or has the wrong type.
    #[error("{file}: entry `{key}`: field `{field}`: {message}")]
    Field {
        /// File label.
        file: String,
        /// The entry (object key) at fault.
        key: String,
        /// The field at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A `from`/`to` date that is not `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or empty.
    #[error("{file}: entry `{key}`: field `{field}`: bad date `{value}` (expected YYYY-MM, YYYY, YYYY-MM-DD or \"\")")]
    BadDate {
        /// File label.
        file: String,
        /// The entry at fault.
        key: String,
        /// `from` or `to`.
        field: String,
        /// The value read.
        value: String,
    },
    /// A bug in powermap, not in the input. Please report it.
    #[error("internal error (this is a powermap bug, please report it): {0}")]
    Internal(String),
}

impl Error {
    pub(crate) fn json(file: &str, source: serde_json::Error) -> Self {
        Error::Json {
            file: file.to_string(),
            line: source.line(),
            column: source.column(),
            source,
        }
    }

    pub(crate) fn field(file: &str, key: &str, field: &str, message: impl Into<String>) -> Self {
        Error::Field {
            file: file.to_string(),
            key: key.to_string(),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

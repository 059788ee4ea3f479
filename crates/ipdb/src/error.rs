//! Errors of the IP database.

/// Anything that can go wrong loading or building an [`crate::IpDb`].
#[derive(Debug, thiserror::Error)]
pub enum IpDbError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The snapshot is not in the expected format (truncated, wrong magic, bad header).
    #[error("{path}: not a powermap IP database snapshot: {message}")]
    Format {
        /// The file (or `built-in`).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A row of an upstream CSV file is malformed.
    #[error("{path}:{line}: field `{field}`: {message}")]
    Row {
        /// The CSV file.
        path: String,
        /// 1-based line number.
        line: u64,
        /// The field.
        field: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The CSV reader failed.
    #[error("{path}: {source}")]
    Csv {
        /// The CSV file.
        path: String,
        /// The CSV error.
        #[source]
        source: csv::Error,
    },
}

/// Result of IP database operations.
pub type Result<T, E = IpDbError> = std::result::Result<T, E>;

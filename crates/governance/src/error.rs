//! The one error type of the governance crate.

/// Why an input (rules, power table, vote records, exit table) could not be read.
///
/// Every variant names the input and, where known, the line; the computations themselves
/// cannot fail (an unreachable quota is a result without members, not an error).
#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    /// A rules file is not valid TOML or a field is missing, unknown or out of range.
    #[error("{file}: {message}")]
    Rules {
        /// The file name as given.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A power table, vote file or exit table has a bad row.
    #[error("{file}:{line}: {message}")]
    Table {
        /// The file name as given.
        file: String,
        /// 1-based line (0 when the whole file is at fault).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Options that cannot be combined (e.g. the observed defence without vote records).
    #[error("{0}")]
    Options(String),
    /// A duration such as `1d 19h` could not be parsed.
    #[error("bad duration `{0}` (expected e.g. `2d`, `1d 19h`, `5d 14h 24min`, `259200s`)")]
    Duration(String),
}

/// Result with [`GovernanceError`].
pub type Result<T, E = GovernanceError> = std::result::Result<T, E>;

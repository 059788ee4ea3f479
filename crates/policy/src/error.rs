//! The one error type of the policy crate.

use std::path::PathBuf;

/// Why a policy could not be loaded.
///
/// Every bad-input variant names the file, the 1-based line and column, and the field, so a
/// person can jump straight to the mistake (`policy.toml:14:13: constraint #2 `top`, field
/// `threshold`: …`). There is no "internal" variant: evaluation cannot fail, it reports
/// `not_evaluated` with a reason instead.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The policy file could not be read.
    #[error("{}: cannot read policy: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a field is missing, unknown, mistyped or out of range.
    #[error("{file}:{line}:{column}: {}{message}", field_prefix(.field))]
    Invalid {
        /// The file name as given (or `<policy>` for text without a file).
        file: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The field, e.g. ``constraint #2 `top-share`, field `threshold` ``, when known.
        field: Option<String>,
        /// What is wrong and what is accepted instead.
        message: String,
    },
}

fn field_prefix(field: &Option<String>) -> String {
    match field {
        Some(f) => format!("{f}: "),
        None => String::new(),
    }
}

impl PolicyError {
    /// The line of an [`PolicyError::Invalid`] error (`None` for I/O errors).
    pub fn line(&self) -> Option<usize> {
        match self {
            PolicyError::Invalid { line, .. } => Some(*line),
            PolicyError::Io { .. } => None,
        }
    }

    /// The field of an [`PolicyError::Invalid`] error, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            PolicyError::Invalid { field, .. } => field.as_deref(),
            PolicyError::Io { .. } => None,
        }
    }
}

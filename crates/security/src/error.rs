//! The one error type of the security crate.

use std::path::PathBuf;

/// Why a security-models file could not be loaded.
///
/// Bad input names the file, the 1-based line and column, and the field
/// (`my-models.toml:14:13: model #2, field `threshold`: …`). Nothing here is "our bug": the
/// computations cannot fail, an unreachable threshold is reported as a result without members.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// The file could not be read.
    #[error("{}: cannot read security models: {source}", path.display())]
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
        /// The file name as given (`<embedded>` for the built-in file).
        file: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The field, e.g. ``model #2, field `threshold` ``, when known.
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

impl SecurityError {
    /// The line of an [`SecurityError::Invalid`] error (`None` for I/O errors).
    pub fn line(&self) -> Option<usize> {
        match self {
            SecurityError::Invalid { line, .. } => Some(*line),
            SecurityError::Io { .. } => None,
        }
    }

    /// The field of an [`SecurityError::Invalid`] error, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            SecurityError::Invalid { field, .. } => field.as_deref(),
            SecurityError::Io { .. } => None,
        }
    }
}

//! The one error type of the security crate.

use std::path::PathBuf;

use powermap_model::Located;

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
    #[error(transparent)]
    Invalid(#[from] Located),
}

impl SecurityError {
    /// Where the problem is, for bad input (`None` for I/O errors).
    pub fn located(&self) -> Option<&Located> {
        match self {
            SecurityError::Invalid(e) => Some(e),
            SecurityError::Io { .. } => None,
        }
    }

    /// The line of an [`SecurityError::Invalid`] error.
    pub fn line(&self) -> Option<usize> {
        self.located().map(|e| e.line)
    }

    /// The field of an [`SecurityError::Invalid`] error, when known.
    pub fn field(&self) -> Option<&str> {
        self.located()?.field.as_deref()
    }
}

//! The one error type of the policy crate.

use std::path::PathBuf;

use powermap_model::Located;

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
    #[error(transparent)]
    Invalid(#[from] Located),
}

impl PolicyError {
    /// Where the problem is, for bad input (`None` for I/O errors).
    pub fn located(&self) -> Option<&Located> {
        match self {
            PolicyError::Invalid(e) => Some(e),
            PolicyError::Io { .. } => None,
        }
    }

    /// The line of an [`PolicyError::Invalid`] error.
    pub fn line(&self) -> Option<usize> {
        self.located().map(|e| e.line)
    }

    /// The field of an [`PolicyError::Invalid`] error, when known.
    pub fn field(&self) -> Option<&str> {
        self.located()?.field.as_deref()
    }
}

//! Errors raised when building model values from untrusted input.

use thiserror::Error;

/// A value that violates the model's invariants (bad input, never a bug).
#[derive(Debug, Error, PartialEq)]
pub enum ModelError {
    /// A weight that is negative, NaN or infinite.
    #[error("weight must be a finite number ≥ 0, got {0}")]
    BadWeight(f64),
    /// A layer name outside the known set.
    #[error("unknown layer `{0}` (expected one of: consensus, infrastructure, software, geography, governance, wealth)")]
    UnknownLayer(String),
    /// A threshold outside (0, 1] or with a zero denominator.
    #[error("threshold must be a fraction in (0, 1], got {0}")]
    BadThreshold(String),
}

//! Errors of the findings stage: loading the rules it applies.

/// Why the findings stage could not be set up. Each variant keeps its cause (and its
/// message: the cause already names file, line and field).
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    /// The security models file is invalid.
    #[error(transparent)]
    Security(#[from] powermap_security::SecurityError),
    /// The policy file is invalid.
    #[error(transparent)]
    Policy(#[from] powermap_policy::PolicyError),
}

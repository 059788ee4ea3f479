//! Errors of the serving half.

/// Why an alert engine or a webhook could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The alert store failed (reading the alerts still firing, or writing one).
    #[error(transparent)]
    AlertStore(Box<dyn std::error::Error + Send + Sync>),
    /// The webhook configuration cannot be used (an unsupported scheme, no attempts).
    #[error("{0}")]
    Webhook(String),
}

impl ServeError {
    /// An alert store's own error.
    pub fn store(e: impl std::error::Error + Send + Sync + 'static) -> ServeError {
        ServeError::AlertStore(Box::new(e))
    }
}

//! Errors of the serving half.

/// Why an alert engine or a webhook could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The alert store failed (reading the alerts still firing, or writing one).
    #[error(transparent)]
    AlertStore(Box<dyn std::error::Error + Send + Sync>),
    /// The webhook URL does not parse.
    #[error("webhook url `{url}`")]
    WebhookUrl {
        /// The URL as configured.
        url: String,
        /// Why it does not parse.
        #[source]
        source: hyper::http::uri::InvalidUri,
    },
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

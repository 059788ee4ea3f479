//! Errors of the HTTPS plumbing.

/// Anything that can go wrong setting up a client.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A CA or credentials file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CA file holds no usable certificate.
    #[error("{path}: {message}")]
    Certificates {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// A credentials file is malformed (the message never contains the secret).
    #[error("{path}: {message}")]
    Credentials {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
}

/// Result of HTTPS setup.
pub type Result<T, E = NetError> = std::result::Result<T, E>;

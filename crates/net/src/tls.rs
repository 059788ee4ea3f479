//! rustls client configurations and ureq agents.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::{NetError, Result};

fn config(roots: RootCertStore) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(Arc::new(
        ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// The system's trust anchors (Mozilla's bundled roots when the system has none), loaded once.
fn system() -> Result<Arc<ClientConfig>> {
    static SYSTEM: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    if let Some(c) = SYSTEM.get() {
        return Ok(c.clone());
    }
    let mut roots = RootCertStore::empty();
    // Unreadable or malformed entries of the system store are skipped, as browsers do.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    let c = config(roots)?;
    Ok(SYSTEM.get_or_init(|| c).clone())
}

/// A client configuration trusting the system store, or exactly the certificates of the PEM
/// file `ca_file` when given.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>> {
    let Some(path) = ca_file else {
        return system();
    };
    let label = path.display().to_string();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| NetError::Certificates {
        path: label.clone(),
        message: format!("reading PEM certificates: {e}"),
    })?;
    let mut roots = RootCertStore::empty();
    for cert in certs {
        let cert = cert.map_err(|e| NetError::Certificates {
            path: label.clone(),
            message: format!("bad PEM certificate: {e}"),
        })?;
        roots.add(cert).map_err(|e| NetError::Certificates {
            path: label.clone(),
            message: format!("unusable CA certificate: {e}"),
        })?;
    }
    if roots.is_empty() {
        return Err(NetError::Certificates {
            path: label,
            message: "no CERTIFICATE block in the file".into(),
        });
    }
    config(roots)
}

/// A blocking agent: `timeout` for connecting and for each whole request, TLS as
/// [`client_config`] sets it up (used for `https://` URLs; `http://` stays plain).
pub fn agent(timeout: Duration, ca_file: Option<&Path>) -> Result<ureq::Agent> {
    Ok(ureq::AgentBuilder::new()
        .timeout_connect(timeout)
        .timeout(timeout)
        .tls_config(client_config(ca_file)?)
        .build())
}

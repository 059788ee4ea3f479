//! HTTPS for the watch service's clients: the node RPC followers (`powermap-follow`) and the
//! alert webhook (`powermap-serve`) build their HTTP agents here, so both speak TLS the same
//! way.
//!
//! * [`agent`]: a blocking `ureq` agent with timeouts over **rustls** (ring). Trust anchors are
//!   the system's CA store, or — when a `ca_file` is given — exactly the certificates in that
//!   PEM file (a private CA, or a pinned self-signed node). Without a readable system store,
//!   Mozilla's roots bundled with `webpki-roots` are used.
//! * [`Auth`]: HTTP basic (`user:password`, e.g. Bitcoin Core's `.cookie`) or bearer tokens,
//!   read from files; `Debug` never shows the secret.
//! * [`redact_url`]: what may be logged of a URL (scheme, host, port), since hosted RPC
//!   endpoints and webhook receivers often carry their secret in the path or query.
//!
//! ```
//! let a = powermap_net::Auth::Bearer("s3cret".into());
//! assert_eq!(format!("{a:?}"), "Bearer(***)");
//! assert_eq!(powermap_net::redact_url("https://rpc.example/v1/KEY?api-key=x"), "https://rpc.example/…");
//! ```

mod auth;
mod error;
#[cfg(feature = "test-pki")]
pub mod test_pki;
mod tls;

pub use auth::{redact_url, Auth};
pub use error::{NetError, Result};
/// rustls, re-exported for servers in tests and the types of [`client_config`].
pub use rustls;
pub use tls::{agent, client_config};
/// ureq, re-exported so callers use the same version as [`agent`].
pub use ureq;

//! The serving half of `powermap watch`: what a person or a monitoring system sees.
//!
//! ```text
//!  analyses (store or one-off run) ──Snapshot::build──▶ Service::update ──▶ /api/v1/…  JSON
//!                                                          │              ├▶ /metrics   Prometheus
//!              policy report ──alerts::candidates──▶ AlertEngine          └▶ /          dashboard
//!                                                          └──▶ Webhook (Alertmanager payload)
//! ```
//!
//! [`Service`] holds the latest [`Snapshot`] (replaced as a whole after each ingest cycle), the
//! [`alerts::AlertEngine`] and the webhook; [`Service::router`] is the axum router of the HTTP
//! API, `/metrics` and the dashboard; [`serve`] runs it with graceful shutdown. The API is
//! described in `docs/openapi.json`, and a test holds the router to it.

pub mod alerts;
mod api;
mod error;
mod http;
pub mod prometheus;
mod service;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

pub use alerts::{AlertConfig, AlertEngine, AlertStore, MemoryAlertStore, Webhook, WebhookConfig};
pub use error::ServeError;
pub use http::{RateLimit, ServeConfig};
pub use service::{Service, UpdateOutcome};
pub use state::{Snapshot, SourceHealth};

/// The default listen address: loopback only, 127.0.0.1:9464.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9464);

/// Every route: `(method, path)` in OpenAPI's path syntax, as [`Service::router`] builds them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    api::routes().paths()
}

/// Binds `addr` (refusing nothing: the caller decides; the CLI binds loopback unless told).
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Serves `service` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    service: Service,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = service
        .router(&config)
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

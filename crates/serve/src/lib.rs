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
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::Notify;

pub use alerts::{AlertConfig, AlertEngine, AlertStore, MemoryAlertStore, Webhook, WebhookConfig};
pub use error::ServeError;
pub use http::RateLimit;
pub use state::{Snapshot, SourceHealth};

/// The default listen address: loopback only, 127.0.0.1:9464.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9464);

/// How the HTTP server behaves.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Bearer token of the admin endpoints; `None` disables them (403).
    pub admin_token: Option<String>,
    /// Largest request body accepted (bytes); larger ones get 413.
    pub body_limit: usize,
    /// Per-client-IP token bucket; `None` disables rate limiting.
    pub rate_limit: Option<RateLimit>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            admin_token: None,
            body_limit: 64 * 1024,
            rate_limit: Some(RateLimit {
                per_second: 50.0,
                burst: 200.0,
            }),
        }
    }
}

/// The state the API serves and the alert engine, shared by every request.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    snapshot: RwLock<Arc<Snapshot>>,
    engine: Mutex<AlertEngine>,
    webhook: Option<Webhook>,
    external_url: String,
    webhook_ok: AtomicU64,
    webhook_failed: AtomicU64,
    reload: Notify,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("external_url", &self.inner.external_url)
            .finish_non_exhaustive()
    }
}

/// What one [`Service::update`] did about alerts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateOutcome {
    /// Alerts firing after the update.
    pub firing: usize,
    /// Alerts notified in this update (firing, repeated or resolved).
    pub notified: usize,
    /// The delivery error, when delivery failed after every retry.
    pub delivery_error: Option<String>,
}

impl Service {
    /// A service with an empty snapshot (`/healthz` answers 503 until the first update).
    /// `external_url` is the base URL put into webhook payloads.
    pub fn new(engine: AlertEngine, webhook: Option<Webhook>, external_url: &str) -> Service {
        Service {
            inner: Arc::new(Inner {
                snapshot: RwLock::new(Arc::new(Snapshot::default())),
                engine: Mutex::new(engine),
                webhook,
                external_url: external_url.trim_end_matches('/').to_string(),
                webhook_ok: AtomicU64::new(0),
                webhook_failed: AtomicU64::new(0),
                reload: Notify::new(),
            }),
        }
    }

    /// A service with in-memory alerts and no webhook, showing `snapshot` (tests, demos).
    pub fn with_snapshot(snapshot: Snapshot) -> Service {
        let engine = AlertEngine::new(
            AlertConfig::default(),
            Arc::new(MemoryAlertStore::default()),
        )
        .expect("the memory store cannot fail");
        let s = Service::new(engine, None, "http://127.0.0.1:9464");
        s.set_snapshot(snapshot);
        s
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the snapshot without evaluating alerts.
    pub fn set_snapshot(&self, snapshot: Snapshot) {
        *self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
    }

    /// Replaces only the source health (between analyses).
    pub fn set_sources(&self, sources: Vec<SourceHealth>) {
        let mut s = (*self.snapshot()).clone();
        s.sources = sources;
        self.set_snapshot(s);
    }

    /// Publishes `snapshot`, turns its constraint results into alerts and delivers the due
    /// ones to the webhook (with retries; this waits for delivery).
    pub async fn update(&self, snapshot: Snapshot) -> UpdateOutcome {
        self.update_at(snapshot, Utc::now()).await
    }

    /// [`update`](Self::update) with the alert clock at `now` (tests drive time this way).
    pub async fn update_at(&self, snapshot: Snapshot, now: DateTime<Utc>) -> UpdateOutcome {
        let candidates = snapshot
            .report
            .as_ref()
            .map(alerts::candidates)
            .unwrap_or_default();
        self.set_snapshot(snapshot);
        let due = {
            let mut engine = alerts::lock(&self.inner.engine);
            engine.evaluate(candidates, now)
        };
        let mut outcome = UpdateOutcome {
            notified: 0,
            firing: alerts::lock(&self.inner.engine)
                .firing_counts()
                .values()
                .sum(),
            delivery_error: None,
        };
        let Some(webhook) = &self.inner.webhook else {
            return outcome;
        };
        if due.is_empty() {
            return outcome;
        }
        let payload = alerts::payload(&due, "powermap", &self.inner.external_url);
        let result = webhook.send(&payload).await;
        match &result {
            Ok(_) => {
                self.inner.webhook_ok.fetch_add(1, Ordering::Relaxed);
                outcome.notified = due.len();
            }
            Err(e) => {
                self.inner.webhook_failed.fetch_add(1, Ordering::Relaxed);
                outcome.delivery_error = Some(e.clone());
            }
        }
        alerts::lock(&self.inner.engine).delivered(&due, &result, now);
        outcome
    }

    /// Resolves when an admin asked for a reload (`POST /api/v1/admin/reload`).
    pub async fn reload_requested(&self) {
        self.inner.reload.notified().await
    }

    /// The exposition `/metrics` serves.
    pub fn metrics_text(&self) -> String {
        let counters = prometheus::Counters {
            alerts_firing: alerts::lock(&self.inner.engine).firing_counts(),
            webhook_ok: self.inner.webhook_ok.load(Ordering::Relaxed),
            webhook_failed: self.inner.webhook_failed.load(Ordering::Relaxed),
        };
        prometheus::render(&self.snapshot(), &counters)
    }

    /// The router: API, `/metrics`, `/healthz` and the dashboard, with logging, rate limit,
    /// body limit and bearer-token admin routes.
    pub fn router(&self, config: &ServeConfig) -> axum::Router {
        api::routes().into_router(self.clone(), config)
    }

    fn engine(&self) -> std::sync::MutexGuard<'_, AlertEngine> {
        alerts::lock(&self.inner.engine)
    }
}

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

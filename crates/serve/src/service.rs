//! The service's shared state: the latest [`Snapshot`], the alert engine and the webhook,
//! updated after each cycle and read by every request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::alerts::{self, AlertConfig, AlertEngine, MemoryAlertStore, Webhook};
use crate::prometheus;
use crate::state::{Snapshot, SourceHealth};

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

    /// Asks the cycle for a reload (`POST /api/v1/admin/reload`).
    pub(crate) fn request_reload(&self) {
        self.inner.reload.notify_one();
    }

    pub(crate) fn engine(&self) -> std::sync::MutexGuard<'_, AlertEngine> {
        alerts::lock(&self.inner.engine)
    }
}

//! Alerts: constraint and forecast results become alerts, following Alertmanager's
//! conventions.
//!
//! - **Labels** `alertname` (the constraint id), `network`, `layer`, `severity`
//!   (`critical` for a violated `fail` constraint, `warning` for `warn`); annotations carry
//!   the description, limit, kind and explanation.
//! - **Fingerprint**: Alertmanager's `LabelSet.Fingerprint` — FNV-1a 64 over the labels sorted
//!   by name, each name and value followed by the byte `0xff` — written as 16 hex digits.
//!   The same violation keeps its fingerprint across restarts; it is the dedup key.
//! - **States** `firing` → `resolved`. A firing alert is notified when it starts, and again
//!   every `repeat_interval` while it keeps firing; when its constraint passes again it is
//!   resolved and (with `send_resolved`) notified once more.
//! - **Silences**: label matchers (equality) with an end time; a silenced alert keeps its
//!   state but is not notified.
//! - **Delivery**: [`Webhook`] POSTs Alertmanager's webhook payload (version `4`) as JSON
//!   over HTTP or HTTPS (rustls through `powermap-net`: the system's CA store or a given CA
//!   file), with a per-attempt timeout and retries with exponential backoff. Logs name the
//!   receiver by scheme, host and port only: chat webhooks keep their secret in the path.
//! - **History**: every state change and delivery goes through an [`AlertStore`]: the
//!   durable store when the service has one, [`MemoryAlertStore`] otherwise.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use powermap_net::redact_url;
use powermap_policy::{Outcome, Report, Severity as Declared};
use serde::{Deserialize, Serialize};

use crate::ServeError;

/// Result of alert storage and setup.
pub type Result<T, E = ServeError> = std::result::Result<T, E>;

/// Label or annotation names to values, sorted by name.
pub type Labels = BTreeMap<String, String>;

/// Alertmanager's fingerprint of a label set: FNV-1a 64 over `name 0xff value 0xff` for every
/// label in name order, as 16 lower-case hex digits.
pub fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        eat(name.as_bytes());
        eat(&[0xff]);
        eat(value.as_bytes());
        eat(&[0xff]);
    }
    format!("{h:016x}")
}

/// `firing` or `resolved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// The condition holds.
    Firing,
    /// The condition held and no longer does.
    Resolved,
}

impl AlertStatus {
    /// `firing` or `resolved`.
    pub fn id(self) -> &'static str {
        match self {
            AlertStatus::Firing => "firing",
            AlertStatus::Resolved => "resolved",
        }
    }
}

/// One alert and its notification state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// [`fingerprint`] of the labels.
    pub fingerprint: String,
    /// Firing or resolved.
    pub status: AlertStatus,
    /// `alertname`, `network`, `layer`, `severity`.
    pub labels: Labels,
    /// `summary`, `description`, `limit`, `kind`.
    pub annotations: Labels,
    /// When it started firing.
    pub starts_at: DateTime<Utc>,
    /// When it resolved.
    pub ends_at: Option<DateTime<Utc>>,
    /// When a notification about it was last delivered.
    pub last_notified: Option<DateTime<Utc>>,
    /// Notifications delivered so far.
    pub notifications: u32,
}

/// One line of alert history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// The alert.
    pub fingerprint: String,
    /// `fired`, `resolved`, `notified`, `repeated`, `resolve_notified`, `delivery_failed`.
    pub event: String,
    /// The alert's labels (so history reads without a join).
    pub labels: Labels,
    /// Details: the explanation, or the delivery error.
    pub detail: String,
}

/// Where alerts and their history are kept.
///
/// The watch service implements it on the durable store (its alerts table); tests and the
/// demo use [`MemoryAlertStore`].
pub trait AlertStore: Send + Sync {
    /// Inserts or replaces the alert with this fingerprint.
    fn upsert(&self, alert: &Alert) -> Result<()>;
    /// Appends one history event.
    fn record(&self, event: &AlertEvent) -> Result<()>;
    /// Alerts still firing (read on start, so a restart does not fire them again).
    fn firing(&self) -> Result<Vec<Alert>>;
    /// The newest `limit` history events, newest first.
    fn history(&self, limit: usize) -> Result<Vec<AlertEvent>>;
}

/// An [`AlertStore`] in memory (history capped at 10 000 events).
#[derive(Debug, Default)]
pub struct MemoryAlertStore {
    alerts: Mutex<BTreeMap<String, Alert>>,
    events: Mutex<VecDeque<AlertEvent>>,
}

const MEMORY_HISTORY: usize = 10_000;

impl AlertStore for MemoryAlertStore {
    fn upsert(&self, alert: &Alert) -> Result<()> {
        lock(&self.alerts).insert(alert.fingerprint.clone(), alert.clone());
        Ok(())
    }
    fn record(&self, event: &AlertEvent) -> Result<()> {
        let mut events = lock(&self.events);
        if events.len() == MEMORY_HISTORY {
            events.pop_front();
        }
        events.push_back(event.clone());
        Ok(())
    }
    fn firing(&self) -> Result<Vec<Alert>> {
        Ok(lock(&self.alerts)
            .values()
            .filter(|a| a.status == AlertStatus::Firing)
            .cloned()
            .collect())
    }
    fn history(&self, limit: usize) -> Result<Vec<AlertEvent>> {
        Ok(lock(&self.events)
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect())
    }
}

/// Locks a mutex, recovering from a poisoned one (the data stays consistent: every writer
/// finishes its update before it can panic).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// An alert that should be firing now.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its labels.
    pub labels: Labels,
    /// Its annotations.
    pub annotations: Labels,
}

/// The alerts a policy report asks for: one per violated measurement (constraint × network ×
/// layer). Pending, not-evaluated and passing constraints fire nothing.
pub fn candidates(report: &Report) -> Vec<Candidate> {
    let mut out = Vec::new();
    for r in &report.results {
        if r.outcome != Outcome::Violated {
            continue;
        }
        for m in &r.measurements {
            if m.status != Outcome::Violated {
                continue;
            }
            let labels = Labels::from([
                ("alertname".to_string(), r.id.clone()),
                ("network".to_string(), m.network.clone()),
                ("layer".to_string(), m.layer.id().to_string()),
                (
                    "severity".to_string(),
                    match r.severity {
                        Declared::Fail => "critical",
                        Declared::Warn => "warning",
                    }
                    .to_string(),
                ),
            ]);
            let annotations = Labels::from([
                ("summary".to_string(), r.description.clone()),
                ("description".to_string(), m.explanation.clone()),
                ("limit".to_string(), r.limit.clone()),
                ("kind".to_string(), r.kind.to_string()),
                ("policy".to_string(), report.policy.clone()),
            ]);
            out.push(Candidate {
                labels,
                annotations,
            });
        }
    }
    out
}

/// A silence: alerts whose labels include every matcher are not notified until `ends_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// Its id.
    pub id: String,
    /// Label name → value; all must match.
    pub matchers: Labels,
    /// Created at.
    pub starts_at: DateTime<Utc>,
    /// Expires at.
    pub ends_at: DateTime<Utc>,
    /// Why.
    pub comment: String,
}

impl Silence {
    /// Whether it silences `labels` at `now`.
    pub fn matches(&self, labels: &Labels, now: DateTime<Utc>) -> bool {
        now < self.ends_at
            && self
                .matchers
                .iter()
                .all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
    }
}

/// How alerts are repeated and resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertConfig {
    /// A firing alert is notified again after this long (Alertmanager's `repeat_interval`).
    pub repeat_interval: Duration,
    /// Notify when an alert resolves (Alertmanager's `send_resolved`).
    pub send_resolved: bool,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            repeat_interval: Duration::from_secs(4 * 3600),
            send_resolved: true,
        }
    }
}

/// An alert as the API shows it: the alert and whether a silence covers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertView {
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
    /// Covered by a silence now.
    pub silenced: bool,
}

/// The alert state machine: which alerts fire, which are due for a notification, history.
pub struct AlertEngine {
    config: AlertConfig,
    store: Arc<dyn AlertStore>,
    active: BTreeMap<String, Alert>,
    silences: Vec<Silence>,
    next_silence: u64,
}

impl std::fmt::Debug for AlertEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertEngine")
            .field("config", &self.config)
            .field("active", &self.active.len())
            .field("silences", &self.silences.len())
            .finish()
    }
}

impl AlertEngine {
    /// An engine over `store`, resuming the alerts it still has firing.
    pub fn new(config: AlertConfig, store: Arc<dyn AlertStore>) -> Result<AlertEngine> {
        let active = store
            .firing()?
            .into_iter()
            .map(|a| (a.fingerprint.clone(), a))
            .collect();
        Ok(AlertEngine {
            config,
            store,
            active,
            silences: Vec::new(),
            next_silence: 1,
        })
    }

    /// The configuration.
    pub fn config(&self) -> AlertConfig {
        self.config
    }

    /// Applies the alerts that should fire now: new ones start firing, missing ones resolve.
    /// Returns the alerts due for a notification now (new or past `repeat_interval`, not
    /// silenced; resolved ones that were notified while firing, with `send_resolved`).
    pub fn evaluate(&mut self, candidates: Vec<Candidate>, now: DateTime<Utc>) -> Vec<Alert> {
        let mut wanted: BTreeMap<String, Candidate> = BTreeMap::new();
        for c in candidates {
            wanted.insert(fingerprint(&c.labels), c);
        }
        let mut due = Vec::new();
        // Resolve what no longer fires.
        let gone: Vec<String> = self
            .active
            .keys()
            .filter(|fp| !wanted.contains_key(*fp))
            .cloned()
            .collect();
        for fp in gone {
            let mut a = self.active.remove(&fp).expect("listed above");
            a.status = AlertStatus::Resolved;
            a.ends_at = Some(now);
            self.persist(&a);
            self.event(&a, "resolved", now, "the constraint passes again".into());
            if self.config.send_resolved && a.notifications > 0 && !self.is_silenced(&a, now) {
                due.push(a);
            }
        }
        // Start or update what fires.
        for (fp, c) in wanted {
            match self.active.get_mut(&fp) {
                Some(a) => {
                    if a.annotations != c.annotations {
                        a.annotations = c.annotations;
                        let a = a.clone();
                        self.persist(&a);
                    }
                }
                None => {
                    let a = Alert {
                        fingerprint: fp.clone(),
                        status: AlertStatus::Firing,
                        labels: c.labels,
                        annotations: c.annotations,
                        starts_at: now,
                        ends_at: None,
                        last_notified: None,
                        notifications: 0,
                    };
                    self.persist(&a);
                    let detail = a
                        .annotations
                        .get("description")
                        .cloned()
                        .unwrap_or_default();
                    self.event(&a, "fired", now, detail);
                    self.active.insert(fp, a);
                }
            }
        }
        let repeat = chrono::Duration::from_std(self.config.repeat_interval)
            .unwrap_or(chrono::Duration::MAX);
        for a in self.active.values() {
            let is_due = match a.last_notified {
                None => true,
                Some(t) => now - t >= repeat,
            };
            if is_due && !self.is_silenced(a, now) {
                due.push(a.clone());
            }
        }
        due
    }

    /// Records the outcome of delivering `alerts` (as returned by [`evaluate`](Self::evaluate)).
    /// A failed delivery leaves the alerts due, so the next cycle tries again.
    pub fn delivered(
        &mut self,
        alerts: &[Alert],
        result: &Result<u32, String>,
        now: DateTime<Utc>,
    ) {
        for sent in alerts {
            match result {
                Ok(attempts) => {
                    let detail = format!("delivered after {attempts} attempt(s)");
                    if sent.status == AlertStatus::Resolved {
                        self.event(sent, "resolve_notified", now, detail);
                        continue;
                    }
                    let Some(a) = self.active.get_mut(&sent.fingerprint) else {
                        continue;
                    };
                    a.last_notified = Some(now);
                    a.notifications += 1;
                    let a = a.clone();
                    self.persist(&a);
                    let kind = if a.notifications == 1 {
                        "notified"
                    } else {
                        "repeated"
                    };
                    self.event(&a, kind, now, detail);
                }
                Err(e) => self.event(sent, "delivery_failed", now, e.clone()),
            }
        }
    }

    /// Adds a silence for `duration` from `now`.
    pub fn silence(
        &mut self,
        matchers: Labels,
        duration: Duration,
        comment: String,
        now: DateTime<Utc>,
    ) -> Silence {
        let s = Silence {
            id: format!("s{}", self.next_silence),
            matchers,
            starts_at: now,
            ends_at: now + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX),
            comment,
        };
        self.next_silence += 1;
        self.silences.retain(|s| s.ends_at > now);
        self.silences.push(s.clone());
        s
    }

    /// Silences in force at `now`.
    pub fn silences(&self, now: DateTime<Utc>) -> Vec<Silence> {
        self.silences
            .iter()
            .filter(|s| s.ends_at > now)
            .cloned()
            .collect()
    }

    /// Firing alerts, most severe first, with their silence flag.
    pub fn firing(&self, now: DateTime<Utc>) -> Vec<AlertView> {
        let mut v: Vec<AlertView> = self
            .active
            .values()
            .map(|a| AlertView {
                alert: a.clone(),
                silenced: self.is_silenced(a, now),
            })
            .collect();
        v.sort_by(|a, b| {
            let sev = |x: &AlertView| x.alert.labels.get("severity").cloned().unwrap_or_default();
            sev(a)
                .cmp(&sev(b))
                .then(a.alert.fingerprint.cmp(&b.alert.fingerprint))
        });
        v
    }

    /// Firing alerts per `severity` label (`critical` and `warning` always present).
    pub fn firing_counts(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::from([("critical".to_string(), 0), ("warning".to_string(), 0)]);
        for a in self.active.values() {
            let s = a.labels.get("severity").cloned().unwrap_or_default();
            *m.entry(s).or_insert(0) += 1;
        }
        m
    }

    /// The newest `limit` history events.
    pub fn history(&self, limit: usize) -> Vec<AlertEvent> {
        self.store.history(limit).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "reading alert history");
            Vec::new()
        })
    }

    fn is_silenced(&self, a: &Alert, now: DateTime<Utc>) -> bool {
        self.silences.iter().any(|s| s.matches(&a.labels, now))
    }

    fn persist(&self, a: &Alert) {
        if let Err(e) = self.store.upsert(a) {
            tracing::error!(error = %e, fingerprint = %a.fingerprint, "storing alert");
        }
    }

    fn event(&self, a: &Alert, event: &str, at: DateTime<Utc>, detail: String) {
        let e = AlertEvent {
            at,
            fingerprint: a.fingerprint.clone(),
            event: event.to_string(),
            labels: a.labels.clone(),
            detail,
        };
        tracing::info!(
            event = event,
            fingerprint = %a.fingerprint,
            alertname = a.labels.get("alertname").map(String::as_str).unwrap_or(""),
            "alert"
        );
        if let Err(e) = self.store.record(&e) {
            tracing::error!(error = %e, "storing alert history");
        }
    }
}

/// Alertmanager's webhook payload (version 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    /// Always `"4"`.
    pub version: String,
    /// Identifies the group (here: the receiver and the group labels).
    pub group_key: String,
    /// Alerts left out (never: every due alert is sent).
    pub truncated_alerts: u32,
    /// `firing` when any alert in it fires, else `resolved`.
    pub status: String,
    /// The receiver's name.
    pub receiver: String,
    /// Labels the group is formed by (none: one group).
    pub group_labels: Labels,
    /// Labels every alert shares.
    pub common_labels: Labels,
    /// Annotations every alert shares.
    pub common_annotations: Labels,
    /// Link back to the service.
    #[serde(rename = "externalURL")]
    pub external_url: String,
    /// The alerts.
    pub alerts: Vec<WebhookAlert>,
}

/// One alert in a [`WebhookPayload`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    /// `firing` or `resolved`.
    pub status: String,
    /// Labels.
    pub labels: Labels,
    /// Annotations.
    pub annotations: Labels,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339; `0001-01-01T00:00:00Z` while firing (as Alertmanager).
    pub ends_at: String,
    /// Link to the alerts page.
    #[serde(rename = "generatorURL")]
    pub generator_url: String,
    /// [`fingerprint`] of the labels.
    pub fingerprint: String,
}

/// Builds the webhook payload for `alerts`; `external_url` is the service's base URL.
pub fn payload(alerts: &[Alert], receiver: &str, external_url: &str) -> WebhookPayload {
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let common = |get: fn(&Alert) -> &Labels| -> Labels {
        let Some(first) = alerts.first() else {
            return Labels::new();
        };
        get(first)
            .iter()
            .filter(|(k, v)| alerts.iter().all(|a| get(a).get(*k) == Some(*v)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let firing = alerts.iter().any(|a| a.status == AlertStatus::Firing);
    WebhookPayload {
        version: "4".into(),
        group_key: format!("{{}}:{{receiver=\"{receiver}\"}}"),
        truncated_alerts: 0,
        status: if firing { "firing" } else { "resolved" }.into(),
        receiver: receiver.into(),
        group_labels: Labels::new(),
        common_labels: common(|a| &a.labels),
        common_annotations: common(|a| &a.annotations),
        external_url: external_url.into(),
        alerts: alerts
            .iter()
            .map(|a| WebhookAlert {
                status: a.status.id().into(),
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at: rfc(a.starts_at),
                ends_at: a.ends_at.map_or("0001-01-01T00:00:00Z".into(), rfc),
                generator_url: format!("{external_url}/#alerts"),
                fingerprint: a.fingerprint.clone(),
            })
            .collect(),
    }
}

/// How a webhook is delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// `http://host:port/path` or `https://…` (Alertmanager behind TLS, Slack, PagerDuty).
    pub url: String,
    /// Per-attempt timeout (connect, send, response).
    pub timeout: Duration,
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled after each failure …
    pub initial_backoff: Duration,
    /// … up to this.
    pub max_backoff: Duration,
    /// PEM file of the CA certificate(s) to trust for an `https://` receiver, instead of the
    /// system's store.
    pub ca_file: Option<std::path::PathBuf>,
}

impl WebhookConfig {
    /// A config with the defaults: 10 s timeout, 5 attempts, backoff 1 s doubling up to 60 s,
    /// the system's CA store.
    pub fn new(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            timeout: Duration::from_secs(10),
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            ca_file: None,
        }
    }
}

/// A webhook receiver: JSON POSTs with timeout and retries with exponential backoff.
#[derive(Debug, Clone)]
pub struct Webhook {
    config: WebhookConfig,
    agent: ureq::Agent,
}

impl Webhook {
    /// Checks the URL (`http://` or `https://`) and builds the client (reads `ca_file`).
    pub fn new(config: WebhookConfig) -> Result<Webhook> {
        let shown = redact_url(&config.url);
        let scheme = config.url.split_once("://").map(|(s, _)| s);
        if !(matches!(scheme, Some("http" | "https"))
            && config.url.len() > scheme.map_or(0, |s| s.len() + 3))
        {
            return Err(ServeError::Webhook(format!(
                "webhook url `{shown}`: expected http://host:port/path or https://host/path"
            )));
        }
        if config.max_attempts < 1 {
            return Err(ServeError::Webhook(
                "webhook: max_attempts must be at least 1".into(),
            ));
        }
        let agent = powermap_net::agent(config.timeout, config.ca_file.as_deref())
            .map_err(|e| ServeError::Webhook(format!("webhook `{shown}`: {e}")))?;
        Ok(Webhook { config, agent })
    }

    /// The configuration.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// POSTs `payload`; retries on connection errors, timeouts, 5xx, 429 and 408 with
    /// exponential backoff. `Ok(attempts)` on a 2xx, else the last error with the attempt
    /// count.
    pub async fn send(&self, payload: &WebhookPayload) -> Result<u32, String> {
        let body = Arc::new(serde_json::to_vec(payload).map_err(|e| e.to_string())?);
        let mut backoff = self.config.initial_backoff;
        let mut last = String::new();
        for attempt in 1..=self.config.max_attempts {
            match self.attempt(body.clone()).await {
                Ok(()) => return Ok(attempt),
                Err((e, retry)) => {
                    tracing::warn!(attempt, error = %e, url = %redact_url(&self.config.url), "webhook delivery failed");
                    last = e;
                    if !retry {
                        return Err(format!("{last} (attempt {attempt}, not retried)"));
                    }
                }
            }
            if attempt < self.config.max_attempts {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(self.config.max_backoff);
            }
        }
        Err(format!(
            "{last} (gave up after {} attempts)",
            self.config.max_attempts
        ))
    }

    /// One POST (blocking I/O on tokio's blocking pool); the error says whether it is worth
    /// retrying.
    async fn attempt(&self, body: Arc<Vec<u8>>) -> Result<(), (String, bool)> {
        let (agent, url, timeout) = (
            self.agent.clone(),
            self.config.url.clone(),
            self.config.timeout,
        );
        let post = tokio::task::spawn_blocking(move || {
            agent
                .post(&url)
                .set("Content-Type", "application/json")
                .set("User-Agent", "powermap-watch")
                .send_bytes(&body)
                .map(|_| ())
                .map_err(Box::new)
        });
        // The agent enforces the timeout; this bound only guards against a stuck thread.
        match tokio::time::timeout(timeout + Duration::from_secs(1), post).await {
            Err(_) => Err((format!("timed out after {timeout:?}"), true)),
            Ok(Err(e)) => Err((format!("delivery task failed: {e}"), true)),
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => match *e {
                ureq::Error::Status(code, _) => Err((
                    format!("receiver answered {code}"),
                    code >= 500 || code == 429 || code == 408,
                )),
                ureq::Error::Transport(t) => Err((transport(&t, timeout), true)),
            },
        }
    }
}

/// A transport error in words, without the URL (ureq's own message prints it whole).
fn transport(t: &ureq::Transport, timeout: Duration) -> String {
    let mut source = std::error::Error::source(t);
    let mut chain = Vec::new();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return format!("timed out after {timeout:?}");
            }
        }
        chain.push(e.to_string());
        source = e.source();
    }
    let mut s = format!("request failed: {}", t.kind());
    if let Some(m) = t.message() {
        s.push_str(": ");
        s.push_str(m);
    }
    for c in chain {
        s.push_str(": ");
        s.push_str(&c);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_alertmanagers_fnv1a() {
        // FNV-1a 64 of the empty input is the offset basis, as in Alertmanager for `{}`.
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
        let a = Labels::from([
            ("alertname".to_string(), "x".to_string()),
            ("network".to_string(), "bitcoin".to_string()),
        ]);
        let mut b = Labels::new();
        b.insert("network".into(), "bitcoin".into());
        b.insert("alertname".into(), "x".into());
        assert_eq!(fingerprint(&a), fingerprint(&b));
        b.insert("layer".into(), "consensus".into());
        assert_ne!(fingerprint(&a), fingerprint(&b));
        // Label boundaries matter: {a="bc"} and {ab="c"} differ.
        let x = Labels::from([("a".to_string(), "bc".to_string())]);
        let y = Labels::from([("ab".to_string(), "c".to_string())]);
        assert_ne!(fingerprint(&x), fingerprint(&y));
    }

    #[test]
    fn silence_matches_by_equality_until_it_ends() {
        let now = Utc::now();
        let s = Silence {
            id: "s1".into(),
            matchers: Labels::from([("alertname".to_string(), "x".to_string())]),
            starts_at: now,
            ends_at: now + chrono::Duration::seconds(60),
            comment: String::new(),
        };
        let l = Labels::from([
            ("alertname".to_string(), "x".to_string()),
            ("network".to_string(), "n".to_string()),
        ]);
        assert!(s.matches(&l, now));
        assert!(!s.matches(&l, now + chrono::Duration::seconds(61)));
        assert!(!s.matches(&Labels::new(), now));
    }
}

//! `powermap watch`: the long-running service. Polls its sources into the store, recomputes
//! the analyses, evaluates the policy, turns violations into alerts (webhook) and serves the
//! API, `/metrics` and the dashboard (`crates/serve`). Config: `docs/watch.md`,
//! `examples/watch.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use powermap_follow::IncrementalAnalysis;
use powermap_model::{Analysis, Layer, Provenance, Rule};
use powermap_pipeline::AnalyzeOptions;
use powermap_policy::Policy;
use powermap_security::SecurityModels;
use powermap_serve::alerts::{Alert, AlertEvent, AlertStatus, AlertStore};
use powermap_serve::{
    AlertConfig, AlertEngine, MemoryAlertStore, RateLimit, ServeConfig, Service, Snapshot,
    SourceHealth, Webhook, WebhookConfig,
};
use powermap_store::{Store, TouchedDay};
use powermap_windows::{Alignment, WindowSpec};
use serde::Deserialize;

/// Arguments of `powermap watch`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap watch --demo                        # built-in Bitcoin data, example policy, 127.0.0.1:9464
  powermap watch --config examples/watch.toml  # sources, store, policy, alerts from a file
  curl -s 127.0.0.1:9464/metrics               # Prometheus; the dashboard is at http://127.0.0.1:9464/

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM. The config file is documented in docs/watch.md.")]
pub struct Args {
    /// The service config (TOML; see docs/watch.md and examples/watch.toml).
    #[arg(long, short, value_name = "FILE", required_unless_present = "demo")]
    config: Option<PathBuf>,

    /// Without a config: serve the built-in dataset with examples/bitcoin.toml (when found),
    /// in-memory alerts and no webhook.
    #[arg(long)]
    demo: bool,

    /// Listen address, overriding `[server] listen` (default 127.0.0.1:9464). Binding
    /// anything but loopback exposes the read API to the network.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Log level: error, warn, info, debug, trace (logs are JSON lines on stderr).
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,

    /// IP database snapshot for the sources that place node addresses (`solana_rpc`,
    /// `cometbft_rpc`) and have no `ipdb` of their own (default: the built-in one,
    /// data/ip-location-db/).
    #[arg(long, value_name = "FILE")]
    ipdb: Option<PathBuf>,
}

/// `watch.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Policy file evaluated after every cycle (relative to the config file).
    #[serde(default)]
    policy: Option<PathBuf>,
    /// Security models laid over the built-in ones.
    #[serde(default)]
    security_models: Option<PathBuf>,
    /// Windows: `30d`, `30d/7d`, `month`, `1000blocks`, … (default `30d`, aligned to the end).
    #[serde(default)]
    window: Option<String>,
    /// Cycle: how often sources are polled and analyses recomputed (default `60s`).
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    store: Option<StoreConfig>,
    #[serde(default)]
    alerts: AlertsConfig,
    #[serde(default)]
    analysis: AnalysisConfig,
    /// `[[source]]` tables: `kind = "builtin"` here, the others go to the followers.
    #[serde(default)]
    source: Vec<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerConfig {
    listen: Option<SocketAddr>,
    /// File holding the admin bearer token (else `POWERMAP_TOKEN`; neither: admin disabled).
    token_file: Option<PathBuf>,
    body_limit: Option<usize>,
    /// Requests per second per client IP (0 disables rate limiting).
    rate_limit: Option<f64>,
    rate_burst: Option<f64>,
    /// Base URL put into webhook payloads (default `http://<listen>`).
    external_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreConfig {
    url: String,
}

/// `[analysis]`: how the followed data is windowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalysisConfig {
    /// First day (`YYYY-MM-DD`) of the start-aligned windows of followed data (default: the
    /// first day in the store of each network/layer, fixed when the service first sees it).
    anchor: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsConfig {
    webhook: Option<String>,
    /// PEM CA certificate(s) to trust for an `https://` webhook instead of the system's store.
    ca_file: Option<PathBuf>,
    repeat_interval: Option<String>,
    timeout: Option<String>,
    max_attempts: Option<u32>,
    initial_backoff: Option<String>,
    max_backoff: Option<String>,
    send_resolved: Option<bool>,
}

/// `10s`, `5m`, `4h`, `1d`, or plain seconds.
fn duration(field: &str, s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| (&s[..i], s[i..].trim()));
    let n: f64 = num
        .parse()
        .with_context(|| format!("{field}: `{s}` is not a duration like 30s, 5m, 4h, 1d"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => bail!("{field}: unknown unit in `{s}` (use ms, s, m, h or d)"),
    };
    anyhow::ensure!(
        secs.is_finite() && secs >= 0.0,
        "{field}: `{s}` is negative"
    );
    Ok(Duration::from_secs_f64(secs))
}

/// A `kind = "builtin"` source: a built-in dataset, analysed once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinSource {
    #[allow(dead_code)]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "default_dataset")]
    dataset: String,
}

fn default_dataset() -> String {
    "bitcoin-pools".into()
}

/// Everything the cycle needs, resolved from the config.
struct Plan {
    window: WindowSpec,
    interval: Duration,
    policy: Option<Policy>,
    models: SecurityModels,
    builtin: Vec<BuiltinSource>,
    follower: Option<powermap_follow::Follower>,
    /// Network of each followed source, by name.
    follower_networks: Vec<(String, String)>,
    store: Option<Arc<Mutex<Store>>>,
    /// `[analysis] anchor`: first day of the start-aligned windows of followed data.
    anchor: Option<NaiveDate>,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut cfg: Config =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        // Paths are relative to the config file.
        let base = path.parent().unwrap_or(Path::new("."));
        let rel = |p: &mut Option<PathBuf>| {
            if let Some(p) = p {
                if p.is_relative() && !p.exists() {
                    *p = base.join(&*p);
                }
            }
        };
        rel(&mut cfg.policy);
        rel(&mut cfg.security_models);
        rel(&mut cfg.server.token_file);
        rel(&mut cfg.alerts.ca_file);
        // The followers' paths too: `mapping`, `path` (`dir`), credentials, CA and IP database.
        for s in &mut cfg.source {
            if s.get("kind").and_then(|k| k.as_str()) == Some("builtin") {
                continue;
            }
            for key in [
                "mapping",
                "path",
                "credentials_file",
                "bearer_token_file",
                "ca_file",
                "ipdb",
            ] {
                let Some(toml::Value::String(v)) = s.get(key) else {
                    continue;
                };
                let p = Path::new(v.as_str());
                if !p.is_relative() || p.exists() {
                    continue;
                }
                let rebased = base.join(p).display().to_string();
                // A `dir` source keeps its default name (`dir-<path as written>`): it is the
                // cursor key and the `source` of its observations.
                if key == "path" && !s.contains_key("name") {
                    let name = format!("dir-{v}");
                    s.insert("name".into(), name.into());
                }
                s.insert(key.into(), rebased.into());
            }
        }
        Ok(cfg)
    }

    /// `--ipdb`: the IP database of every followed source that names none.
    fn default_ipdb(&mut self, db: &Path) {
        for s in &mut self.source {
            if s.get("kind").and_then(|k| k.as_str()) != Some("builtin") && !s.contains_key("ipdb")
            {
                s.insert("ipdb".into(), db.display().to_string().into());
            }
        }
    }

    fn demo() -> Config {
        let policy = ["examples/bitcoin.toml", "../../examples/bitcoin.toml"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists());
        let mut source = toml::Table::new();
        source.insert("kind".into(), "builtin".into());
        Config {
            policy,
            source: vec![source],
            ..Config::default()
        }
    }

    fn plan(&self) -> Result<Plan> {
        let mut window: WindowSpec = match &self.window {
            Some(w) => w
                .parse()
                .map_err(|e| anyhow::anyhow!("window `{w}`: {e}"))?,
            None => WindowSpec::days(30, 30),
        };
        if let WindowSpec::Days { align, .. } = &mut window {
            *align = Alignment::End;
        }
        let interval = match &self.interval {
            Some(s) => duration("interval", s)?,
            None => Duration::from_secs(60),
        };
        let policy = self.policy.as_deref().map(Policy::load).transpose()?;
        let mut models = SecurityModels::builtin();
        if let Some(p) = &self.security_models {
            models.overlay(SecurityModels::load(p)?);
        }
        let (mut builtin, mut followed) = (Vec::new(), Vec::new());
        for s in &self.source {
            match s.get("kind").and_then(|k| k.as_str()) {
                Some("builtin") => builtin.push(
                    s.clone()
                        .try_into::<BuiltinSource>()
                        .context("[[source]] kind = \"builtin\"")?,
                ),
                Some(_) => followed.push(s.clone()),
                None => bail!("[[source]] without `kind`"),
            }
        }
        let store = match &self.store {
            Some(s) => Some(Arc::new(Mutex::new(
                Store::open(&s.url).with_context(|| format!("opening the store `{}`", s.url))?,
            ))),
            None => None,
        };
        let mut follower_networks: Vec<(String, String)> = Vec::new();
        let follower = if followed.is_empty() {
            None
        } else {
            anyhow::ensure!(
                store.is_some(),
                "[[source]] kinds other than `builtin` follow chains into the store: add [store] url = \"sqlite:powermap.db\""
            );
            let sources = followed
                .iter()
                .map(|t| {
                    t.clone()
                        .try_into::<powermap_follow::SourceConfig>()
                        .map_err(|e| anyhow::anyhow!("[[source]]: {e}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let networks = sources.iter().map(|c| (c.name(), c.network())).collect();
            follower_networks = networks;
            let cfg = powermap_follow::FollowerConfig { sources };
            Some(powermap_follow::Follower::new(&cfg)?)
        };
        anyhow::ensure!(
            !builtin.is_empty() || store.is_some(),
            "nothing to watch: add a [[source]] (or a [store] with data)"
        );
        let anchor = self
            .analysis
            .anchor
            .as_deref()
            .map(|a| {
                NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d")
                    .with_context(|| format!("[analysis] anchor `{a}` is not a YYYY-MM-DD date"))
            })
            .transpose()?;
        Ok(Plan {
            window,
            interval,
            policy,
            models,
            builtin,
            follower,
            follower_networks,
            store,
            anchor,
        })
    }

    fn token(&self) -> Result<Option<String>> {
        if let Some(p) = &self.server.token_file {
            let t = std::fs::read_to_string(p)
                .with_context(|| format!("[server] token_file {}", p.display()))?;
            let t = t.trim().to_string();
            anyhow::ensure!(
                t.len() >= 16,
                "[server] token_file {}: the token must have at least 16 characters",
                p.display()
            );
            return Ok(Some(t));
        }
        Ok(std::env::var("POWERMAP_TOKEN")
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()))
    }

    fn webhook(&self) -> Result<Option<Webhook>> {
        let a = &self.alerts;
        let Some(url) = &a.webhook else {
            return Ok(None);
        };
        let mut c = WebhookConfig::new(url.clone());
        c.ca_file = a.ca_file.clone();
        if let Some(t) = &a.timeout {
            c.timeout = duration("[alerts] timeout", t)?;
        }
        if let Some(n) = a.max_attempts {
            c.max_attempts = n;
        }
        if let Some(t) = &a.initial_backoff {
            c.initial_backoff = duration("[alerts] initial_backoff", t)?;
        }
        if let Some(t) = &a.max_backoff {
            c.max_backoff = duration("[alerts] max_backoff", t)?;
        }
        Ok(Some(Webhook::new(c)?))
    }

    fn alert_config(&self) -> Result<AlertConfig> {
        let mut c = AlertConfig::default();
        if let Some(t) = &self.alerts.repeat_interval {
            c.repeat_interval = duration("[alerts] repeat_interval", t)?;
        }
        if let Some(b) = self.alerts.send_resolved {
            c.send_resolved = b;
        }
        Ok(c)
    }
}

/// Alerts kept in the durable store: current state in its alerts table, history in its
/// alert events (state changes are recorded by the store itself).
struct StoreAlerts(Arc<Mutex<Store>>);

impl StoreAlerts {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl AlertStore for StoreAlerts {
    fn upsert(&self, a: &Alert) -> Result<()> {
        let stored = powermap_store::Alert {
            fingerprint: a.fingerprint.clone(),
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            state: match a.status {
                AlertStatus::Firing => powermap_store::AlertState::Firing,
                AlertStatus::Resolved => powermap_store::AlertState::Resolved,
            },
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            last_sent: a.last_notified,
            updated_at: Utc::now(),
        };
        self.store().upsert_alert(&stored)?;
        Ok(())
    }

    fn record(&self, e: &AlertEvent) -> Result<()> {
        // `fired` and `resolved` are the store's own state-change events.
        if e.event != "fired" && e.event != "resolved" {
            self.store()
                .record_alert_event(&e.fingerprint, &e.event, &e.detail)?;
        }
        Ok(())
    }

    fn firing(&self) -> Result<Vec<Alert>> {
        Ok(self
            .store()
            .alerts(true)?
            .into_iter()
            .filter(|a| a.state == powermap_store::AlertState::Firing)
            .map(|a| Alert {
                fingerprint: a.fingerprint,
                status: AlertStatus::Firing,
                labels: a.labels,
                annotations: a.annotations,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                last_notified: a.last_sent,
                notifications: u32::from(a.last_sent.is_some()),
            })
            .collect())
    }

    fn history(&self, limit: usize) -> Result<Vec<AlertEvent>> {
        let mut store = self.store();
        let mut out = Vec::new();
        for a in store.alerts(false)? {
            for e in store.alert_history(&a.fingerprint)? {
                let event = match e.kind.as_str() {
                    "firing" => "fired".to_string(),
                    other => other.to_string(),
                };
                out.push(AlertEvent {
                    at: e.at,
                    fingerprint: e.fingerprint,
                    event,
                    labels: a.labels.clone(),
                    detail: e.detail,
                });
            }
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out.truncate(limit);
        Ok(out)
    }
}

/// Analyses of every (network, layer) in the store: observations streamed into the
/// analyzer, attributed as the followers stored them (their entity, else the raw subject).
fn analyze_store(store: &mut Store, window: &WindowSpec) -> Result<Vec<Analysis>> {
    let mut analyzer = powermap_pipeline::Analyzer::new(powermap_pipeline::AnalyzeOptions {
        window: window.clone(),
        clustering: true,
        ..Default::default()
    });
    let networks = store.networks()?;
    if networks.is_empty() {
        return Ok(Vec::new());
    }
    for n in &networks {
        for l in &n.layers {
            store.observations(&n.network, l.layer, None, None, &mut |o| {
                let (entity, rule) = match &o.entity {
                    Some(e) => (e.as_str(), Rule::Preattributed),
                    None => (o.subject.as_str(), Rule::Unattributed),
                };
                analyzer.push(
                    &o.network, o.layer, o.time, o.height, o.weight, entity, rule,
                );
                Ok(())
            })?;
        }
    }
    Ok(analyzer.finish(Provenance {
        dataset: "watch store".into(),
        window_spec: window.describe(),
        registry: "as attributed by the followers".into(),
        unattributed: "separate".into(),
    })?)
}

/// Health rows from the store's per-source stats.
fn store_health(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<SourceHealth>> {
    Ok(store
        .stats()?
        .sources
        .into_iter()
        .map(|s| SourceHealth {
            kind: "store".into(),
            network: s
                .last_block
                .as_ref()
                .map(|b| b.0.clone())
                .unwrap_or_default(),
            last_block: s.last_block.as_ref().map(|b| b.1),
            last_block_time: s.last_block.as_ref().map(|b| b.2),
            lag_seconds: s
                .last_block
                .as_ref()
                .map(|b| (now - b.2).num_milliseconds() as f64 / 1000.0),
            errors_total: 0,
            last_error: None,
            last_poll: s.last_ingest,
            name: s.source,
        })
        .collect())
}

/// Options of the incremental analysis of followed data: the configured day windows,
/// start-aligned from `anchor` and open-ended (`None` for month or block windows, which are
/// recomputed in full every cycle).
fn incremental_options(window: &WindowSpec, anchor: NaiveDate) -> Option<AnalyzeOptions> {
    match window {
        WindowSpec::Days {
            estimation, step, ..
        } => Some(AnalyzeOptions {
            window: WindowSpec::Days {
                estimation: *estimation,
                step: *step,
                start: Some(anchor),
                end: None,
                align: Alignment::Start,
            },
            clustering: true,
            ..Default::default()
        }),
        _ => None,
    }
}

/// The incremental analysis of one (network, layer) of the store, and what the store held
/// for it after the last update (a change not reported by our own followers — another
/// process writing the same store — rebuilds it).
struct Tracked {
    analysis: IncrementalAnalysis,
    anchor: NaiveDate,
    seen: (u64, DateTime<Utc>, DateTime<Utc>),
}

/// Windows recomputed and reused by one cycle's store analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WindowStats {
    recomputed: usize,
    reused: usize,
}

/// The state between cycles: built-in analyses are computed once.
struct Watcher {
    plan: Plan,
    builtin: Option<(Vec<Analysis>, Vec<SourceHealth>)>,
    /// Failed polls per source since start.
    error_counts: std::collections::BTreeMap<String, u64>,
    /// The error of each source's latest poll, when it failed.
    last_errors: std::collections::BTreeMap<String, String>,
    /// When a followed source is next due (one still catching up is due at once).
    next_due: Option<std::time::Instant>,
    /// Incremental analyses of the store's (network, layer) pairs, kept across cycles.
    tracked: BTreeMap<(String, Layer), Tracked>,
}

impl Watcher {
    fn new(plan: Plan) -> Watcher {
        Watcher {
            plan,
            builtin: None,
            error_counts: Default::default(),
            last_errors: Default::default(),
            next_due: None,
            tracked: BTreeMap::new(),
        }
    }

    /// Brings the incremental analysis of every (network, layer) of the store up to date
    /// with the days this cycle's polls touched. A pair seen for the first time is anchored
    /// (`[analysis] anchor`, else its first day in the store) and computed whole.
    fn analyze_incremental(
        &mut self,
        store: &mut Store,
        touched: &BTreeSet<TouchedDay>,
        stats: &mut WindowStats,
    ) -> Result<Option<Vec<Analysis>>> {
        let mut out = Vec::new();
        let mut present = BTreeSet::new();
        for n in store.networks()? {
            for l in &n.layers {
                let key = (n.network.clone(), l.layer);
                let seen = (l.observations, l.first, l.last);
                let ours = touched
                    .iter()
                    .any(|t| t.network == n.network && t.layer == l.layer);
                let (fresh, anchor) = match self.tracked.get(&key) {
                    Some(t) => (!ours && t.seen != seen, t.anchor),
                    None => (true, self.plan.anchor.unwrap_or(l.first.date_naive())),
                };
                if fresh {
                    let Some(opts) = incremental_options(&self.plan.window, anchor) else {
                        return Ok(None);
                    };
                    let analysis = IncrementalAnalysis::new(&n.network, l.layer, opts)?;
                    self.tracked.insert(
                        key.clone(),
                        Tracked {
                            analysis,
                            anchor,
                            seen,
                        },
                    );
                }
                let t = self.tracked.get_mut(&key).expect("inserted above");
                let recomputed = t.analysis.update(store, touched)?;
                t.seen = seen;
                stats.recomputed += recomputed;
                stats.reused += t.analysis.windows().len() - recomputed;
                let mut a = t.analysis.analysis();
                a.provenance = Provenance {
                    dataset: "watch store".into(),
                    window_spec: format!(
                        "{}, start-aligned from {anchor}",
                        a.provenance.window_spec
                    ),
                    registry: "as attributed by the followers".into(),
                    unattributed: "separate".into(),
                };
                if !a.windows.is_empty() {
                    out.push(a);
                }
                present.insert(key);
            }
        }
        self.tracked.retain(|k, _| present.contains(k));
        Ok(Some(out))
    }

    /// One cycle: (poll), analyse, build the snapshot. Blocking work.
    fn cycle(&mut self) -> Result<(Snapshot, WindowStats)> {
        let now = Utc::now();
        let mut stats = WindowStats::default();
        let mut analyses = Vec::new();
        let mut sources = Vec::new();
        if self.builtin.is_none() && !self.plan.builtin.is_empty() {
            let mut all = Vec::new();
            let mut health = Vec::new();
            for b in &self.plan.builtin {
                let a =
                    powermap_serve::state::analyze_builtin(&b.dataset, self.plan.window.clone())
                        .with_context(|| format!("built-in dataset `{}`", b.dataset))?;
                for an in &a {
                    let last = an.windows.last().map(|w| w.window.end);
                    health.push(SourceHealth {
                        name: b
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("builtin-{}", b.dataset)),
                        kind: "builtin".into(),
                        network: an.network.clone(),
                        last_block: an
                            .windows
                            .last()
                            .and_then(|w| w.window.heights.map(|h| h.1)),
                        last_block_time: last
                            .and_then(|d| d.and_hms_opt(23, 59, 59))
                            .map(|t| t.and_utc()),
                        lag_seconds: None,
                        errors_total: 0,
                        last_error: None,
                        last_poll: Some(now),
                    });
                }
                all.extend(a);
            }
            self.builtin = Some((all, health));
        }
        if let Some((a, h)) = &self.builtin {
            analyses.extend(a.iter().cloned());
            sources.extend(h.iter().cloned());
        }
        if let Some(store) = &self.plan.store {
            let store = store.clone();
            let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
            let mut touched = BTreeSet::new();
            if let Some(f) = &mut self.plan.follower {
                let report = f.poll_due(&mut store, std::time::Instant::now())?;
                touched = report.touched();
                for r in &report.sources {
                    tracing::info!(
                        source = %r.source,
                        tip = r.tip,
                        cursor = r.cursor,
                        blocks = r.applied.blocks_inserted,
                        reorg_from = r.reorg_from,
                        error = r.error.as_deref().unwrap_or(""),
                        millis = r.duration.as_millis() as u64,
                        "poll"
                    );
                    match &r.error {
                        Some(e) => {
                            self.last_errors.insert(r.source.clone(), e.clone());
                        }
                        None => {
                            self.last_errors.remove(&r.source);
                        }
                    }
                }
                for (name, n) in f.error_counts() {
                    self.error_counts.insert(name, n);
                }
                self.next_due = f.next_due();
            }
            // With followers in this process, the windows of followed data are start-aligned
            // from a fixed anchor and updated incrementally from the touched days; without
            // (a store written by others) or with month/block windows, recomputed in full.
            let incremental = if self.plan.follower.is_some() {
                self.analyze_incremental(&mut store, &touched, &mut stats)?
            } else {
                None
            };
            let store_analyses = match incremental {
                Some(a) => a,
                None => {
                    let a = analyze_store(&mut store, &self.plan.window)?;
                    stats = WindowStats {
                        recomputed: a.iter().map(|a| a.windows.len()).sum(),
                        reused: 0,
                    };
                    a
                }
            };
            analyses.extend(store_analyses);
            let mut health = store_health(&mut store, now)?;
            if let Some(f) = &self.plan.follower {
                // Every configured source has a row, polled or not yet.
                for name in f.names() {
                    if !health.iter().any(|h| h.name == name) {
                        health.push(SourceHealth {
                            name,
                            kind: "follower".into(),
                            network: String::new(),
                            last_block: None,
                            last_block_time: None,
                            lag_seconds: None,
                            errors_total: 0,
                            last_error: None,
                            last_poll: None,
                        });
                    }
                }
            }
            for h in &mut health {
                if h.network.is_empty() {
                    if let Some((_, n)) = self
                        .plan
                        .follower_networks
                        .iter()
                        .find(|(name, _)| *name == h.name)
                    {
                        h.network = n.clone();
                    }
                }
                h.errors_total = self.error_counts.get(&h.name).copied().unwrap_or(0);
                h.last_error = self.last_errors.get(&h.name).cloned();
            }
            sources.extend(health);
        }
        let snapshot = Snapshot::build(
            analyses,
            self.plan.policy.as_ref(),
            &self.plan.models,
            now.date_naive(),
            sources,
        );
        Ok((snapshot, stats))
    }
}

fn init_logging(level: tracing::Level) {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs `powermap watch`.
pub fn run(args: Args) -> Result<ExitCode> {
    init_logging(args.log_level);
    let mut cfg = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::demo(),
    };
    if let Some(db) = &args.ipdb {
        cfg.default_ipdb(db);
    }
    let plan = cfg.plan()?;
    let listen = args
        .listen
        .or(cfg.server.listen)
        .unwrap_or_else(|| powermap_serve::DEFAULT_LISTEN.parse().expect("valid"));
    let serve_cfg = ServeConfig {
        admin_token: cfg.token()?,
        body_limit: cfg.server.body_limit.unwrap_or(64 * 1024),
        rate_limit: match cfg.server.rate_limit {
            Some(r) if r <= 0.0 => None,
            r => Some(RateLimit {
                per_second: r.unwrap_or(50.0),
                burst: cfg.server.rate_burst.unwrap_or(200.0),
            }),
        },
    };
    let alert_store: Arc<dyn AlertStore> = match &plan.store {
        Some(s) => Arc::new(StoreAlerts(s.clone())),
        None => Arc::new(MemoryAlertStore::default()),
    };
    let engine = AlertEngine::new(cfg.alert_config()?, alert_store)?;
    let webhook = cfg.webhook()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    runtime.block_on(async move {
        let listener = powermap_serve::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "listening beyond loopback: the read API is reachable from the network");
        }
        let external = cfg
            .server
            .external_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let service = Service::new(engine, webhook, &external);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut server_stop = stop_rx.clone();
        let server = tokio::spawn(powermap_serve::serve(
            listener,
            service.clone(),
            serve_cfg,
            async move {
                let _ = server_stop.wait_for(|s| *s).await;
            },
        ));
        println!("powermap watch: listening on http://{addr}");
        tracing::info!(%addr, admin = service_has_admin(&cfg), "listening");
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
        });
        let interval = plan.interval;
        let watcher = Arc::new(Mutex::new(Watcher::new(plan)));
        let mut stop = stop_rx;
        loop {
            let w = watcher.clone();
            let started = std::time::Instant::now();
            let snap = tokio::task::spawn_blocking(move || {
                w.lock().unwrap_or_else(|e| e.into_inner()).cycle()
            })
            .await?;
            match snap {
                Ok((snap, windows)) => {
                    let n = snap.analyses.len();
                    let outcome = service.update(snap).await;
                    tracing::info!(
                        analyses = n,
                        windows_recomputed = windows.recomputed,
                        windows_reused = windows.reused,
                        firing = outcome.firing,
                        notified = outcome.notified,
                        delivery_error = outcome.delivery_error.as_deref().unwrap_or(""),
                        millis = started.elapsed().as_millis() as u64,
                        "cycle"
                    );
                }
                Err(e) => tracing::error!(error = %format!("{e:#}"), "cycle failed"),
            }
            // Sleep the cycle interval, or less when a followed source is due sooner (a source
            // still catching up is polled again at once, batch after batch).
            let next = watcher.lock().unwrap_or_else(|e| e.into_inner()).next_due;
            let wait = next.map_or(interval, |t| {
                t.saturating_duration_since(std::time::Instant::now())
                    .clamp(Duration::from_millis(50), interval)
            });
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = service.reload_requested() => tracing::info!("reload requested"),
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        server.await??;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn service_has_admin(cfg: &Config) -> bool {
    cfg.server.token_file.is_some() || std::env::var_os("POWERMAP_TOKEN").is_some()
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("x", "30s").unwrap(), Duration::from_secs(30));
        assert_eq!(duration("x", "5m").unwrap(), Duration::from_secs(300));
        assert_eq!(duration("x", "4h").unwrap(), Duration::from_secs(14400));
        assert_eq!(duration("x", "1d").unwrap(), Duration::from_secs(86400));
        assert_eq!(duration("x", "250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(duration("x", "12").unwrap(), Duration::from_secs(12));
        assert!(duration("x", "5 parsecs").is_err());
    }

    /// `[[source]]` paths are taken from the config file's folder (when they do not exist
    /// relative to the working directory), like the service's own paths.
    #[test]
    fn source_paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        std::fs::create_dir(&conf).unwrap();
        let path = conf.join("watch.toml");
        std::fs::write(
            &path,
            r#"
[[source]]
kind = "dir"
path = "drop-rebase-test"

[[source]]
kind = "bitcoin_rpc"
url = "http://127.0.0.1:1"
credentials_file = "cookie-rebase-test"
mapping = "mapping-rebase-test"

[[source]]
kind = "dir"
name = "abs"
path = "/absolute/drop"
"#,
        )
        .unwrap();
        let cfg = Config::load(&path).unwrap();
        let get = |i: usize, k: &str| cfg.source[i][k].as_str().unwrap().to_string();
        let at = |f: &str| conf.join(f).display().to_string();
        assert_eq!(get(0, "path"), at("drop-rebase-test"));
        // The default name stays the path as written (cursor key, `source` label).
        assert_eq!(get(0, "name"), "dir-drop-rebase-test");
        assert_eq!(get(1, "credentials_file"), at("cookie-rebase-test"));
        assert_eq!(get(1, "mapping"), at("mapping-rebase-test"));
        assert_eq!(get(2, "path"), "/absolute/drop");
        assert_eq!(get(2, "name"), "abs");
    }

    fn obs_file(rows: &[(NaiveDate, &str)]) -> String {
        let mut csv = String::from("network,layer,time,subject,weight\n");
        for (day, subject) in rows {
            csv.push_str(&format!("cosmos,consensus,{day}T12:00:00Z,{subject},1\n"));
        }
        csv
    }

    /// Two cycles over a `dir` source: the second drops observations on one recent day; only
    /// the windows that depend on that day are recomputed (the window holding it and, with the
    /// default population of one window on each side, its neighbour), and the result equals a
    /// full recomputation.
    #[test]
    fn watch_updates_only_the_touched_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch.toml");
        std::fs::write(
            &path,
            format!(
                r#"
window = "7d"

[store]
url = "sqlite:{db}"

[[source]]
kind = "dir"
path = "drop"
poll_interval = "0s"
"#,
                db = dir.path().join("w.db").display()
            ),
        )
        .unwrap();
        let cfg = Config::load(&path).unwrap();
        let drop = dir.path().join("drop");
        std::fs::create_dir_all(&drop).unwrap();
        let day0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let day = |i: u64| day0 + chrono::Days::new(i);
        // 35 days, 7-day windows: five windows, Jan 1–7, …, Jan 29 – Feb 4.
        let subjects = ["a", "b", "c", "d"];
        let rows: Vec<(NaiveDate, &str)> = (0..35)
            .flat_map(|i| (0..3).map(move |k| (day(i), subjects[(i as usize + k) % 4])))
            .collect();
        std::fs::write(drop.join("1.csv"), obs_file(&rows)).unwrap();

        let mut w = Watcher::new(cfg.plan().unwrap());
        let (snap, first) = w.cycle().unwrap();
        let windows = snap.analyses[0].windows.len();
        assert_eq!(windows, 5, "{:?}", snap.analyses[0].windows);
        assert_eq!(
            first,
            WindowStats {
                recomputed: 5,
                reused: 0
            }
        );
        assert_eq!(snap.analyses[0].windows[0].window.start, day0);
        let before = snap.analyses[0].windows.clone();

        // One more day of `a` on Feb 2 (in the last window).
        std::fs::write(
            drop.join("2.csv"),
            obs_file(&[(day(32), "a"), (day(32), "a"), (day(32), "a")]),
        )
        .unwrap();
        let (snap, second) = w.cycle().unwrap();
        assert_eq!(
            second,
            WindowStats {
                recomputed: 2,
                reused: 3
            }
        );
        let a = snap
            .analyses
            .iter()
            .find(|a| a.network == "cosmos")
            .unwrap();
        let opts = incremental_options(&WindowSpec::days(7, 7), day0).unwrap();
        let store = w.plan.store.clone().unwrap();
        let full = powermap_follow::full_analysis(
            &mut store.lock().unwrap(),
            "cosmos",
            Layer::Consensus,
            &opts,
        )
        .unwrap();
        assert_eq!(a.windows, full);
        // The new day changed the last window; the first three are the ones kept.
        assert_ne!(a.windows[4], before[4]);
        assert_eq!(a.windows[..3], before[..3]);
        let tracked = &w.tracked[&("cosmos".to_string(), Layer::Consensus)];
        assert_eq!(tracked.analysis.windows(), &full[..]);

        // A cycle with nothing new recomputes nothing.
        let (_, third) = w.cycle().unwrap();
        assert_eq!(
            third,
            WindowStats {
                recomputed: 0,
                reused: 5
            }
        );
    }

    #[test]
    fn anchor_is_a_date() {
        let cfg: Config =
            toml::from_str("[analysis]\nanchor = \"2024-13-01\"\n[[source]]\nkind = \"builtin\"\n")
                .unwrap();
        assert!(format!("{:#}", cfg.plan().err().unwrap()).contains("anchor"));
    }

    #[test]
    fn example_config_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/watch.toml");
        let cfg = Config::load(&path).unwrap();
        assert_eq!(cfg.server.listen, Some("127.0.0.1:9464".parse().unwrap()));
        assert!(cfg.policy.is_some());
        assert!(!cfg.source.is_empty());
    }
}

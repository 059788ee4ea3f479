//! `watch.toml`: the service config (docs/watch.md, examples/watch.toml), read and checked
//! into a [`Plan`] the cycle runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use powermap_findings::Stage;
use powermap_serve::{AlertConfig, RateLimit, ServeConfig, Webhook, WebhookConfig};
use powermap_store::Store;
use powermap_windows::{Alignment, WindowSpec};
use serde::Deserialize;

use crate::{Result, WatchError};

/// `watch.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Policy file evaluated after every cycle (relative to the config file).
    #[serde(default)]
    pub policy: Option<PathBuf>,
    /// Security models laid over the built-in ones.
    #[serde(default)]
    pub security_models: Option<PathBuf>,
    /// Windows: `30d`, `30d/7d`, `month`, `1000blocks`, … (default `30d`, aligned to the end).
    #[serde(default)]
    pub window: Option<String>,
    /// Cycle: how often sources are polled and analyses recomputed (default `60s`).
    #[serde(default)]
    pub interval: Option<String>,
    /// `[server]`.
    #[serde(default)]
    pub server: ServerConfig,
    /// `[store]`.
    #[serde(default)]
    pub store: Option<StoreConfig>,
    /// `[alerts]`.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// `[analysis]`.
    #[serde(default)]
    pub analysis: AnalysisConfig,
    /// `[[source]]` tables: `kind = "builtin"` here, the others go to the followers.
    #[serde(default)]
    pub source: Vec<toml::Table>,
}

/// `[server]`: how the API is served.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address (default 127.0.0.1:9464).
    pub listen: Option<SocketAddr>,
    /// File holding the admin bearer token (else `POWERMAP_TOKEN`; neither: admin disabled).
    pub token_file: Option<PathBuf>,
    /// Largest request body accepted (bytes).
    pub body_limit: Option<usize>,
    /// Requests per second per client IP (0 disables rate limiting).
    pub rate_limit: Option<f64>,
    /// Bursts up to this many requests.
    pub rate_burst: Option<f64>,
    /// Base URL put into webhook payloads (default `http://<listen>`).
    pub external_url: Option<String>,
}

/// `[store]`: where followed data is kept.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite:FILE` or `postgres://…`.
    pub url: String,
}

/// `[analysis]`: how the followed data is windowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    /// First day (`YYYY-MM-DD`) of the start-aligned windows of followed data (default: the
    /// first day in the store of each network/layer, fixed when the service first sees it).
    pub anchor: Option<String>,
}

/// `[alerts]`: delivery of alerts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Alertmanager-style webhook URL.
    pub webhook: Option<String>,
    /// PEM CA certificate(s) to trust for an `https://` webhook instead of the system's store.
    pub ca_file: Option<PathBuf>,
    /// A firing alert is sent again after this long.
    pub repeat_interval: Option<String>,
    /// Per delivery attempt.
    pub timeout: Option<String>,
    /// Attempts in all.
    pub max_attempts: Option<u32>,
    /// Wait before the second attempt (doubled after each failure) …
    pub initial_backoff: Option<String>,
    /// … up to this.
    pub max_backoff: Option<String>,
    /// Notify when the constraint passes again.
    pub send_resolved: Option<bool>,
}

/// `10s`, `5m`, `4h`, `1d`, or plain seconds (`field` names the setting in errors).
fn duration(field: &str, s: &str) -> Result<Duration> {
    powermap_follow::parse_duration(s).map_err(|e| WatchError::Config(format!("{field}: {e}")))
}

/// A `kind = "builtin"` source: a built-in dataset, analysed once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuiltinSource {
    /// Always `builtin` (checked before it is read).
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default = "default_dataset")]
    pub dataset: String,
}

fn default_dataset() -> String {
    "bitcoin-pools".into()
}

/// Everything the cycle needs, resolved from the config.
pub struct Plan {
    pub(crate) window: WindowSpec,
    pub(crate) interval: Duration,
    pub(crate) stage: Stage,
    pub(crate) builtin: Vec<BuiltinSource>,
    pub(crate) follower: Option<powermap_follow::Follower>,
    /// Network of each followed source, by name.
    pub(crate) follower_networks: Vec<(String, String)>,
    pub(crate) store: Option<Arc<Mutex<Store>>>,
    /// `[analysis] anchor`: first day of the start-aligned windows of followed data.
    pub(crate) anchor: Option<NaiveDate>,
}

impl Plan {
    /// How often the cycle runs.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The store, if the service has one.
    pub fn store(&self) -> Option<&Arc<Mutex<Store>>> {
        self.store.as_ref()
    }
}

impl Config {
    /// Reads and checks a config file. Relative paths are taken from the config file's folder
    /// when they do not exist relative to the working directory.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| WatchError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg: Config = toml::from_str(&text).map_err(|source| WatchError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
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

    /// The demo: the built-in dataset with `examples/bitcoin.toml` when found (from the
    /// repository root or a crate folder), in-memory alerts and no webhook.
    pub fn demo() -> Config {
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

    /// Checks everything and opens what the cycle needs: findings stage, store, followers.
    pub fn plan(&self) -> Result<Plan> {
        let window = match &self.window {
            Some(w) => w
                .parse::<WindowSpec>()
                .map_err(|e| WatchError::Config(format!("window `{w}`: {e}")))?,
            None => WindowSpec::days(30, 30),
        }
        .aligned(Alignment::End);
        let interval = match &self.interval {
            Some(s) => duration("interval", s)?,
            None => Duration::from_secs(60),
        };
        let stage = Stage::load(self.security_models.as_deref(), self.policy.as_deref())?;
        let (mut builtin, mut followed) = (Vec::new(), Vec::new());
        for s in &self.source {
            match s.get("kind").and_then(|k| k.as_str()) {
                Some("builtin") => {
                    builtin.push(s.clone().try_into::<BuiltinSource>().map_err(|source| {
                        WatchError::Source {
                            what: "[[source]] kind = \"builtin\"".into(),
                            source,
                        }
                    })?)
                }
                Some(_) => followed.push(s.clone()),
                None => return Err(WatchError::Config("[[source]] without `kind`".into())),
            }
        }
        let store = match &self.store {
            Some(s) => Some(Arc::new(Mutex::new(Store::open(&s.url).map_err(
                |source| WatchError::OpenStore {
                    url: s.url.clone(),
                    source,
                },
            )?))),
            None => None,
        };
        let mut follower_networks: Vec<(String, String)> = Vec::new();
        let follower = if followed.is_empty() {
            None
        } else {
            if store.is_none() {
                return Err(WatchError::Config("[[source]] kinds other than `builtin` follow chains into the store: add [store] url = \"sqlite:powermap.db\"".into()));
            }
            let sources = followed
                .iter()
                .map(|t| {
                    t.clone()
                        .try_into::<powermap_follow::SourceConfig>()
                        .map_err(|source| WatchError::Source {
                            what: "[[source]]".into(),
                            source,
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            follower_networks = sources.iter().map(|c| (c.name(), c.network())).collect();
            let cfg = powermap_follow::FollowerConfig { sources };
            Some(powermap_follow::Follower::new(&cfg)?)
        };
        if builtin.is_empty() && store.is_none() {
            return Err(WatchError::Config(
                "nothing to watch: add a [[source]] (or a [store] with data)".into(),
            ));
        }
        let anchor = self
            .analysis
            .anchor
            .as_deref()
            .map(|a| {
                NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| {
                    WatchError::Config(format!("[analysis] anchor `{a}` is not a YYYY-MM-DD date"))
                })
            })
            .transpose()?;
        Ok(Plan {
            window,
            interval,
            stage,
            builtin,
            follower,
            follower_networks,
            store,
            anchor,
        })
    }

    /// The admin token: `[server] token_file`, else `POWERMAP_TOKEN`, else none.
    pub fn token(&self) -> Result<Option<String>> {
        if let Some(p) = &self.server.token_file {
            let t = std::fs::read_to_string(p).map_err(|source| WatchError::Io {
                what: format!("[server] token_file {}", p.display()),
                source,
            })?;
            let t = t.trim().to_string();
            if t.len() < 16 {
                return Err(WatchError::Config(format!(
                    "[server] token_file {}: the token must have at least 16 characters",
                    p.display()
                )));
            }
            return Ok(Some(t));
        }
        Ok(std::env::var("POWERMAP_TOKEN")
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()))
    }

    /// How the HTTP server behaves: admin token, body limit, rate limit.
    pub fn serve_config(&self) -> Result<ServeConfig> {
        let s = &self.server;
        Ok(ServeConfig {
            admin_token: self.token()?,
            body_limit: s.body_limit.unwrap_or(64 * 1024),
            rate_limit: match s.rate_limit {
                Some(r) if r <= 0.0 => None,
                r => Some(RateLimit {
                    per_second: r.unwrap_or(50.0),
                    burst: s.rate_burst.unwrap_or(200.0),
                }),
            },
        })
    }

    /// `--ipdb`: the IP database of every followed source that names none.
    pub fn default_ipdb(&mut self, db: &Path) {
        for s in &mut self.source {
            if s.get("kind").and_then(|k| k.as_str()) != Some("builtin") && !s.contains_key("ipdb")
            {
                s.insert("ipdb".into(), db.display().to_string().into());
            }
        }
    }

    /// The webhook, when `[alerts] webhook` is set.
    pub fn webhook(&self) -> Result<Option<Webhook>> {
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

    /// Repeat interval and `send_resolved` of the alerts.
    pub fn alert_config(&self) -> Result<AlertConfig> {
        let mut c = AlertConfig::default();
        if let Some(t) = &self.alerts.repeat_interval {
            c.repeat_interval = duration("[alerts] repeat_interval", t)?;
        }
        if let Some(b) = self.alerts.send_resolved {
            c.send_resolved = b;
        }
        Ok(c)
    }

    /// Whether admin endpoints are enabled (a token file or `POWERMAP_TOKEN`).
    pub fn has_admin(&self) -> bool {
        self.server.token_file.is_some() || std::env::var_os("POWERMAP_TOKEN").is_some()
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

    #[test]
    fn anchor_is_a_date() {
        let cfg: Config =
            toml::from_str("[analysis]\nanchor = \"2024-13-01\"\n[[source]]\nkind = \"builtin\"\n")
                .unwrap();
        assert!(format!("{}", cfg.plan().err().unwrap()).contains("anchor"));
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

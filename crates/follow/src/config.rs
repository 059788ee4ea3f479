//! The `[[source]]` tables of `watch.toml`.

use std::path::PathBuf;
use std::time::Duration;

use powermap_model::Layer;
use serde::{Deserialize, Deserializer};

use powermap_net::Auth;

use crate::error::{FollowError, Result};

/// Which kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Bitcoin Core JSON-RPC (`getblockchaininfo`, `getblockhash`, `getblock` verbosity 2).
    BitcoinRpc,
    /// Ethereum execution JSON-RPC (`eth_blockNumber`, `eth_getBlockByNumber`).
    EthRpc,
    /// Ethereum beacon node REST API (headers → proposer → withdrawal credentials).
    Beacon,
    /// A directory of dropped observation files (CSV, JSON Lines, Parquet).
    Dir,
    /// Solana JSON-RPC (`getEpochInfo`, `getVoteAccounts`, `getClusterNodes`, `getBlockTime`):
    /// one snapshot of stake, client, ASN and country per epoch.
    SolanaRpc,
    /// CometBFT RPC of a Cosmos-SDK chain (`/status`, `/validators` paged, `/net_info`): one
    /// snapshot of voting power (and peer hosting) per `snapshot_every` heights.
    CometbftRpc,
}

impl SourceKind {
    /// Stable id as written in the config.
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::BitcoinRpc => "bitcoin_rpc",
            SourceKind::EthRpc => "eth_rpc",
            SourceKind::Beacon => "beacon",
            SourceKind::Dir => "dir",
            SourceKind::SolanaRpc => "solana_rpc",
            SourceKind::CometbftRpc => "cometbft_rpc",
        }
    }
}

/// The follower part of `watch.toml`: `[[source]]` tables (other tables are ignored here, so
/// the service can keep its own settings in the same file).
///
/// ```
/// let cfg = powermap_follow::FollowerConfig::from_toml(r#"
/// [[source]]
/// kind = "bitcoin_rpc"
/// url = "http://127.0.0.1:8332"
/// network = "bitcoin"
/// poll_interval = "10s"
/// credentials_file = "/home/me/.bitcoin/.cookie"
///
/// [[source]]
/// kind = "dir"
/// path = "drop/"
/// "#).unwrap();
/// assert_eq!(cfg.sources.len(), 2);
/// assert_eq!(cfg.sources[0].name(), "bitcoin_rpc-bitcoin");
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FollowerConfig {
    /// The sources, polled in this order.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
}

impl FollowerConfig {
    /// Parses the `[[source]]` tables of a TOML document and checks them.
    pub fn from_toml(text: &str) -> Result<Self> {
        let cfg: FollowerConfig =
            toml::from_str(text).map_err(|e| FollowError::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks required fields and unique names.
    pub fn validate(&self) -> Result<()> {
        let mut names = std::collections::BTreeSet::new();
        for s in &self.sources {
            s.validate()?;
            if !names.insert(s.name()) {
                return Err(FollowError::Config(format!(
                    "two sources are named `{}`: give each a distinct `name`",
                    s.name()
                )));
            }
        }
        Ok(())
    }
}

/// One `[[source]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Source name: cursor key and `source` label (default `<kind>-<network>`, or `dir-<path>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Kind of source.
    pub kind: SourceKind,
    /// Node URL (`http://host:port` or `https://…`; every kind but `dir`).
    #[serde(default)]
    pub url: Option<String>,
    /// Network id of the observations (default: `bitcoin` for `bitcoin_rpc`, `solana` for
    /// `solana_rpc`, `ethereum` otherwise; required for `cometbft_rpc`, e.g. `dydx`). For
    /// `dir`, files name their own network.
    #[serde(default)]
    pub network: Option<String>,
    /// Chain key of the stored blocks (default: the network; `<network>-beacon` for beacon,
    /// whose slots must not collide with execution block numbers).
    #[serde(default)]
    pub chain: Option<String>,
    /// Layer of the observations (default `consensus`).
    #[serde(default)]
    pub layer: Option<Layer>,
    /// How often to poll once caught up (default 10 s). `"500ms"`, `"10s"`, `"2m"` or seconds.
    #[serde(default, deserialize_with = "de_duration")]
    pub poll_interval: Option<Duration>,
    /// A file holding `user:password` for HTTP basic auth (Bitcoin Core's `.cookie` file).
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// A file holding a bearer token (`Authorization: Bearer …`), e.g. for a hosted RPC
    /// endpoint. Not together with `credentials_file`.
    #[serde(default)]
    pub bearer_token_file: Option<PathBuf>,
    /// PEM file of the CA certificate(s) to trust for an `https://` URL, instead of the
    /// system's store (a private CA, or a node's self-signed certificate).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// IP database snapshot for node addresses (`solana_rpc`, `cometbft_rpc`; default: the
    /// one built in, `data/ip-location-db/`).
    #[serde(default)]
    pub ipdb: Option<PathBuf>,
    /// Heights between two validator-set snapshots (`cometbft_rpc`; default 10000).
    #[serde(default)]
    pub snapshot_every: Option<u64>,
    /// First height to ingest when the store has nothing of this source (default: the node's
    /// tip minus `backfill`).
    #[serde(default)]
    pub start_height: Option<u64>,
    /// Blocks before the tip to start from when `start_height` is not set (default 0).
    #[serde(default)]
    pub backfill: Option<u64>,
    /// Blocks fetched and committed per transaction (default 500).
    #[serde(default)]
    pub batch_blocks: Option<u64>,
    /// Deepest reorg rolled back automatically (default 100 blocks).
    #[serde(default)]
    pub max_reorg_depth: Option<u64>,
    /// EDI `mapping_information/` directory for attribution (default: the copy built in).
    #[serde(default)]
    pub mapping: Option<PathBuf>,
    /// Per-request timeout (default 10 s).
    #[serde(default, deserialize_with = "de_duration")]
    pub timeout: Option<Duration>,
    /// Extra attempts on transient HTTP errors (default 3; backoff 200 ms, doubling).
    #[serde(default)]
    pub retries: Option<u32>,
    /// Directory to watch (`dir`).
    #[serde(default)]
    pub path: Option<PathBuf>,
}

impl SourceConfig {
    /// A config of `kind` with every option at its default.
    pub fn new(kind: SourceKind) -> Self {
        SourceConfig {
            name: None,
            kind,
            url: None,
            network: None,
            chain: None,
            layer: None,
            poll_interval: None,
            credentials_file: None,
            bearer_token_file: None,
            ca_file: None,
            ipdb: None,
            snapshot_every: None,
            start_height: None,
            backfill: None,
            batch_blocks: None,
            max_reorg_depth: None,
            mapping: None,
            timeout: None,
            retries: None,
            path: None,
        }
    }

    /// The effective name.
    pub fn name(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        match self.kind {
            SourceKind::Dir => format!(
                "dir-{}",
                self.path
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string())
            ),
            k => format!("{}-{}", k.id(), self.network()),
        }
    }

    /// The effective network.
    pub fn network(&self) -> String {
        self.network.clone().unwrap_or_else(|| {
            match self.kind {
                SourceKind::BitcoinRpc => "bitcoin",
                SourceKind::SolanaRpc => "solana",
                _ => "ethereum",
            }
            .to_string()
        })
    }

    /// The effective chain key of stored blocks.
    pub fn chain(&self) -> String {
        self.chain.clone().unwrap_or_else(|| match self.kind {
            SourceKind::Beacon => format!("{}-beacon", self.network()),
            SourceKind::SolanaRpc => format!("{}-epochs", self.network()),
            SourceKind::CometbftRpc => format!("{}-valsets", self.network()),
            _ => self.network(),
        })
    }

    /// The effective layer.
    pub fn layer(&self) -> Layer {
        self.layer.unwrap_or(Layer::Consensus)
    }

    /// The effective poll interval.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval.unwrap_or(Duration::from_secs(10))
    }

    /// The effective batch size.
    pub fn batch_blocks(&self) -> u64 {
        self.batch_blocks.unwrap_or(500).max(1)
    }

    /// The effective reorg limit.
    pub fn max_reorg_depth(&self) -> u64 {
        self.max_reorg_depth.unwrap_or(100)
    }

    /// The effective snapshot interval of `cometbft_rpc`, in heights.
    pub fn snapshot_every(&self) -> u64 {
        self.snapshot_every.unwrap_or(10_000).max(1)
    }

    /// Reads the credentials: basic (`credentials_file`) or bearer (`bearer_token_file`).
    pub fn auth(&self) -> Result<Option<Auth>> {
        let err = |e: powermap_net::NetError| FollowError::Config(e.to_string());
        match (&self.credentials_file, &self.bearer_token_file) {
            (Some(p), None) => Auth::basic_from_file(p).map(Some).map_err(err),
            (None, Some(p)) => Auth::bearer_from_file(p).map(Some).map_err(err),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(FollowError::Config(format!(
                "source `{}`: set `credentials_file` or `bearer_token_file`, not both",
                self.name()
            ))),
        }
    }

    fn validate(&self) -> Result<()> {
        let need = |what: &str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(FollowError::Config(format!(
                    "source `{}` (kind {}) needs `{what}`",
                    self.name(),
                    self.kind.id()
                )))
            }
        };
        match self.kind {
            SourceKind::Dir => need("path", self.path.is_some()),
            SourceKind::CometbftRpc => {
                need("url", self.url.is_some())?;
                need("network", self.network.is_some())
            }
            _ => need("url", self.url.is_some()),
        }
    }
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(f64),
        Text(String),
    }
    let raw = Option::<Raw>::deserialize(d)?;
    raw.map(|r| match r {
        Raw::Secs(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s)),
        Raw::Secs(s) => Err(format!("bad duration {s}")),
        Raw::Text(t) => parse_duration(&t),
    })
    .transpose()
    .map_err(serde::de::Error::custom)
}

/// `500ms`, `10s`, `2m`, `1h`, `1d`, or a bare number of seconds.
pub fn parse_duration(t: &str) -> Result<Duration, String> {
    let t = t.trim();
    let (num, unit) = t
        .find(|c: char| c.is_ascii_alphabetic())
        .map_or((t, "s"), |i| (&t[..i], &t[i..]));
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("bad duration `{t}` (expected e.g. 500ms, 10s, 2m, 1h, 1d)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return Err(format!("bad duration unit in `{t}` (ms, s, m, h or d)")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("bad duration `{t}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_names_and_errors() {
        let cfg = FollowerConfig::from_toml(
            "[[source]]\nkind = \"beacon\"\nurl = \"http://127.0.0.1:5052\"\npoll_interval = 2.5\n\
             [[source]]\nkind = \"eth_rpc\"\nurl = \"http://127.0.0.1:8545\"\ntimeout = \"1d\"\n",
        )
        .unwrap();
        let b = &cfg.sources[0];
        assert_eq!(
            (b.name(), b.network(), b.chain()),
            (
                "beacon-ethereum".to_string(),
                "ethereum".to_string(),
                "ethereum-beacon".to_string()
            )
        );
        assert_eq!(b.poll_interval(), Duration::from_millis(2500));
        assert_eq!(b.layer(), Layer::Consensus);
        assert_eq!(cfg.sources[1].timeout, Some(Duration::from_secs(86400)));
        assert_eq!(cfg.sources[1].chain(), "ethereum");

        let err = |t: &str| FollowerConfig::from_toml(t).unwrap_err().to_string();
        assert!(err("[[source]]\nkind = \"bitcoin_rpc\"\n").contains("needs `url`"));
        assert!(err("[[source]]\nkind = \"dir\"\n").contains("needs `path`"));
        assert!(err("[[source]]\nkind = \"zcash_rpc\"\nurl = \"x\"\n").contains("zcash_rpc"));
        assert!(err("[[source]]\nkind = \"dir\"\npath = \"a\"\nwieght = 1\n").contains("wieght"));
        assert!(err(
            "[[source]]\nkind = \"dir\"\npath = \"a\"\n[[source]]\nkind = \"dir\"\npath = \"a\"\n"
        )
        .contains("two sources are named `dir-a`"));
        assert!(
            err("[[source]]\nkind = \"dir\"\npath = \"a\"\npoll_interval = \"5 parsecs\"\n")
                .contains("duration")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("1w").is_err());
    }
}

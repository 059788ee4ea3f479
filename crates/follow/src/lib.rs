//! The watch service's sources: chains and dropped files, followed into the
//! [`powermap_store::Store`] reorg-safely and resumably.
//!
//! ```text
//! watch.toml [[source]] ──FollowerConfig──▶ Follower ──poll_once──▶ Store::apply (one tx per batch)
//!   bitcoin_rpc  getblockchaininfo / getblockhash / getblock 2 → coinbase tag + payout → EDI attribution
//!   eth_rpc      eth_blockNumber / eth_getBlockByNumber → fee recipient + extraData → EDI attribution
//!   beacon       /eth/v1/beacon/headers/{slot} → proposer → withdrawal credentials
//!   dir          dropped observation files, once per content digest
//!   solana_rpc   getEpochInfo / getVoteAccounts / getClusterNodes → stake × client, AS, country
//!   cometbft_rpc /status / /validators (paged) / /net_info → voting power; peers' AS, country
//! ```
//!
//! The last two are snapshot sources ([`snapshot`]): one snapshot per epoch or height interval,
//! written whole in one transaction. Node addresses are attributed to AS and country with the
//! IP database (`powermap-ipdb`, [`ipattr`]); HTTPS and credentials come from `powermap-net`.
//!
//! Every source resumes from its cursor in the store; the cursor is written in the same
//! transaction as the data ([`chain`] explains the reorg handling). [`IncrementalAnalysis`]
//! recomputes only the windows a poll touched.

pub mod attribute;
pub mod beacon;
pub mod bitcoin;
pub mod chain;
pub mod cometbft;
mod config;
pub mod dir;
mod error;
pub mod ethereum;
pub mod fake;
pub mod http;
mod incremental;
pub mod ipattr;
pub mod snapshot;
pub mod solana;
pub mod solana_client;

use std::time::{Duration, Instant};

use powermap_store::{ApplyReport, Store};

pub use attribute::edi_registry;
pub use chain::{poll_chain, ChainClient, ChainPoll, ChainSettings};
pub use config::{parse_duration, FollowerConfig, SourceConfig, SourceKind};
pub use error::{FollowError, Result};
pub use incremental::{analyze_store, full_analysis, IncrementalAnalysis};
pub use snapshot::{poll_snapshot, Snapshot, SnapshotClient, SnapshotPoll};

/// What one poll of one source did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceReport {
    /// Source name.
    pub source: String,
    /// Its kind (`None` only in a default value).
    pub kind: Option<SourceKind>,
    /// Network of its observations (`None` for directories).
    pub network: Option<String>,
    /// The node's tip height (chain sources).
    pub tip: Option<u64>,
    /// The cursor after the poll (chain sources: the next height to fetch).
    pub cursor: Option<u64>,
    /// Fork height rolled back from, when a reorg was handled.
    pub reorg_from: Option<u64>,
    /// Whether the source is caught up (no need to poll again before its interval).
    pub caught_up: bool,
    /// Files moved to `ingested/` (directories).
    pub files_ingested: Vec<String>,
    /// Files moved to `failed/`, with their first problem (directories).
    pub files_failed: Vec<(String, String)>,
    /// Store effects (including the days touched, for incremental analysis).
    pub applied: ApplyReport,
    /// The error that ended this poll, if any (other sources still ran).
    pub error: Option<String>,
    /// How long the poll took.
    pub duration: Duration,
}

/// What one [`Follower::poll_once`] did, per source polled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollReport {
    /// One entry per source polled, in config order.
    pub sources: Vec<SourceReport>,
}

impl PollReport {
    /// All touched days of all sources.
    pub fn touched(&self) -> std::collections::BTreeSet<powermap_store::TouchedDay> {
        self.sources
            .iter()
            .flat_map(|s| s.applied.touched.iter().cloned())
            .collect()
    }

    /// Whether any source failed.
    pub fn has_errors(&self) -> bool {
        self.sources.iter().any(|s| s.error.is_some())
    }
}

enum Runner {
    Chain(Box<dyn ChainClient>, ChainSettings),
    Dir(std::path::PathBuf),
    /// A snapshot client and the chain key its snapshots are stored under.
    Snapshot(Box<dyn SnapshotClient>, String),
}

struct Slot {
    cfg: SourceConfig,
    name: String,
    runner: Runner,
    next_due: Instant,
    errors: u64,
}

/// All configured sources, polled on their schedules.
pub struct Follower {
    slots: Vec<Slot>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.slots.iter().map(|s| &s.name))
            .finish()
    }
}

impl Follower {
    /// Builds the sources of a config (reads credentials files and attribution data now).
    pub fn new(cfg: &FollowerConfig) -> Result<Self> {
        cfg.validate()?;
        let now = Instant::now();
        let slots = cfg
            .sources
            .iter()
            .map(|c| {
                Ok(Slot {
                    cfg: c.clone(),
                    name: c.name(),
                    runner: build(c)?,
                    next_due: now,
                    errors: 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Follower { slots })
    }

    /// Builds from the `[[source]]` tables of a TOML document.
    pub fn from_toml(text: &str) -> Result<Self> {
        Follower::new(&FollowerConfig::from_toml(text)?)
    }

    /// A follower of one chain client (tests, benchmarks and custom sources).
    pub fn with_chain(client: Box<dyn ChainClient>, settings: ChainSettings) -> Self {
        let mut cfg = SourceConfig::new(SourceKind::BitcoinRpc);
        cfg.name = Some(settings.source.clone());
        cfg.chain = Some(settings.chain.clone());
        Follower {
            slots: vec![Slot {
                name: settings.source.clone(),
                cfg,
                runner: Runner::Chain(client, settings),
                next_due: Instant::now(),
                errors: 0,
            }],
        }
    }

    /// Source names, in config order.
    pub fn names(&self) -> Vec<String> {
        self.slots.iter().map(|s| s.name.clone()).collect()
    }

    /// Errors per source since start (for ingest-health metrics).
    pub fn error_counts(&self) -> Vec<(String, u64)> {
        self.slots
            .iter()
            .map(|s| (s.name.clone(), s.errors))
            .collect()
    }

    /// Polls every source once, whatever its schedule. A failing source is reported in its
    /// [`SourceReport::error`] and does not stop the others; `Err` is returned only when
    /// nothing could run at all (never, currently).
    pub fn poll_once(&mut self, store: &mut Store) -> Result<PollReport> {
        let mut report = PollReport::default();
        for i in 0..self.slots.len() {
            report.sources.push(self.poll_slot(i, store));
        }
        Ok(report)
    }

    /// Polls only the sources that are due at `now` (a source not caught up is due at once;
    /// one caught up or failing waits its `poll_interval`).
    pub fn poll_due(&mut self, store: &mut Store, now: Instant) -> Result<PollReport> {
        let mut report = PollReport::default();
        for i in 0..self.slots.len() {
            if self.slots[i].next_due <= now {
                report.sources.push(self.poll_slot(i, store));
            }
        }
        Ok(report)
    }

    /// When the next source is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.slots.iter().map(|s| s.next_due).min()
    }

    fn poll_slot(&mut self, i: usize, store: &mut Store) -> SourceReport {
        let slot = &mut self.slots[i];
        let started = Instant::now();
        let mut rep = SourceReport {
            source: slot.name.clone(),
            kind: Some(slot.cfg.kind),
            network: (slot.cfg.kind != SourceKind::Dir).then(|| slot.cfg.network()),
            ..Default::default()
        };
        let result = match &mut slot.runner {
            Runner::Chain(client, settings) => {
                poll_chain(client.as_mut(), store, settings).map(|p| {
                    rep.tip = Some(p.tip);
                    rep.cursor = Some(p.cursor);
                    rep.reorg_from = p.reorg_from;
                    rep.caught_up = p.caught_up;
                    rep.applied = p.applied;
                })
            }
            Runner::Dir(path) => dir::poll_dir(path, store, &slot.name).map(|p| {
                rep.caught_up = true;
                rep.files_ingested = p.ingested;
                rep.files_failed = p.failed;
                rep.applied = p.applied;
            }),
            Runner::Snapshot(client, chain) => {
                poll_snapshot(client.as_mut(), store, &slot.name, chain).map(|p| {
                    rep.tip = Some(p.current);
                    rep.cursor = p.stored.or(p.caught_up.then_some(p.current));
                    rep.caught_up = p.caught_up;
                    rep.applied = p.applied;
                })
            }
        };
        if let Err(e) = result {
            slot.errors += 1;
            rep.error = Some(e.to_string());
        }
        rep.duration = started.elapsed();
        slot.next_due = if rep.caught_up || rep.error.is_some() {
            Instant::now() + slot.cfg.poll_interval()
        } else {
            Instant::now()
        };
        rep
    }
}

fn build(c: &SourceConfig) -> Result<Runner> {
    if c.kind == SourceKind::Dir {
        let path = c.path.clone().expect("validated");
        std::fs::create_dir_all(&path).map_err(|e| FollowError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        return Ok(Runner::Dir(path));
    }
    let url = c.url.as_deref().expect("validated");
    let http = http::HttpClient::new(
        url,
        c.timeout.unwrap_or(Duration::from_secs(10)),
        c.retries.unwrap_or(3),
        Duration::from_millis(200),
        c.auth()?,
        c.ca_file.as_deref(),
    )?;
    let name = c.name();
    let settings = ChainSettings {
        source: name.clone(),
        chain: c.chain(),
        start_height: c.start_height,
        backfill: c.backfill.unwrap_or(0),
        batch_blocks: c.batch_blocks(),
        max_reorg_depth: c.max_reorg_depth(),
    };
    let network = c.network();
    let snapshot: Option<Box<dyn SnapshotClient>> = match c.kind {
        SourceKind::SolanaRpc => Some(Box::new(solana::SolanaRpc::new(
            http.clone(),
            ipdb(c)?,
            &network,
            &name,
        ))),
        SourceKind::CometbftRpc => Some(Box::new(cometbft::CometRpc::new(
            http.clone(),
            ipdb(c)?,
            &network,
            &name,
            c.snapshot_every(),
        ))),
        _ => None,
    };
    if let Some(client) = snapshot {
        return Ok(Runner::Snapshot(client, c.chain()));
    }
    let client: Box<dyn ChainClient> = match c.kind {
        SourceKind::BitcoinRpc => Box::new(bitcoin::BitcoinRpc::new(
            http,
            edi_registry(&network, c.mapping.as_deref())?,
            &settings.chain,
            c.layer(),
            &name,
        )),
        SourceKind::EthRpc => Box::new(ethereum::EthRpc::new(
            http,
            edi_registry(&network, c.mapping.as_deref())?,
            &settings.chain,
            c.layer(),
            &name,
        )),
        SourceKind::Beacon => Box::new(beacon::BeaconApi::new(
            http,
            &network,
            &settings.chain,
            c.layer(),
            &name,
        )),
        SourceKind::Dir | SourceKind::SolanaRpc | SourceKind::CometbftRpc => {
            unreachable!("handled above")
        }
    };
    Ok(Runner::Chain(client, settings))
}

/// The IP database of a source: its `ipdb` file, else the built-in snapshot.
fn ipdb(c: &SourceConfig) -> Result<std::sync::Arc<powermap_ipdb::IpDb>> {
    powermap_ipdb::IpDb::open(c.ipdb.as_deref()).map_err(|e| FollowError::Config(e.to_string()))
}

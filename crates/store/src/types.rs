//! What goes into the store and what comes out.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::{Layer, Observation};
use serde::{Deserialize, Serialize};

/// One block of a followed chain with the observations it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockRecord {
    /// The chain the block belongs to (`blocks.network`): the network id for a chain source,
    /// or e.g. `ethereum-beacon` when two sources of one network count heights differently.
    pub network: String,
    /// Height (block number or slot). At most 2⁶³−1.
    pub height: u64,
    /// Block hash (or beacon block root), as the node prints it.
    pub hash: String,
    /// Hash of the parent block; `None` for a genesis block.
    pub parent_hash: Option<String>,
    /// Block time (UTC).
    pub time: DateTime<Utc>,
    /// Observations derived from this block; removed with it on a reorg.
    pub observations: Vec<Observation>,
}

/// One dropped observation file: ingested once per content digest.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    /// Content digest (e.g. `sha256:…`): the same bytes ingest once, whatever the name.
    pub digest: String,
    /// File name, for people.
    pub name: String,
    /// The file's observations.
    pub observations: Vec<Observation>,
}

/// Everything one poll of one source writes, applied in **one** transaction by
/// [`crate::Store::apply`]: a crash leaves either all of it or none of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The source (its configured name); blocks, files and the cursor are recorded under it.
    pub source: String,
    /// `(network, height)`: first delete every block of `network` at `height` or above, with
    /// their observations (a reorg replaces them).
    pub rollback: Option<(String, u64)>,
    /// Blocks to insert, with their observations. A block already stored with the same hash
    /// is skipped (idempotent); with another hash it is an error unless rolled back first.
    pub blocks: Vec<BlockRecord>,
    /// Files to insert. A digest already stored is skipped with its observations.
    pub files: Vec<FileRecord>,
    /// The source's new cursor, written in the same transaction.
    pub cursor: Option<String>,
}

/// A (network, layer, UTC day) whose observations changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TouchedDay {
    /// Network of the observations.
    pub network: String,
    /// Layer of the observations.
    pub layer: Layer,
    /// UTC day.
    pub day: NaiveDate,
}

/// What [`crate::Store::apply`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApplyReport {
    /// Blocks deleted by the rollback.
    pub blocks_removed: u64,
    /// Observations deleted with them.
    pub observations_removed: u64,
    /// Blocks inserted.
    pub blocks_inserted: u64,
    /// Blocks already stored with the same hash (skipped).
    pub blocks_skipped: u64,
    /// Files inserted.
    pub files_inserted: u64,
    /// Files whose digest was already stored (skipped).
    pub files_skipped: u64,
    /// Observations inserted.
    pub observations_inserted: u64,
    /// Days whose observations changed (inserted or removed): the windows to recompute.
    pub touched: BTreeSet<TouchedDay>,
}

/// A stored block, without its observations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    /// Chain of the block.
    pub network: String,
    /// Height.
    pub height: u64,
    /// Hash.
    pub hash: String,
    /// Parent hash.
    pub parent_hash: Option<String>,
    /// Block time.
    pub time: DateTime<Utc>,
}

/// A source's persisted position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Opaque to the store: a height for chain sources.
    pub position: String,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

/// A network with the layers it has observations for.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSummary {
    /// Network id.
    pub network: String,
    /// Per layer: observation count and time range.
    pub layers: Vec<LayerSummary>,
}

/// Observations of one (network, layer).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSummary {
    /// Layer.
    pub layer: Layer,
    /// Number of observations.
    pub observations: u64,
    /// Earliest observation time.
    pub first: DateTime<Utc>,
    /// Latest observation time.
    pub last: DateTime<Utc>,
}

/// Ingest health, for `/metrics` and the dashboard.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreStats {
    /// Backend: `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Schema version in force.
    pub schema_version: i64,
    /// Total blocks stored.
    pub blocks: u64,
    /// Total observations stored.
    pub observations: u64,
    /// Total files ingested.
    pub files: u64,
    /// Per source (every source with a cursor, a block or a file).
    pub sources: Vec<SourceStats>,
}

/// Ingest health of one source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceStats {
    /// Source name.
    pub source: String,
    /// Its cursor, if it wrote one.
    pub cursor: Option<String>,
    /// When its cursor was last written (its last successful ingest).
    pub last_ingest: Option<DateTime<Utc>>,
    /// Blocks it stored.
    pub blocks: u64,
    /// Files it stored.
    pub files: u64,
    /// Its newest block: `(network, height, block time)`.
    pub last_block: Option<(String, u64, DateTime<Utc>)>,
}

/// State of an alert, Alertmanager's words plus Prometheus' `pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Condition holds but not yet for long enough.
    Pending,
    /// Condition holds; notifications go out.
    Firing,
    /// Condition no longer holds.
    Resolved,
}

impl AlertState {
    /// Stable id: `pending`, `firing`, `resolved`.
    pub fn id(self) -> &'static str {
        match self {
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }

    /// Parses [`AlertState::id`].
    pub fn from_id(s: &str) -> Option<Self> {
        [
            AlertState::Pending,
            AlertState::Firing,
            AlertState::Resolved,
        ]
        .into_iter()
        .find(|a| a.id() == s)
    }
}

/// One alert as stored (Alertmanager's shape: labels identify it, annotations describe it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Identity: see [`alert_fingerprint`].
    pub fingerprint: String,
    /// Identifying labels (`alertname`, `network`, `layer`, …).
    pub labels: BTreeMap<String, String>,
    /// Descriptive text (`summary`, `description`, values); not part of the identity.
    pub annotations: BTreeMap<String, String>,
    /// Current state.
    pub state: AlertState,
    /// When it started firing (or pending).
    pub starts_at: DateTime<Utc>,
    /// When it resolved.
    pub ends_at: Option<DateTime<Utc>>,
    /// When a notification was last delivered (for the repeat cooldown).
    pub last_sent: Option<DateTime<Utc>>,
    /// When this row was last written (set by the store).
    pub updated_at: DateTime<Utc>,
}

/// One entry of an alert's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The alert.
    pub fingerprint: String,
    /// Order within the alert's history (1, 2, …).
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// A state id on a state change (`pending`, `firing`, `resolved`), or what the caller
    /// recorded (e.g. `sent`, `send_failed`).
    pub kind: String,
    /// Free text (labels JSON on a state change; delivery details).
    pub detail: String,
}

/// Alertmanager's fingerprint: FNV-1a 64 over the sorted label names and values, each
/// followed by the separator byte `0xff`, printed as 16 hex digits.
pub fn alert_fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for (k, v) in labels {
        eat(k.as_bytes());
        eat(&[0xff]);
        eat(v.as_bytes());
        eat(&[0xff]);
    }
    format!("{h:016x}")
}

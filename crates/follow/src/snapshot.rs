//! Sources that yield whole snapshots — a Solana epoch's stake, a CometBFT validator set —
//! rather than chains of blocks.
//!
//! A snapshot is stored as **one block of its own chain key** (`solana-epochs`,
//! `dydx-valsets`): height = the snapshot's key (the epoch, the block height), hash = SHA-256
//! of its observations, no parent. [`poll_snapshot`] writes it with the source's cursor in one
//! [`Store::apply`] transaction, so:
//!
//! * a process killed while taking or writing a snapshot leaves nothing of it; the next poll
//!   takes it again (nothing lost, nothing partial);
//! * a key already stored is never taken again (idempotent per epoch / height), and a second
//!   writer racing for the same key is a [`powermap_store::StoreError::Conflict`] unless it
//!   wrote the same content;
//! * a snapshot whose key moved while it was being taken (an epoch boundary during the poll)
//!   is discarded, not stored under the wrong key.

use chrono::{DateTime, Utc};
use powermap_model::Observation;
use powermap_store::{ApplyReport, Batch, BlockRecord, Store};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// One snapshot, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Its key: the epoch or block height it describes.
    pub key: u64,
    /// The time it describes (block time of the slot or height it was taken at).
    pub time: DateTime<Utc>,
    /// Its observations (every layer).
    pub observations: Vec<Observation>,
}

/// What a snapshot source must answer.
pub trait SnapshotClient: Send {
    /// The key of the snapshot the node can give now (the current epoch; the latest height
    /// rounded down to the snapshot interval).
    fn current(&mut self) -> Result<u64>;
    /// Takes snapshot `key`; `Ok(None)` when the node moved past `key` while it was being
    /// taken (nothing of it may be stored).
    fn take(&mut self, key: u64) -> Result<Option<Snapshot>>;
}

/// The outcome of one poll of a snapshot source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotPoll {
    /// The node's current key.
    pub current: u64,
    /// The key stored by this poll, if any.
    pub stored: Option<u64>,
    /// True when the current key is stored (now or before): nothing to do until it moves.
    pub caught_up: bool,
    /// Set when the key moved while the snapshot was being taken (it was discarded).
    pub moved: Option<u64>,
    /// What the store did.
    pub applied: ApplyReport,
}

/// SHA-256 over the observations' fields, in order: the snapshot's hash in the store.
pub fn digest(observations: &[Observation]) -> String {
    let mut h = Sha256::new();
    for o in observations {
        for field in [
            o.network.as_str(),
            o.layer.id(),
            o.subject.as_str(),
            o.entity.as_deref().unwrap_or("\u{0}"),
            o.source.as_deref().unwrap_or("\u{0}"),
        ] {
            h.update(field.as_bytes());
            h.update([0xff]);
        }
        h.update(o.weight.to_bits().to_le_bytes());
        h.update(o.time.timestamp_micros().to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One poll of `client` into `store`: stores the current snapshot unless it is stored already.
pub fn poll_snapshot(
    client: &mut dyn SnapshotClient,
    store: &mut Store,
    source: &str,
    chain: &str,
) -> Result<SnapshotPoll> {
    let current = client.current()?;
    if store.block(chain, current)?.is_some() {
        return Ok(SnapshotPoll {
            current,
            caught_up: true,
            ..Default::default()
        });
    }
    let Some(snap) = client.take(current)? else {
        return Ok(SnapshotPoll {
            current,
            moved: Some(current),
            ..Default::default()
        });
    };
    let applied = store.apply(Batch {
        source: source.to_string(),
        blocks: vec![BlockRecord {
            network: chain.to_string(),
            height: snap.key,
            hash: digest(&snap.observations),
            parent_hash: None,
            time: snap.time,
            observations: snap.observations,
        }],
        cursor: Some(snap.key.to_string()),
        ..Default::default()
    })?;
    Ok(SnapshotPoll {
        current,
        stored: Some(snap.key),
        caught_up: true,
        moved: None,
        applied,
    })
}

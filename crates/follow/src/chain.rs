//! The reorg-safe follow loop shared by every chain source.
//!
//! One poll:
//!
//! 1. Ask the node for its tip height.
//! 2. If the store has blocks of this chain, check that the stored tip's hash is still the
//!    node's block at that height. If not, walk back over the stored blocks until the node
//!    agrees (the fork point) — at most `max_reorg_depth` heights — and plan a rollback of
//!    every stored block from the fork point up.
//! 3. Fetch up to `batch_blocks` blocks from there, each one's parent hash checked against the
//!    previous block (stored or fetched). A mismatch means the node reorganised while we
//!    fetched: stop there; the next poll resolves it through step 2.
//! 4. Write rollback + blocks + observations + cursor in one transaction
//!    ([`powermap_store::Store::apply`]).

use powermap_store::{Batch, BlockRecord, Store};

use crate::error::{FollowError, Result};

/// What a chain source must answer. Heights without a block (empty beacon slots) are `None`.
pub trait ChainClient: Send {
    /// The node's current tip height.
    fn tip_height(&mut self) -> Result<u64>;
    /// The hash of the node's block at `height`, `None` if there is none.
    fn hash_at(&mut self, height: u64) -> Result<Option<String>>;
    /// The node's block at `height` with its observations, `None` if there is none.
    fn block_at(&mut self, height: u64) -> Result<Option<BlockRecord>>;
}

/// Settings of the follow loop.
#[derive(Debug, Clone)]
pub struct ChainSettings {
    /// Source name (cursor key).
    pub source: String,
    /// Chain key of stored blocks.
    pub chain: String,
    /// First height when the store has nothing.
    pub start_height: Option<u64>,
    /// Blocks below the tip to start from when `start_height` is unset.
    pub backfill: u64,
    /// Blocks per transaction.
    pub batch_blocks: u64,
    /// Deepest automatic rollback.
    pub max_reorg_depth: u64,
}

/// The outcome of one poll of a chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainPoll {
    /// The node's tip height.
    pub tip: u64,
    /// The fork height rolled back from, if a reorg was found.
    pub reorg_from: Option<u64>,
    /// Whether the store has reached the node's tip.
    pub caught_up: bool,
    /// What the store did.
    pub applied: powermap_store::ApplyReport,
    /// The cursor written: the next height to fetch.
    pub cursor: u64,
}

/// One poll of `client` into `store` (see the module docs).
pub fn poll_chain(
    client: &mut dyn ChainClient,
    store: &mut Store,
    s: &ChainSettings,
) -> Result<ChainPoll> {
    let tip = client.tip_height()?;
    let cursor: Option<u64> = store
        .cursor(&s.source)?
        .and_then(|c| c.position.parse().ok());
    let stored_tip = store.tip(&s.chain)?;
    let mut rollback = None;
    let (next, mut prev) = match stored_tip {
        Some(st) => {
            if client.hash_at(st.height)?.as_deref() == Some(st.hash.as_str()) {
                let next = (st.height + 1).max(cursor.unwrap_or(0));
                (next, Some(st.hash))
            } else {
                // Walk back to the fork point.
                let mut fork = st.height;
                let mut prev = None;
                let mut below = st.height.checked_sub(1);
                while let Some(h) = below {
                    let Some(b) = store.block_at_or_below(&s.chain, h)? else {
                        break;
                    };
                    if st.height - b.height > s.max_reorg_depth {
                        return Err(FollowError::ReorgTooDeep {
                            chain: s.chain.clone(),
                            height: st.height,
                            limit: s.max_reorg_depth,
                        });
                    }
                    if client.hash_at(b.height)?.as_deref() == Some(b.hash.as_str()) {
                        prev = Some(b.hash);
                        break;
                    }
                    fork = b.height;
                    below = b.height.checked_sub(1);
                }
                rollback = Some((s.chain.clone(), fork));
                (fork, prev)
            }
        }
        None => {
            let next = match cursor {
                Some(c) => c,
                None => s
                    .start_height
                    .unwrap_or_else(|| tip.saturating_sub(s.backfill)),
            };
            (next, None)
        }
    };
    let end = tip.min(next.saturating_add(s.batch_blocks - 1));
    let mut blocks: Vec<BlockRecord> = Vec::new();
    let mut last = next.checked_sub(1);
    let mut h = next;
    let mut empty_tip = false;
    while h <= end {
        match client.block_at(h)? {
            // The tip always has a block; none there means the node's chain is empty or
            // moving: do not step the cursor over it.
            None if h >= tip => {
                empty_tip = true;
                break;
            }
            None => last = Some(h),
            Some(b) => {
                if let (Some(p), Some(bp)) = (&prev, &b.parent_hash) {
                    if p != bp {
                        if blocks.is_empty() && rollback.is_none() {
                            // The node just confirmed `p` at h-1 yet names another parent:
                            // inconsistent (or reorganising right now). Report it instead of
                            // polling in a loop; the next poll retries after the interval.
                            return Err(FollowError::Shape {
                                what: format!("{} block {h}", s.chain),
                                message: format!(
                                    "parent hash {bp} is not the hash {p} of block {}",
                                    h.saturating_sub(1)
                                ),
                            });
                        }
                        break; // reorg while fetching: the next poll walks back
                    }
                }
                prev = Some(b.hash.clone());
                blocks.push(b);
                last = Some(h);
            }
        }
        h += 1;
    }
    let reorg_from = rollback.as_ref().map(|r| r.1);
    let applied = store.apply(Batch {
        source: s.source.clone(),
        rollback,
        blocks,
        files: Vec::new(),
        // The cursor is the next height to fetch, written even when nothing was fetched (a
        // rollback moves it back).
        cursor: Some(last.map_or(next, |l| l + 1).to_string()),
    })?;
    Ok(ChainPoll {
        tip,
        reorg_from,
        caught_up: empty_tip || last.is_some_and(|l| l >= tip) || next > tip,
        applied,
        cursor: last.map_or(next, |l| l + 1),
    })
}

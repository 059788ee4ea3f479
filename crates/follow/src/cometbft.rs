//! CometBFT RPC of a Cosmos-SDK chain (`kind = "cometbft_rpc"`): one validator-set snapshot
//! per `snapshot_every` heights.
//!
//! Calls (JSON-RPC over URI GET; shapes: cometbft `rpc/core/types/responses.go`, 64-bit
//! integers as JSON strings):
//!
//! 1. `/status` → `sync_info.latest_block_height`, `earliest_block_height`. The snapshot key
//!    is the latest height rounded down to a multiple of `snapshot_every` (at least the
//!    earliest height the node keeps, and 1);
//! 2. `/blockchain?minHeight=H&maxHeight=H` → `block_metas[0].header.time`, the snapshot's time;
//! 3. `/validators?height=H&page=P&per_page=100` until `total` validators are read (the set at
//!    a fixed height does not change between pages; `rpc/core/consensus.go` `Validators`,
//!    pages of at most 100);
//! 4. `/net_info` → `peers[].remote_ip` (and `node_info.id`): the hosting of this node's peers.
//!    A node that hides the route (an HTTP 4xx or an RPC error, as proxies do) gives no peer
//!    observations; the validator set is still stored.
//!
//! Observations:
//!
//! | network | layer | subject | entity | weight |
//! |---|---|---|---|---|
//! | `<network>` | consensus | validator address (hex) | none | voting power |
//! | `<network>:peers` | infrastructure | `AS<n>` of the peer's IP | the same | 1 per peer |
//! | `<network>:peers` | geography | country of the peer's IP | the same | 1 per peer |
//!
//! The peers are the nodes this one is connected to, not the validators: validators usually
//! sit behind sentry nodes, and a node sees a bounded number of peers, so the `:peers`
//! network measures where the reachable network is hosted, as a crawl would, from one vantage
//! point. CometBFT exposes no link from a validator address to an IP.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use powermap_ipdb::IpDb;
use powermap_model::{Layer, Observation};
use serde_json::Value;

use crate::error::{shape, FollowError, Result};
use crate::http::HttpClient;
use crate::ipattr;
use crate::snapshot::{Snapshot, SnapshotClient};

/// Validators per `/validators` page (CometBFT's maximum).
pub const PER_PAGE: u64 = 100;

/// A CometBFT RPC node.
pub struct CometRpc {
    http: HttpClient,
    db: Arc<IpDb>,
    network: String,
    source: String,
    every: u64,
}

/// A JSON integer CometBFT-style: a string of digits (or a number).
fn int(v: Option<&Value>, what: &str) -> Result<u64> {
    match v {
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| shape(what, format!("`{s}` is not a whole number"))),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| shape(what, "not a whole number")),
        _ => Err(shape(what, "missing")),
    }
}

impl CometRpc {
    /// A client of `http`; one snapshot every `every` heights; observations of `network`
    /// (and `<network>:peers`), peer addresses placed with `db`.
    pub fn new(http: HttpClient, db: Arc<IpDb>, network: &str, source: &str, every: u64) -> Self {
        CometRpc {
            http,
            db,
            network: network.to_string(),
            source: source.to_string(),
            every: every.max(1),
        }
    }

    fn time_at(&mut self, height: u64) -> Result<DateTime<Utc>> {
        let what = "/blockchain";
        let r = self.http.get_rpc(&format!(
            "/blockchain?minHeight={height}&maxHeight={height}"
        ))?;
        let t = r
            .pointer("/block_metas/0/header/time")
            .and_then(Value::as_str)
            .ok_or_else(|| shape(what, format!("no block_metas[0].header.time for {height}")))?;
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| shape(what, format!("time `{t}`: {e}")))
    }

    fn validators(&mut self, height: u64) -> Result<Vec<(String, u64)>> {
        let what = "/validators";
        let mut out = Vec::new();
        for page in 1.. {
            let r = self.http.get_rpc(&format!(
                "/validators?height={height}&page={page}&per_page={PER_PAGE}"
            ))?;
            let total = int(r.get("total"), what)?;
            let list = r
                .get("validators")
                .and_then(Value::as_array)
                .ok_or_else(|| shape(what, "no `validators` array"))?;
            for (i, v) in list.iter().enumerate() {
                let address = v
                    .get("address")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape(what, format!("page {page} [{i}]: no `address`")))?;
                out.push((address.to_string(), int(v.get("voting_power"), what)?));
            }
            if out.len() as u64 >= total || list.is_empty() {
                if out.len() as u64 != total {
                    return Err(shape(
                        what,
                        format!("{} validators read, `total` says {total}", out.len()),
                    ));
                }
                break;
            }
        }
        Ok(out)
    }

    /// Peer node id → IP; `None` when the node hides `/net_info`.
    fn peers(&mut self) -> Result<Option<BTreeMap<String, String>>> {
        let r = match self.http.get_rpc("/net_info") {
            Ok(r) => r,
            Err(FollowError::Rpc { .. }) => return Ok(None),
            Err(FollowError::Http { message, .. }) if message.contains("HTTP 4") => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        let list = r
            .get("peers")
            .and_then(Value::as_array)
            .ok_or_else(|| shape("/net_info", "no `peers` array"))?;
        Ok(Some(
            list.iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let ip = p.get("remote_ip").and_then(Value::as_str)?;
                    let id = p
                        .pointer("/node_info/id")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("peer {i}"), str::to_string);
                    Some((id, ip.to_string()))
                })
                .collect(),
        ))
    }
}

impl SnapshotClient for CometRpc {
    fn current(&mut self) -> Result<u64> {
        let s = self.http.get_rpc("/status")?;
        let latest = int(s.pointer("/sync_info/latest_block_height"), "/status")?;
        let earliest = int(s.pointer("/sync_info/earliest_block_height"), "/status").unwrap_or(1);
        Ok((latest - latest % self.every)
            .max(earliest)
            .max(1)
            .min(latest))
    }

    fn take(&mut self, height: u64) -> Result<Option<Snapshot>> {
        let time = self.time_at(height)?;
        let validators = self.validators(height)?;
        let peers = self.peers()?;
        let mut observations = Vec::with_capacity(validators.len());
        for (address, power) in validators.into_iter().filter(|v| v.1 > 0) {
            observations.push(Observation {
                network: self.network.clone(),
                layer: Layer::Consensus,
                time,
                height: Some(height),
                subject: address,
                entity: None,
                weight: power as f64,
                source: Some(format!("{}; /validators at height {height}", self.source)),
            });
        }
        let peer_network = format!("{}:peers", self.network);
        for (id, ip) in peers.unwrap_or_default() {
            let p = ipattr::place(&self.db, ipattr::parse_addr(&ip), &self.source);
            let mut p = p;
            p.note = format!("{} (peer {id})", p.note);
            observations.extend(ipattr::located(&p, &peer_network, time, Some(height), 1.0));
        }
        Ok(Some(Snapshot {
            key: height,
            time,
            observations,
        }))
    }
}

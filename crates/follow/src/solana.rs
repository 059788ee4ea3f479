//! Solana JSON-RPC (`kind = "solana_rpc"`): one snapshot of stake per epoch.
//!
//! Calls (shapes: Agave `rpc-client-types/src/response.rs`, `RpcVoteAccountStatus`,
//! `RpcVoteAccountInfo`, `RpcContactInfo`; `solana_epoch_info::EpochInfo`):
//!
//! 1. `getEpochInfo` `{"commitment":"finalized"}` → `epoch`, `absoluteSlot`;
//! 2. `getVoteAccounts` `{"commitment":"finalized"}` → `current` and `delinquent` vote accounts:
//!    `votePubkey`, `nodePubkey` (identity), `activatedStake` (lamports);
//! 3. `getClusterNodes` → per identity `pubkey`, `gossip` (`ip:port`), `version`, `featureSet`
//!    and, on newer nodes, `clientId`;
//! 4. `getEpochInfo` again: if the epoch moved, the snapshot is discarded and retaken;
//! 5. `getBlockTime(absoluteSlot)` → the snapshot's time (the poll's wall clock when the node
//!    has no block time for that slot).
//!
//! Observations, **weight = activated stake in SOL** (lamports / 10⁹) in every layer, one per
//! staked vote account — delinquent ones included (the stake is still theirs), vote accounts
//! without activated stake and gossip nodes without a vote account (RPC nodes) excluded:
//!
//! | network | layer | subject | entity |
//! |---|---|---|---|
//! | `solana` | consensus | vote account | none (the registry may name operators) |
//! | `solana` | software | `client/version/fsFEATURESET` | the client ([`crate::solana_client`]) |
//! | `solana` | infrastructure | `AS<n>` of the gossip address | the same |
//! | `solana` | geography | country of the gossip address | the same |
//! | `solana:datacenter` | infrastructure | `AS<n>-<CC>` | the same |
//!
//! `AS<n>-<CC>` stands in for a data centre: an IP database knows the AS and country of an
//! address, not the building, so it groups every facility of one AS in one country — an upper
//! bound of any single facility's share. IP-based observations record the address, matched
//! prefixes and database ([`crate::ipattr`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use powermap_ipdb::IpDb;
use powermap_model::{Layer, Observation};
use serde_json::{json, Value};

use crate::error::{shape, Result};
use crate::http::HttpClient;
use crate::ipattr::{self, Placement};
use crate::snapshot::{Snapshot, SnapshotClient};
use crate::solana_client::software;

/// Lamports per SOL.
const LAMPORTS: f64 = 1e9;

/// A Solana RPC node.
pub struct SolanaRpc {
    http: HttpClient,
    db: Arc<IpDb>,
    network: String,
    source: String,
}

/// One staked vote account of `getVoteAccounts`.
#[derive(Debug, Clone, PartialEq)]
struct VoteAccount {
    vote: String,
    identity: String,
    lamports: u64,
}

/// One gossip entry of `getClusterNodes`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Node {
    gossip: Option<String>,
    version: Option<String>,
    feature_set: Option<u64>,
    client_id: Option<String>,
}

impl SolanaRpc {
    /// A client of `http`; observations are of `network` (and `<network>:datacenter`),
    /// addresses placed with `db`.
    pub fn new(http: HttpClient, db: Arc<IpDb>, network: &str, source: &str) -> Self {
        SolanaRpc {
            http,
            db,
            network: network.to_string(),
            source: source.to_string(),
        }
    }

    fn epoch_info(&mut self) -> Result<(u64, u64)> {
        let v = self
            .http
            .rpc("getEpochInfo", json!([{"commitment": "finalized"}]))?;
        let n = |k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| shape("getEpochInfo", format!("no `{k}`")))
        };
        Ok((n("epoch")?, n("absoluteSlot")?))
    }

    fn vote_accounts(&mut self) -> Result<Vec<VoteAccount>> {
        let v = self
            .http
            .rpc("getVoteAccounts", json!([{"commitment": "finalized"}]))?;
        let mut out = Vec::new();
        for list in ["current", "delinquent"] {
            let items = v
                .get(list)
                .and_then(Value::as_array)
                .ok_or_else(|| shape("getVoteAccounts", format!("no `{list}` array")))?;
            for (i, a) in items.iter().enumerate() {
                let field = |k: &str| {
                    a.get(k)
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            shape("getVoteAccounts", format!("{list}[{i}]: no `{k}` string"))
                        })
                };
                let lamports =
                    a.get("activatedStake")
                        .and_then(Value::as_u64)
                        .ok_or_else(|| {
                            shape(
                                "getVoteAccounts",
                                format!("{list}[{i}]: `activatedStake` is not a whole number"),
                            )
                        })?;
                out.push(VoteAccount {
                    vote: field("votePubkey")?,
                    identity: field("nodePubkey")?,
                    lamports,
                });
            }
        }
        Ok(out)
    }

    fn cluster_nodes(&mut self) -> Result<HashMap<String, Node>> {
        let v = self.http.rpc("getClusterNodes", json!([]))?;
        let items = v
            .as_array()
            .ok_or_else(|| shape("getClusterNodes", "the result is not an array"))?;
        let mut out = HashMap::with_capacity(items.len());
        for (i, n) in items.iter().enumerate() {
            let s = |k: &str| n.get(k).and_then(Value::as_str).map(str::to_string);
            let pubkey = s("pubkey")
                .ok_or_else(|| shape("getClusterNodes", format!("[{i}]: no `pubkey`")))?;
            let client_id = match n.get("clientId") {
                Some(Value::Number(x)) => Some(x.to_string()),
                Some(Value::String(x)) => Some(x.clone()),
                _ => None,
            };
            out.insert(
                pubkey,
                Node {
                    gossip: s("gossip"),
                    version: s("version"),
                    feature_set: n.get("featureSet").and_then(Value::as_u64),
                    client_id,
                },
            );
        }
        Ok(out)
    }

    fn block_time(&mut self, slot: u64) -> DateTime<Utc> {
        self.http
            .rpc("getBlockTime", json!([slot]))
            .ok()
            .and_then(|v| v.as_i64())
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .unwrap_or_else(Utc::now)
    }

    fn observations(
        &self,
        votes: &[VoteAccount],
        nodes: &HashMap<String, Node>,
        time: DateTime<Utc>,
    ) -> Vec<Observation> {
        let none = Node::default();
        let dc_network = format!("{}:datacenter", self.network);
        let mut out = Vec::with_capacity(votes.len() * 5);
        for v in votes.iter().filter(|v| v.lamports > 0) {
            let weight = v.lamports as f64 / LAMPORTS;
            let node = nodes.get(&v.identity).unwrap_or(&none);
            let sw = software(
                node.version.as_deref(),
                node.feature_set,
                node.client_id.as_deref(),
            );
            let obs = |network: &str, layer, subject: String, entity, source: String| Observation {
                network: network.to_string(),
                layer,
                time,
                height: None,
                subject,
                entity,
                weight,
                source: Some(source),
            };
            let label = format!("{}; identity {}", self.source, v.identity);
            out.push(obs(
                &self.network,
                Layer::Consensus,
                v.vote.clone(),
                None,
                label.clone(),
            ));
            out.push(obs(
                &self.network,
                Layer::Software,
                sw.subject,
                sw.client,
                label.clone(),
            ));
            let ip = node.gossip.as_deref().and_then(ipattr::parse_addr);
            let p: Placement = ipattr::place(&self.db, ip, &label);
            out.extend(ipattr::located(&p, &self.network, time, None, weight));
            let dc = match (&p.asn, &p.country) {
                (Some(a), Some(c)) => Some(format!("{a}-{c}")),
                _ => None,
            };
            let (subject, entity) = ipattr::known(&dc);
            out.push(obs(
                &dc_network,
                Layer::Infrastructure,
                subject,
                entity,
                p.note,
            ));
        }
        out
    }
}

impl SnapshotClient for SolanaRpc {
    fn current(&mut self) -> Result<u64> {
        Ok(self.epoch_info()?.0)
    }

    fn take(&mut self, epoch: u64) -> Result<Option<Snapshot>> {
        let votes = self.vote_accounts()?;
        let nodes = self.cluster_nodes()?;
        let (now, slot) = self.epoch_info()?;
        if now != epoch {
            return Ok(None);
        }
        let time = self.block_time(slot);
        Ok(Some(Snapshot {
            key: epoch,
            time,
            observations: self.observations(&votes, &nodes, time),
        }))
    }
}

//! A CometBFT RPC stand-in: `/status`, `/validators` (paged), `/blockchain` and `/net_info`
//! over URI GET, in CometBFT's shapes (`rpc/core/types/responses.go`; 64-bit integers as JSON
//! strings; errors as JSON-RPC error objects with HTTP 500, `rpc/jsonrpc/server/
//! http_uri_handler.go`; pages of `per_page` ≤ 100, default 30, `rpc/core/env.go`).
//!
//! [`CometChain::from_valsets`] feeds it from the shipped monthly validator sets
//! (`data/envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv`): the set at a height is the
//! newest shipped set at or below it, block times of shipped heights are the real ones.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{Handler, TestServer, DROP};

/// A validator set: block time of the height it starts at, `(address, voting power)`.
pub type ValidatorSet = (DateTime<Utc>, Vec<(String, u64)>);

/// What the fake node serves.
#[derive(Debug, Clone, PartialEq)]
pub struct CometChain {
    /// Chain id (`node_info.network`).
    pub chain_id: String,
    /// Latest height.
    pub latest: u64,
    /// Earliest height kept (pruning).
    pub earliest: u64,
    /// Validator sets: from this height on, these `(address, voting power)`, with the block
    /// time of that height.
    pub sets: BTreeMap<u64, ValidatorSet>,
    /// Peers: `(node id, remote IP)`.
    pub peers: Vec<(String, IpAddr)>,
}

impl CometChain {
    /// The sets of `chain` in the shipped CSV (`chain,block_height,block_time,
    /// validator_consensus_address,voting_power`); latest = the last set's height.
    pub fn from_valsets(path: &Path, chain: &str) -> std::io::Result<Self> {
        let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let text = std::fs::read_to_string(path)?;
        let mut sets: BTreeMap<u64, ValidatorSet> = BTreeMap::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 5 || f[0] != chain {
                continue;
            }
            let h: u64 = f[1]
                .parse()
                .map_err(|_| bad(format!("height `{}`", f[1])))?;
            let t = DateTime::parse_from_rfc3339(f[2])
                .map_err(|_| bad(format!("time `{}`", f[2])))?
                .with_timezone(&Utc);
            let p: u64 = f[4].parse().map_err(|_| bad(format!("power `{}`", f[4])))?;
            sets.entry(h)
                .or_insert_with(|| (t, Vec::new()))
                .1
                .push((f[3].to_string(), p));
        }
        let latest = *sets
            .keys()
            .next_back()
            .ok_or_else(|| bad(format!("no rows of chain `{chain}`")))?;
        for (_, set) in sets.values_mut() {
            // CometBFT's canonical order: voting power descending, then address.
            set.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        Ok(CometChain {
            chain_id: format!("{chain}-mainnet-1"),
            latest,
            earliest: 1,
            sets,
            peers: Vec::new(),
        })
    }

    /// Block time of `height`: exact at shipped heights, linear between them, 1 s per block
    /// after the last.
    pub fn time_at(&self, height: u64) -> DateTime<Utc> {
        let before = self.sets.range(..=height).next_back();
        let after = self.sets.range(height..).next();
        match (before, after) {
            (Some((h0, (t0, _))), Some((h1, (t1, _)))) if h1 > h0 => {
                let f = (height - h0) as f64 / (h1 - h0) as f64;
                let span = (*t1 - *t0).num_milliseconds() as f64;
                *t0 + chrono::Duration::milliseconds((span * f) as i64)
            }
            (Some((h0, (t0, _))), _) => *t0 + chrono::Duration::seconds((height - h0) as i64),
            (None, Some((h1, (t1, _)))) => *t1 - chrono::Duration::seconds((h1 - height) as i64),
            (None, None) => DateTime::UNIX_EPOCH,
        }
    }
}

#[derive(Debug, Default)]
struct Knobs {
    calls: BTreeMap<String, u64>,
    drop_next: u32,
    error_next: Option<(String, String)>,
    hide_net_info: bool,
}

struct State {
    chain: CometChain,
    knobs: Knobs,
}

/// The CometBFT RPC stand-in.
pub struct FakeCometNode {
    state: Arc<Mutex<State>>,
    server: TestServer,
}

impl FakeCometNode {
    /// Serves `chain` on a free loopback port.
    pub fn start(chain: CometChain) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            chain,
            knobs: Knobs::default(),
        }));
        let s = state.clone();
        let handler: Handler = Arc::new(move |_m, path, _b| answer(&s, path));
        Ok(FakeCometNode {
            state,
            server: TestServer::start(handler)?,
        })
    }

    /// The RPC URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Moves the chain's tip.
    pub fn set_latest(&self, height: u64) {
        self.with(|s| s.chain.latest = height);
    }

    /// Closes the next `n` connections without answering (a node restarting).
    pub fn drop_next(&self, n: u32) {
        self.with(|s| s.knobs.drop_next = n);
    }

    /// Answers the next call of `route` (e.g. `/validators`) with an internal error.
    pub fn error_next(&self, route: &str, data: &str) {
        self.with(|s| s.knobs.error_next = Some((route.into(), data.into())));
    }

    /// Answers `/net_info` with HTTP 403, as a proxy that hides it does.
    pub fn hide_net_info(&self) {
        self.with(|s| s.knobs.hide_net_info = true);
    }

    /// How often `route` was called.
    pub fn calls(&self, route: &str) -> u64 {
        self.with(|s| s.knobs.calls.get(route).copied().unwrap_or(0))
    }
}

fn query(path: &str) -> (&str, BTreeMap<&str, &str>) {
    let (route, q) = path.split_once('?').unwrap_or((path, ""));
    let params = q
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
        .collect();
    (route, params)
}

fn ok(result: Value) -> (u16, String) {
    (
        200,
        json!({"jsonrpc": "2.0", "id": -1, "result": result}).to_string(),
    )
}

fn internal(data: &str) -> (u16, String) {
    (
        500,
        json!({"jsonrpc": "2.0", "id": -1, "error": {"code": -32603, "message": "Internal error", "data": data}})
            .to_string(),
    )
}

fn hash(seed: u64) -> String {
    super::fake_hash(7, seed).to_uppercase()
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn answer(state: &Mutex<State>, path: &str) -> (u16, String) {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    if s.knobs.drop_next > 0 {
        s.knobs.drop_next -= 1;
        return (DROP, String::new());
    }
    let (route, q) = query(path);
    *s.knobs.calls.entry(route.to_string()).or_default() += 1;
    if s.knobs.error_next.as_ref().is_some_and(|e| e.0 == route) {
        let (_, data) = s.knobs.error_next.take().expect("checked");
        return internal(&data);
    }
    let c = &s.chain;
    let height = |key: &str| -> Result<u64, String> {
        let h = match q.get(key) {
            Some(v) => v.parse().map_err(|_| format!("invalid height `{v}`"))?,
            None => c.latest,
        };
        if h > c.latest {
            return Err(format!(
                "height {h} must be less than or equal to the current blockchain height {}",
                c.latest
            ));
        }
        if h < c.earliest {
            return Err(format!(
                "height {h} is not available, lowest height is {}",
                c.earliest
            ));
        }
        Ok(h)
    };
    match route {
        "/status" => ok(json!({
            "node_info": {
                "protocol_version": {"p2p": "8", "block": "11", "app": "0"},
                "id": "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
                "listen_addr": "tcp://0.0.0.0:26656",
                "network": c.chain_id,
                "version": "0.38.17",
                "channels": "40202122233038606100",
                "moniker": "powermap-fake",
                "other": {"tx_index": "on", "rpc_address": "tcp://127.0.0.1:26657"}
            },
            "sync_info": {
                "latest_block_hash": hash(c.latest),
                "latest_app_hash": hash(c.latest + 1),
                "latest_block_height": c.latest.to_string(),
                "latest_block_time": rfc(c.time_at(c.latest)),
                "earliest_block_hash": hash(c.earliest),
                "earliest_app_hash": hash(c.earliest + 1),
                "earliest_block_height": c.earliest.to_string(),
                "earliest_block_time": rfc(c.time_at(c.earliest)),
                "catching_up": false
            },
            "validator_info": {
                "address": "0000000000000000000000000000000000000000",
                "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                "voting_power": "0"
            }
        })),
        "/blockchain" => {
            let (lo, hi) = match (height("minHeight"), height("maxHeight")) {
                (Ok(lo), Ok(hi)) => (lo, hi),
                (Err(e), _) | (_, Err(e)) => return internal(&e),
            };
            let metas: Vec<Value> = (lo..=hi)
                .rev()
                .take(20)
                .map(|h| {
                    json!({
                        "block_id": {"hash": hash(h), "parts": {"total": 1, "hash": hash(h + 2)}},
                        "block_size": "2048",
                        "header": {
                            "version": {"block": "11", "app": "0"},
                            "chain_id": c.chain_id,
                            "height": h.to_string(),
                            "time": rfc(c.time_at(h)),
                            "last_block_id": {"hash": hash(h.saturating_sub(1)), "parts": {"total": 1, "hash": hash(h + 3)}},
                            "proposer_address": "0000000000000000000000000000000000000000"
                        },
                        "num_txs": "0"
                    })
                })
                .collect();
            ok(json!({"last_height": c.latest.to_string(), "block_metas": metas}))
        }
        "/validators" => {
            let h = match height("height") {
                Ok(h) => h,
                Err(e) => return internal(&e),
            };
            let Some((_, (_, set))) = c.sets.range(..=h).next_back() else {
                return internal(&format!("could not find validator set for height #{h}"));
            };
            let per_page = q
                .get("per_page")
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(30, |p| p.clamp(1, 100));
            let pages = set.len().div_ceil(per_page).max(1);
            let page = q.get("page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1);
            if page < 1 || page > pages {
                return internal(&format!(
                    "page should be within [1, {pages}] range, given {page}"
                ));
            }
            let list: Vec<Value> = set
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|(a, p)| {
                    json!({
                        "address": a,
                        "pub_key": {"type": "tendermint/PubKeyEd25519", "value": format!("{a}AAAA=")},
                        "voting_power": p.to_string(),
                        "proposer_priority": "0"
                    })
                })
                .collect();
            ok(json!({
                "block_height": h.to_string(),
                "validators": list,
                "count": list.len().to_string(),
                "total": set.len().to_string()
            }))
        }
        "/net_info" if s.knobs.hide_net_info => (403, "Forbidden".to_string()),
        "/net_info" => {
            let peers: Vec<Value> = c
                .peers
                .iter()
                .map(|(id, ip)| {
                    json!({
                        "node_info": {"id": id, "listen_addr": format!("tcp://{ip}:26656"), "network": c.chain_id, "version": "0.38.17", "moniker": id},
                        "is_outbound": true,
                        "connection_status": {"Duration": "3600000000000"},
                        "remote_ip": ip.to_string()
                    })
                })
                .collect();
            ok(json!({
                "listening": true,
                "listeners": ["Listener(@)"],
                "n_peers": peers.len().to_string(),
                "peers": peers
            }))
        }
        _ => (
            404,
            json!({"jsonrpc": "2.0", "id": -1, "error": {"code": -32601, "message": "Method not found"}})
                .to_string(),
        ),
    }
}

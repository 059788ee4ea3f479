//! A Solana JSON-RPC stand-in: `getEpochInfo`, `getVoteAccounts`, `getClusterNodes` and
//! `getBlockTime`, answering in Agave's shapes (`rpc-client-types/src/response.rs`:
//! `RpcVoteAccountStatus`, `RpcVoteAccountInfo`, `RpcContactInfo` with the newer `clientId`;
//! `EpochInfo`; errors as JSON-RPC error objects with HTTP 200, as Agave's server sends them).
//!
//! [`SolanaCluster::from_validators_app`] feeds it from the shipped validators.app dump
//! (`data/alpenglow-solana-sui/`): each validator's stake, delinquency, client and version, and
//! a gossip address drawn from its real AS's ranges in the IP database, in its country, so a
//! follower must recover AS and country through the database. Knobs make it misbehave: drop
//! connections, answer RPC errors, stall, or move to the next epoch after a given call.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use powermap_ipdb::IpDb;
use serde_json::{json, Value};

use super::{Handler, TestServer, DROP};

/// Slots per epoch on mainnet-beta.
pub const SLOTS_PER_EPOCH: u64 = 432_000;

/// One validator (vote account) and its gossip entry.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeValidator {
    /// Vote account.
    pub vote: String,
    /// Node identity.
    pub identity: String,
    /// Activated stake, lamports.
    pub lamports: u64,
    /// Listed under `delinquent`.
    pub delinquent: bool,
    /// Commission, percent.
    pub commission: u8,
    /// Gossip address (`None`: not in gossip).
    pub gossip: Option<IpAddr>,
    /// `version`.
    pub version: Option<String>,
    /// `featureSet`.
    pub feature_set: Option<u32>,
    /// `clientId` (`None`: the field is absent, as from older nodes).
    pub client_id: Option<String>,
}

/// What the fake node serves.
#[derive(Debug, Clone, PartialEq)]
pub struct SolanaCluster {
    /// Current epoch.
    pub epoch: u64,
    /// Unix time of the epoch's first slot (block times advance 0.4 s per slot from there).
    pub epoch_start: i64,
    /// The vote accounts.
    pub validators: Vec<FakeValidator>,
    /// Gossip nodes without a vote account (RPC nodes): `(identity, address)`.
    pub rpc_nodes: Vec<(String, IpAddr)>,
}

/// How the dump's client names map to the registry's client ids.
fn client_id(validators_app: &str, version: &str) -> Option<&'static str> {
    match validators_app {
        "JitoLabs" => Some("JitoLabs"),
        "Agave" => Some("Agave"),
        "Paladin" => Some("AgavePaladin"),
        // validators.app's "Firedancer" rows run 0.x releases: Frankendancer (client id 2).
        "Firedancer" if version.starts_with("0.") => Some("Frankendancer"),
        "Firedancer" => Some("Firedancer"),
        _ => None,
    }
}

/// Picks IPv4 addresses in a given AS and country from the IP database: the intersections
/// of the AS's ranges with the country's ranges, used in turn (one address each, then again).
pub struct AddressPicker {
    by_asn: HashMap<u32, Vec<(u32, u32)>>,
    by_country: HashMap<String, Vec<(u32, u32)>>,
    given: HashMap<(u32, String), usize>,
}

impl AddressPicker {
    /// Indexes the IPv4 ranges of `asns`, and every country's IPv4 ranges.
    pub fn new(db: &IpDb, asns: impl IntoIterator<Item = u32>) -> Self {
        let wanted: std::collections::HashSet<u32> = asns.into_iter().collect();
        let mut by_asn: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        for (s, e, asn) in db.asn_ranges() {
            if let (IpAddr::V4(s), IpAddr::V4(e), true) = (s, e, wanted.contains(&asn)) {
                by_asn
                    .entry(asn)
                    .or_default()
                    .push((u32::from(s), u32::from(e)));
            }
        }
        let mut by_country: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (s, e, cc) in db.country_ranges() {
            if let (IpAddr::V4(s), IpAddr::V4(e)) = (s, e) {
                by_country
                    .entry(cc.to_string())
                    .or_default()
                    .push((u32::from(s), u32::from(e)));
            }
        }
        AddressPicker {
            by_asn,
            by_country,
            given: HashMap::new(),
        }
    }

    /// Whether the database has an address routed by `asn` located in `country`.
    pub fn placeable(&self, asn: u32, country: &str) -> bool {
        let (Some(ranges), Some(cs)) = (self.by_asn.get(&asn), self.by_country.get(country)) else {
            return false;
        };
        ranges.iter().any(|&(s, e)| {
            let from = cs.partition_point(|r| r.1 < s);
            cs.get(from).is_some_and(|r| r.0 <= e)
        })
    }

    /// An address routed by `asn` and located in `country` (any address of the AS when the
    /// database has none there, or no country is asked for). `None` when the AS has no IPv4
    /// range.
    pub fn pick(&mut self, asn: u32, country: Option<&str>) -> Option<IpAddr> {
        let ranges = self.by_asn.get(&asn)?;
        let mut spots: Vec<(u32, u32)> = Vec::new();
        if let Some(cs) = country.and_then(|c| self.by_country.get(c)) {
            for &(s, e) in ranges {
                let from = cs.partition_point(|r| r.1 < s);
                spots.extend(
                    cs[from..]
                        .iter()
                        .take_while(|r| r.0 <= e)
                        .map(|r| (r.0.max(s), r.1.min(e))),
                );
            }
        }
        if spots.is_empty() {
            spots = ranges.clone();
        }
        let n = self
            .given
            .entry((asn, country.unwrap_or("").to_string()))
            .or_default();
        let (s, e) = spots[*n % spots.len()];
        // The (n / spots)-th address of the spot, so repeated picks differ.
        let offset = ((*n / spots.len()) as u64 * 7 + 1).min(u64::from(e - s));
        *n += 1;
        Some(IpAddr::V4(Ipv4Addr::from(s + offset as u32)))
    }
}

impl SolanaCluster {
    /// The cluster of a validators.app dump (`solana_validators_epoch860.csv`): epoch from the
    /// file, `epoch_start` the given time, gossip addresses drawn from each validator's AS and
    /// country in `db`; a validator the dump knows no AS for gossips from TEST-NET-1
    /// (192.0.2.0/24), which no database places.
    pub fn from_validators_app(path: &Path, db: &IpDb, epoch_start: i64) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let need = |name: &str| col(name).ok_or_else(|| bad(format!("no column {name}")));
        let (c_epoch, c_id, c_vote, c_stake, c_del, c_comm, c_client, c_ver, c_asn, c_cc) = (
            need("epoch")?,
            need("account")?,
            need("vote_account")?,
            need("active_stake_lamports")?,
            need("delinquent")?,
            need("commission")?,
            need("software_client")?,
            need("software_version")?,
            need("asn")?,
            need("country_code")?,
        );
        let rows: Vec<Vec<String>> = lines.map(split_csv).collect();
        let asns = rows.iter().filter_map(|r| r[c_asn].parse::<u32>().ok());
        let mut picker = AddressPicker::new(db, asns);
        let mut epoch = None;
        let mut validators = Vec::with_capacity(rows.len());
        for r in &rows {
            if epoch.is_none() {
                epoch = r[c_epoch].parse().ok();
            }
            let version = Some(r[c_ver].clone()).filter(|v| !v.is_empty());
            let cc = Some(r[c_cc].as_str()).filter(|c| !c.is_empty());
            let gossip = r[c_asn]
                .parse()
                .ok()
                .and_then(|a| picker.pick(a, cc))
                .or_else(|| Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, validators.len() as u8))));
            validators.push(FakeValidator {
                vote: r[c_vote].clone(),
                identity: r[c_id].clone(),
                lamports: r[c_stake]
                    .parse()
                    .map_err(|_| bad(format!("stake `{}`", r[c_stake])))?,
                delinquent: r[c_del] == "True",
                commission: r[c_comm].parse().unwrap_or(0),
                gossip,
                feature_set: version.as_deref().map(feature_set),
                client_id: client_id(&r[c_client], version.as_deref().unwrap_or(""))
                    .map(str::to_string),
                version,
            });
        }
        Ok(SolanaCluster {
            epoch: epoch.ok_or_else(|| bad("no epoch".into()))?,
            epoch_start,
            validators,
            rpc_nodes: Vec::new(),
        })
    }
}

/// A stable stand-in feature set per version (real ones are hashes of the feature ids).
fn feature_set(version: &str) -> u32 {
    version.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// One CSV line, with double-quoted fields (`""` inside quotes).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("one field").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("one field").push(c),
        }
    }
    out
}

/// Misbehaviour and call counts.
#[derive(Debug, Default)]
struct Knobs {
    calls: BTreeMap<String, u64>,
    drop_next: u32,
    error_next: Option<(String, i64, String)>,
    delay: Option<(String, Duration)>,
    /// After this many calls of this method, switch to this cluster (an epoch boundary).
    advance: Option<(String, u64, SolanaCluster)>,
}

struct State {
    cluster: SolanaCluster,
    knobs: Knobs,
}

/// The Solana RPC stand-in.
pub struct FakeSolanaNode {
    state: Arc<Mutex<State>>,
    server: TestServer,
}

impl FakeSolanaNode {
    /// Serves `cluster` on a free loopback port (TLS when `tls` is given).
    pub fn start(
        cluster: SolanaCluster,
        tls: Option<Arc<powermap_net::rustls::ServerConfig>>,
    ) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            cluster,
            knobs: Knobs::default(),
        }));
        let s = state.clone();
        let handler: Handler = Arc::new(move |_m, _p, body| answer(&s, body));
        let server = TestServer::bind("127.0.0.1:0", handler, tls)?;
        Ok(FakeSolanaNode { state, server })
    }

    /// The RPC URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Replaces what is served (e.g. the next epoch).
    pub fn set_cluster(&self, cluster: SolanaCluster) {
        self.with(|s| s.cluster = cluster);
    }

    /// What is served now.
    pub fn cluster(&self) -> SolanaCluster {
        self.with(|s| s.cluster.clone())
    }

    /// Closes the next `n` connections without answering (a node restarting).
    pub fn drop_next(&self, n: u32) {
        self.with(|s| s.knobs.drop_next = n);
    }

    /// Answers the next call of `method` with a JSON-RPC error.
    pub fn error_next(&self, method: &str, code: i64, message: &str) {
        self.with(|s| s.knobs.error_next = Some((method.into(), code, message.into())));
    }

    /// Stalls every call of `method` by `delay` before answering.
    pub fn delay(&self, method: &str, delay: Duration) {
        self.with(|s| s.knobs.delay = Some((method.into(), delay)));
    }

    /// After `calls` more calls of `method` have been answered, serves `next` (an epoch
    /// boundary in the middle of a poll).
    pub fn advance_after(&self, method: &str, calls: u64, next: SolanaCluster) {
        self.with(|s| {
            let done = s.knobs.calls.get(method).copied().unwrap_or(0);
            s.knobs.advance = Some((method.into(), done + calls, next));
        });
    }

    /// How often `method` was called.
    pub fn calls(&self, method: &str) -> u64 {
        self.with(|s| s.knobs.calls.get(method).copied().unwrap_or(0))
    }

    /// Every `Authorization` header received.
    pub fn authorizations(&self) -> Vec<String> {
        self.server.authorizations()
    }
}

fn answer(state: &Mutex<State>, body: &[u8]) -> (u16, String) {
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return (
            200,
            json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})
                .to_string(),
        );
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let method = req
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let delay = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        if s.knobs.drop_next > 0 {
            s.knobs.drop_next -= 1;
            return (DROP, String::new());
        }
        s.knobs
            .delay
            .as_ref()
            .filter(|d| d.0 == method)
            .map(|d| d.1)
    };
    if let Some(d) = delay {
        std::thread::sleep(d);
    }
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    *s.knobs.calls.entry(method.clone()).or_default() += 1;
    let err = |code: i64, message: &str| {
        (
            200,
            json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
                .to_string(),
        )
    };
    if s.knobs.error_next.as_ref().is_some_and(|e| e.0 == method) {
        let (_, code, message) = s.knobs.error_next.take().expect("checked");
        return err(code, &message);
    }
    let result = {
        let c = &s.cluster;
        let params = req.get("params").cloned().unwrap_or(json!([]));
        match method.as_str() {
            "getEpochInfo" => Some(epoch_info(c)),
            "getVoteAccounts" => Some(vote_accounts(c)),
            "getClusterNodes" => Some(cluster_nodes(c)),
            "getBlockTime" => params.get(0).and_then(Value::as_u64).map(|slot| {
                let first = c.epoch * SLOTS_PER_EPOCH;
                json!(c.epoch_start + (slot.saturating_sub(first) * 2 / 5) as i64)
            }),
            _ => return err(-32601, "Method not found"),
        }
    };
    let Some(result) = result else {
        return err(-32602, "Invalid params");
    };
    let due = s
        .knobs
        .advance
        .as_ref()
        .is_some_and(|(m, n, _)| *m == method && s.knobs.calls.get(m).copied() >= Some(*n));
    if due {
        let (_, _, next) = s.knobs.advance.take().expect("checked");
        s.cluster = next;
    }
    (
        200,
        json!({"jsonrpc": "2.0", "result": result, "id": id}).to_string(),
    )
}

/// `EpochInfo`: a fixed slot index a third into the epoch.
fn epoch_info(c: &SolanaCluster) -> Value {
    let index = SLOTS_PER_EPOCH / 3;
    json!({
        "absoluteSlot": c.epoch * SLOTS_PER_EPOCH + index,
        "blockHeight": c.epoch * SLOTS_PER_EPOCH * 9 / 10 + index,
        "epoch": c.epoch,
        "slotIndex": index,
        "slotsInEpoch": SLOTS_PER_EPOCH,
        "transactionCount": 412_000_000_000u64,
    })
}

fn vote_accounts(c: &SolanaCluster) -> Value {
    let slot = c.epoch * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH / 3;
    let info = |v: &FakeValidator| {
        let last = if v.delinquent { slot - 5_000 } else { slot };
        json!({
            "activatedStake": v.lamports,
            "commission": v.commission,
            "epochCredits": [[c.epoch, 5_000_000, 4_900_000]],
            "epochVoteAccount": true,
            "lastVote": last,
            "nodePubkey": v.identity,
            "rootSlot": last - 32,
            "votePubkey": v.vote,
        })
    };
    json!({
        "current": c.validators.iter().filter(|v| !v.delinquent).map(info).collect::<Vec<_>>(),
        "delinquent": c.validators.iter().filter(|v| v.delinquent).map(info).collect::<Vec<_>>(),
    })
}

fn contact(pubkey: &str, ip: Option<IpAddr>, version: Option<&str>, fs: Option<u32>) -> Value {
    let port = |p: u16| ip.map(|ip| format!("{ip}:{p}"));
    json!({
        "featureSet": fs,
        "gossip": port(8001),
        "pubkey": pubkey,
        "pubsub": null,
        "rpc": null,
        "serveRepair": port(8008),
        "shredVersion": 50093,
        "tpu": port(8003),
        "tpuForwards": port(8004),
        "tpuForwardsQuic": port(8010),
        "tpuQuic": port(8009),
        "tpuVote": port(8005),
        "tvu": port(8000),
        "version": version,
    })
}

fn cluster_nodes(c: &SolanaCluster) -> Value {
    let mut out: Vec<Value> = c
        .validators
        .iter()
        .filter(|v| v.gossip.is_some())
        .map(|v| {
            let mut n = contact(&v.identity, v.gossip, v.version.as_deref(), v.feature_set);
            if let Some(id) = &v.client_id {
                n["clientId"] = json!(id);
            }
            n
        })
        .collect();
    for (id, ip) in &c.rpc_nodes {
        let mut n = contact(id, Some(*ip), Some("2.3.8"), Some(feature_set("2.3.8")));
        n["rpc"] = json!(format!("{ip}:8899"));
        out.push(n);
    }
    Value::Array(out)
}

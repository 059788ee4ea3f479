//! The `cometbft_rpc` source against a loopback node answering in CometBFT's RPC shapes
//! (`crates/follow/src/fake/cometbft.rs` cites them), fed from the shipped Cosmos validator
//! sets: every snapshot must reproduce the voting-power shares of the set it was taken at.

use std::collections::BTreeMap;
use std::path::PathBuf;

use powermap_follow::fake::cometbft::{CometChain, FakeCometNode};
use powermap_follow::Follower;
use powermap_model::{Layer, Observation};
use powermap_store::Store;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

const VALSETS: &str = "envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv";

fn config(url: &str, network: &str, extra: &str) -> String {
    format!(
        "[[source]]\nkind = \"cometbft_rpc\"\nurl = \"{url}\"\nnetwork = \"{network}\"\nsnapshot_every = 10000\nretries = 2\n{extra}"
    )
}

fn observations(store: &mut Store, network: &str, layer: Layer) -> Vec<Observation> {
    let mut out = Vec::new();
    store
        .observations(network, layer, None, None, &mut |o| {
            out.push(o);
            Ok(())
        })
        .unwrap();
    out
}

/// Share of each subject.
fn shares<'a>(obs: impl Iterator<Item = &'a Observation>) -> BTreeMap<String, f64> {
    let obs: Vec<&Observation> = obs.collect();
    let total: f64 = obs.iter().map(|o| o.weight).sum();
    let mut out = BTreeMap::new();
    for o in obs {
        *out.entry(o.subject.clone()).or_default() += o.weight / total;
    }
    out
}

fn close(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>, tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| (v - w).abs() <= tol))
}

#[test]
fn every_shipped_validator_set_is_reproduced() {
    for chain in ["dydx", "sei"] {
        let c = CometChain::from_valsets(&data(VALSETS), chain).unwrap();
        let heights: Vec<u64> = c.sets.keys().copied().filter(|&h| h > 1).collect();
        let node = FakeCometNode::start(c).unwrap();
        let mut f = Follower::from_toml(&config(&node.url(), chain, "")).unwrap();
        let mut store = Store::open("sqlite::memory:").unwrap();
        for &h in &heights {
            // The tip a little past the shipped height: the snapshot key rounds down to it.
            node.set_latest(h + 4_321);
            let rep = f.poll_once(&mut store).unwrap();
            let s = &rep.sources[0];
            assert_eq!(s.error, None, "{chain} {h}");
            assert_eq!(s.cursor, Some(h));
            // Polling again at the same tip stores nothing.
            let again = f.poll_once(&mut store).unwrap();
            assert_eq!(again.sources[0].applied.observations_inserted, 0);
        }
        let ours = observations(&mut store, chain, Layer::Consensus);
        let shipped: Vec<Observation> =
            powermap_sources::read("cosmos_valsets", &data(VALSETS), None)
                .unwrap()
                .map(Result::unwrap)
                .filter(|o| o.network == chain)
                .collect();
        for &h in &heights {
            let a = shares(ours.iter().filter(|o| o.height == Some(h)));
            let b = shares(shipped.iter().filter(|o| o.height == Some(h)));
            assert!(!a.is_empty() && close(&a, &b, 1e-12), "{chain} at {h}");
            // The snapshot's time is the block time of its height (the store keeps µs).
            let t = ours.iter().find(|o| o.height == Some(h)).unwrap().time;
            let t0 = shipped.iter().find(|o| o.height == Some(h)).unwrap().time;
            assert_eq!(
                t.timestamp_micros(),
                t0.timestamp_micros(),
                "{chain} at {h}"
            );
        }
        assert_eq!(
            store
                .blocks(&format!("{chain}-valsets"), 0, u64::MAX)
                .unwrap()
                .len(),
            heights.len()
        );
    }
}

#[test]
fn paging_peers_and_errors() {
    // Cosmos Hub's 180 bonded validators on 2024-02-20 (the shipped token dump): consensus
    // power = tokens / 10⁶ (the SDK's power reduction), two pages of 100.
    let dump = "envoylabs-cosmos/cosmos_validator_tokens_2024-02-20.csv";
    let tokens: Vec<Observation> = powermap_sources::read("cosmos_validators", &data(dump), None)
        .unwrap()
        .map(Result::unwrap)
        .filter(|o| o.network == "cosmoshub")
        .collect();
    assert_eq!(tokens.len(), 180);
    let height = tokens[0].height.unwrap();
    let set: Vec<(String, u64)> = tokens
        .iter()
        .map(|o| (o.subject.clone(), (o.weight / 1e6) as u64))
        .collect();
    let db = powermap_ipdb::IpDb::builtin().unwrap();
    let peers = ["3.120.0.10", "1.0.0.1", "10.1.1.1"]
        .iter()
        .enumerate()
        .map(|(i, ip)| (format!("peer{i}"), ip.parse().unwrap()))
        .collect();
    let chain = CometChain {
        chain_id: "cosmoshub-4".into(),
        latest: height,
        earliest: 1,
        sets: BTreeMap::from([(height, (tokens[0].time, set))]),
        peers,
    };
    let node = FakeCometNode::start(chain).unwrap();
    // `snapshot_every` twice is a config error naming the field.
    let err = Follower::from_toml(&config(&node.url(), "cosmoshub", "snapshot_every = 1\n"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("snapshot_every"), "{err}");
    let cfg = format!(
        "[[source]]\nkind = \"cometbft_rpc\"\nurl = \"{}\"\nnetwork = \"cosmoshub\"\nsnapshot_every = 1\nretries = 2\n",
        node.url()
    );
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();

    // An RPC error (HTTP 500 with CometBFT's error object): reported with its detail.
    node.error_next(
        "/validators",
        "height 19000000 is not available, lowest height is 1",
    );
    let rep = follower.poll_once(&mut store).unwrap();
    let e = rep.sources[0].error.clone().unwrap();
    assert!(
        e.contains(
            "/validators: RPC error -32603: Internal error: height 19000000 is not available"
        ),
        "{e}"
    );
    assert!(store
        .blocks("cosmoshub-valsets", 0, u64::MAX)
        .unwrap()
        .is_empty());

    // The node restarts while the pages are read: retries carry the poll through.
    node.drop_next(2);
    let before = node.calls("/validators");
    let rep = follower.poll_once(&mut store).unwrap();
    assert_eq!(rep.sources[0].error, None);
    assert_eq!(node.calls("/validators") - before, 2, "two pages of 100");
    let ours = observations(&mut store, "cosmoshub", Layer::Consensus);
    assert_eq!(ours.len(), 180);
    // Token shares vs. consensus-power shares: equal up to the power reduction's rounding.
    assert!(close(&shares(ours.iter()), &shares(tokens.iter()), 1e-6));

    // Peers: one node per peer, AS and country from the IP database with the matched prefix;
    // a private address is unknown.
    let infra = observations(&mut store, "cosmoshub:peers", Layer::Infrastructure);
    let by: BTreeMap<String, f64> = shares(infra.iter());
    assert_eq!(infra.len(), 3);
    assert!(by.contains_key("AS13335") && by.contains_key("AS16509") && by.contains_key("unknown"));
    let note = infra[0].source.as_deref().unwrap();
    assert!(
        note.contains("; ip-location-db 2026-06-17 (peer "),
        "{note}"
    );
    assert_eq!(
        observations(&mut store, "cosmoshub:peers", Layer::Geography).len(),
        3
    );
    assert_eq!(db.label(), "ip-location-db 2026-06-17");

    // A node behind a proxy that hides /net_info: the validator set is still stored, with
    // no peer observations.
    node.hide_net_info();
    node.set_latest(height + 1);
    let rep = follower.poll_once(&mut store).unwrap();
    assert_eq!(rep.sources[0].error, None);
    assert_eq!(rep.sources[0].applied.observations_inserted, 180);
}

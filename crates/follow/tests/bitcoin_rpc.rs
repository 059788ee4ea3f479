//! The Bitcoin Core RPC source against a local server answering in Bitcoin Core's documented
//! `getblock` verbosity-2 shape, built from real mainnet coinbases (EDI's sample raw data):
//! attribution must equal EDI's reference mapping for those blocks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use powermap_follow::fake::{
    edi_sample_coinbases, synthetic_blocks, FakeBitcoinNode, FakeBlock, TestServer,
    EDI_BITCOIN_SAMPLE,
};
use powermap_follow::http::HttpClient;
use powermap_follow::Follower;
use powermap_model::{Layer, Observation};
use powermap_store::Store;
use serde_json::{json, Value};

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/edi-samples")
}

fn edi_blocks() -> Vec<FakeBlock> {
    edi_sample_coinbases(EDI_BITCOIN_SAMPLE)
        .into_iter()
        .enumerate()
        .map(|(i, (number, time, coinbase))| FakeBlock {
            hash: powermap_follow::fake::fake_hash(0, i as u64),
            time,
            coinbase,
            edi_number: Some(number),
        })
        .collect()
}

fn all_obs(store: &mut Store, network: &str) -> Vec<Observation> {
    let mut v = Vec::new();
    store
        .observations(network, Layer::Consensus, None, None, &mut |o| {
            v.push(o);
            Ok(())
        })
        .unwrap();
    v.sort_by_key(|o| o.height);
    v
}

fn config(url: &str, extra: &str) -> String {
    format!(
        "[[source]]\nkind = \"bitcoin_rpc\"\nurl = \"{url}\"\nnetwork = \"bitcoin\"\nstart_height = 0\npoll_interval = \"0s\"\n{extra}\n"
    )
}

#[test]
fn attribution_matches_edi_reference_mapping() {
    let blocks = edi_blocks();
    assert_eq!(blocks.len(), 13);
    let node = FakeBitcoinNode::start(blocks.clone()).unwrap();
    let mapping = reference().join("input/mapping_information");
    let cfg = config(&node.url(), &format!("mapping = \"{}\"", mapping.display()));
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    let rep = follower.poll_once(&mut store).unwrap();
    assert_eq!(rep.sources[0].error, None);
    assert!(rep.sources[0].caught_up);
    assert_eq!(rep.sources[0].applied.blocks_inserted, 13);

    // EDI's own output for these blocks (clustering on): number → creator.
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(reference().join(
            "runs/snapshot_pw1__clustering-true/processed_data/bitcoin/mapped_data_clustered.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let creator: BTreeMap<String, String> = reference
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["number"].as_str().unwrap().to_string(),
                b["creator"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let obs = all_obs(&mut store, "bitcoin");
    assert_eq!(obs.len(), 13);
    let mut checked = 0;
    for (o, b) in obs.iter().zip(&blocks) {
        let number = b.edi_number.as_ref().unwrap();
        let ours = o.entity.clone().unwrap_or_else(|| o.subject.clone());
        assert_eq!(
            Some(&ours),
            creator.get(number),
            "block {number}: subject {}",
            o.subject
        );
        assert_eq!(o.source.as_deref(), Some("bitcoin_rpc-bitcoin"));
        checked += 1;
    }
    assert_eq!(checked, 13);
    assert!(obs.iter().any(|o| o.entity.as_deref() == Some("Bitmain")));
}

#[test]
fn builtin_registry_and_reorg_over_http() {
    let node = FakeBitcoinNode::start(synthetic_blocks(0, 0, 120, 1_700_000_000)).unwrap();
    let mut follower = Follower::from_toml(&config(&node.url(), "batch_blocks = 50")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&format!("sqlite:{}", dir.path().join("w.db").display())).unwrap();
    for _ in 0..10 {
        if follower.poll_once(&mut store).unwrap().sources[0].caught_up {
            break;
        }
    }
    assert_eq!(store.tip("bitcoin").unwrap().unwrap().height, 119);
    // Attributed with the built-in EDI mapping: most sample blocks have a known pool.
    let obs = all_obs(&mut store, "bitcoin");
    let attributed = obs.iter().filter(|o| o.entity.is_some()).count();
    eprintln!("{attributed} of {} attributed", obs.len());
    assert!(attributed > 40, "{attributed}");

    // Reorg 7 deep, new branch 10 long.
    node.reorg(113, synthetic_blocks(1, 113, 10, 1_700_000_000));
    let rep = follower.poll_once(&mut store).unwrap();
    let s = &rep.sources[0];
    assert_eq!(s.error, None);
    assert_eq!(s.reorg_from, Some(113));
    assert_eq!(
        (s.applied.blocks_removed, s.applied.blocks_inserted),
        (7, 10)
    );
    let stored: Vec<String> = store
        .blocks("bitcoin", 0, 1000)
        .unwrap()
        .into_iter()
        .map(|b| b.hash)
        .collect();
    let remote: Vec<String> = node.blocks().into_iter().map(|b| b.hash).collect();
    assert_eq!(stored, remote);
    assert_eq!(all_obs(&mut store, "bitcoin").len(), 123);
    let st = store.stats().unwrap();
    assert_eq!(st.sources[0].cursor.as_deref(), Some("123"));
}

#[test]
fn transient_errors_are_retried_with_backoff() {
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let server = TestServer::start(Arc::new(move |_m, _p, _b| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            (503, "busy".to_string())
        } else {
            (
                200,
                json!({"result": {"blocks": 7}, "error": null, "id": 1}).to_string(),
            )
        }
    }))
    .unwrap();
    let mut http = HttpClient::new(
        &server.url(),
        Duration::from_secs(5),
        3,
        Duration::from_millis(10),
        Some("user:pass"),
    );
    let v = http.rpc("getblockchaininfo", json!([])).unwrap();
    assert_eq!(v["blocks"], 7);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // Out of retries: the error names the endpoint.
    calls.store(0, Ordering::SeqCst);
    let mut http = HttpClient::new(
        &server.url(),
        Duration::from_secs(5),
        1,
        Duration::from_millis(10),
        None,
    );
    let e = http.rpc("getblockchaininfo", json!([])).unwrap_err();
    assert!(e.to_string().contains("503"), "{e}");
}

#[test]
fn rpc_errors_and_unreachable_nodes_are_reported_per_source() {
    let node = FakeBitcoinNode::start(synthetic_blocks(0, 0, 3, 1_700_000_000)).unwrap();
    let cfg = format!(
        "{}\n[[source]]\nname = \"dead\"\nkind = \"bitcoin_rpc\"\nurl = \"http://127.0.0.1:9\"\nretries = 0\ntimeout = \"1s\"\n",
        config(&node.url(), "")
    );
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    let rep = follower.poll_once(&mut store).unwrap();
    assert_eq!(rep.sources.len(), 2);
    assert_eq!(rep.sources[0].error, None);
    assert!(rep.sources[1].error.is_some());
    assert_eq!(follower.error_counts()[1], ("dead".to_string(), 1));
    assert_eq!(store.tip("bitcoin").unwrap().unwrap().height, 2);
}

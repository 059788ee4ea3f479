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
        Some(powermap_net::Auth::Basic {
            user: "user".into(),
            password: "pass".into(),
        }),
        None,
    )
    .unwrap();
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
        None,
    )
    .unwrap();
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

/// A real mainnet block of 2009-01-14 (a coinbase and one payment spending three outputs), as
/// consensus bytes, copied from the `bitcoin` crate's own test vector (`block_test` in
/// `bitcoin-0.32/src/blockdata/block.rs`, CC0). Its real height is not in the vector; the
/// fake node serves it at height 170.
const BLOCK_2009: &str = "010000004ddccd549d28f385ab457e98d1b11ce80bfea2c5ab93015ade4973e400000000bf4473e53794beae34e64fccc471dace6ae544180816f89591894e0f417a914cd74d6e49ffff001d323b3a7b0201000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0804ffff001d026e04ffffffff0100f2052a0100000043410446ef0102d1ec5240f0d061a4246c1bdef63fc3dbab7733052fbbf0ecd8f41fc26bf049ebb4f9527f374280259e7cfa99c48b0e3f39c51347a19a5819651503a5ac00000000010000000321f75f3139a013f50f315b23b0c9a2b6eac31e2bec98e5891c924664889942260000000049483045022100cb2c6b346a978ab8c61b18b5e9397755cbd17d6eb2fe0083ef32e067fa6c785a02206ce44e613f31d9a6b0517e46f3db1576e9812cc98d159bfdaf759a5014081b5c01ffffffff79cda0945903627c3da1f85fc95d0b8ee3e76ae0cfdc9a65d09744b1f8fc85430000000049483045022047957cdd957cfd0becd642f6b84d82f49b6cb4c51a91f49246908af7c3cfdf4a022100e96b46621f1bffcf5ea5982f88cef651e9354f5791602369bf5a82a6cd61a62501fffffffffe09f5fe3ffbf5ee97a54eb5e5069e9da6b4856ee86fc52938c2f979b0f38e82000000004847304402204165be9a4cbab8049e1af9723b96199bfd3e85f44c6b4c0177e3962686b26073022028f638da23fc003760861ad481ead4099312c60030d4cb57820ce4d33812a5ce01ffffffff01009d966b01000000434104ea1feff861b51fe3f5f8a3b12d0f4712db80e919548a80839fc47c6a21e66d957e9c5d8cd108c7a2d2324bad71f9904ac0ae7336507d785b17a2c115e427a32fac00000000";

fn from_crate(block: &bitcoin::Block) -> FakeBlock {
    let cb = &block.txdata[0];
    FakeBlock {
        hash: block.block_hash().to_string(),
        time: i64::from(block.header.time),
        coinbase: powermap_follow::fake::Coinbase {
            script_hex: cb.input[0]
                .script_sig
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            // Bitcoin Core prints no address for pay-to-pubkey outputs (all of 2009's).
            outputs: cb
                .output
                .iter()
                .map(|o| {
                    let addr =
                        bitcoin::Address::from_script(&o.script_pubkey, bitcoin::Network::Bitcoin)
                            .ok()
                            .map(|a| a.to_string());
                    (o.value.to_btc(), addr)
                })
                .collect(),
        },
        edi_number: None,
    }
}

#[test]
fn real_blocks_decoded_with_the_bitcoin_crate() {
    use bitcoin::consensus::deserialize;
    let genesis = bitcoin::blockdata::constants::genesis_block(bitcoin::Network::Bitcoin);
    let bytes: Vec<u8> = (0..BLOCK_2009.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&BLOCK_2009[i..i + 2], 16).unwrap())
        .collect();
    let b2009: bitcoin::Block = deserialize(&bytes).unwrap();
    assert!(b2009.check_merkle_root());
    assert_eq!(b2009.header.time, 1_231_965_655);
    // Heights 1..169 are stand-ins; 0 (genesis) and 170 are the real blocks.
    let mut chain = vec![from_crate(&genesis)];
    chain.extend(synthetic_blocks(0, 1, 169, 1_231_006_505));
    chain.push(from_crate(&b2009));
    let node = FakeBitcoinNode::start(chain).unwrap();
    let mut follower = Follower::from_toml(&config(&node.url(), "")).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    let rep = follower.poll_once(&mut store).unwrap();
    assert_eq!(rep.sources[0].error, None);
    assert_eq!(rep.sources[0].tip, Some(170));

    for (height, block) in [(0u64, &genesis), (170, &b2009)] {
        let stored = store.block("bitcoin", height).unwrap().unwrap();
        assert_eq!(stored.hash, block.block_hash().to_string());
        assert_eq!(stored.time.timestamp(), i64::from(block.header.time));
    }
    assert_eq!(
        store.block_hash("bitcoin", 0).unwrap().as_deref(),
        Some("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
    );
    let obs = all_obs(&mut store, "bitcoin");
    // Pay-to-pubkey coinbases carry no address and no pool tag: EDI's undefined producer.
    for h in [0, 170] {
        let o = obs.iter().find(|o| o.height == Some(h)).unwrap();
        assert_eq!(o.subject, "----- UNDEFINED BLOCK PRODUCER -----");
        assert_eq!(o.entity, None);
    }
    assert_eq!(obs.len(), 171);
}

//! The beacon source against a local server answering the standard beacon-API JSON shapes
//! (no beacon node installs from the package registries here), and the dropped-files source.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use powermap_follow::fake::TestServer;
use powermap_follow::Follower;
use powermap_model::{Layer, Observation};
use powermap_store::Store;
use serde_json::json;

const GENESIS: i64 = 1_606_824_023; // mainnet beacon genesis

/// slot → (root, proposer index); missing slots are empty.
type Slots = Arc<Mutex<BTreeMap<u64, (String, u64)>>>;

fn root(fork: u64, slot: u64) -> String {
    format!("0x{}", powermap_follow::fake::fake_hash(fork, slot))
}

fn creds(index: u64) -> String {
    format!("0x01{:0>22}{:040x}", "", 0xabc000 + index % 5)
}

fn header(slots: &BTreeMap<u64, (String, u64)>, slot: u64) -> serde_json::Value {
    let (r, proposer) = &slots[&slot];
    let parent = slots
        .range(..slot)
        .next_back()
        .map_or("0x00".to_string(), |(_, (p, _))| p.clone());
    json!({
        "execution_optimistic": false,
        "finalized": false,
        "data": {
            "root": r,
            "canonical": true,
            "header": {
                "message": {
                    "slot": slot.to_string(),
                    "proposer_index": proposer.to_string(),
                    "parent_root": parent,
                    "state_root": "0x11",
                    "body_root": "0x22"
                },
                "signature": "0x33"
            }
        }
    })
}

fn beacon_server(slots: Slots) -> TestServer {
    TestServer::start(Arc::new(move |_m, path, _b| {
        let s = slots.lock().unwrap();
        let not_found = || {
            (
                404,
                json!({"code": 404, "message": format!("NOT_FOUND: {path}")}).to_string(),
            )
        };
        if path == "/eth/v1/beacon/genesis" {
            return (200, json!({"data": {"genesis_time": GENESIS.to_string(),
                "genesis_validators_root": "0x4b36", "genesis_fork_version": "0x00000000"}}).to_string());
        }
        if path == "/eth/v1/config/spec" {
            return (200, json!({"data": {"SECONDS_PER_SLOT": "12", "SLOTS_PER_EPOCH": "32"}}).to_string());
        }
        if let Some(id) = path.strip_prefix("/eth/v1/beacon/headers/") {
            let slot = if id == "head" {
                *s.keys().next_back().unwrap()
            } else {
                match id.parse::<u64>() {
                    Ok(v) if s.contains_key(&v) => v,
                    _ => return not_found(),
                }
            };
            return (200, header(&s, slot).to_string());
        }
        if let Some(i) = path.strip_prefix("/eth/v1/beacon/states/head/validators/") {
            let Ok(i) = i.parse::<u64>() else {
                return not_found();
            };
            return (200, json!({"execution_optimistic": false, "finalized": false, "data": {
                "index": i.to_string(), "balance": "32000000000", "status": "active_ongoing",
                "validator": {"pubkey": format!("0x{i:096x}"), "withdrawal_credentials": creds(i),
                    "effective_balance": "32000000000", "slashed": false,
                    "activation_eligibility_epoch": "0", "activation_epoch": "0",
                    "exit_epoch": "18446744073709551615", "withdrawable_epoch": "18446744073709551615"}}}).to_string());
        }
        not_found()
    }))
    .unwrap()
}

fn all_obs(store: &mut Store, network: &str) -> Vec<Observation> {
    let mut v = Vec::new();
    store
        .observations(network, Layer::Consensus, None, None, &mut |o| {
            v.push(o);
            Ok(())
        })
        .unwrap();
    v
}

#[test]
fn beacon_proposers_with_empty_slots_and_a_reorg() {
    let slots: Slots = Arc::new(Mutex::new(
        (0..=20u64)
            .filter(|s| ![4, 9, 10].contains(s))
            .map(|s| (s, (root(0, s), s * 7 % 11)))
            .collect(),
    ));
    let server = beacon_server(slots.clone());
    let cfg = format!(
        "[[source]]\nkind = \"beacon\"\nurl = \"{}\"\nstart_height = 0\nbatch_blocks = 8\n",
        server.url()
    );
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    for _ in 0..10 {
        let rep = follower.poll_once(&mut store).unwrap();
        assert_eq!(rep.sources[0].error, None);
        if rep.sources[0].caught_up {
            break;
        }
    }
    let obs = all_obs(&mut store, "ethereum");
    assert_eq!(obs.len(), 18, "21 slots, 3 empty");
    for o in &obs {
        let slot = o.height.unwrap();
        assert_eq!(o.subject, creds(slot * 7 % 11));
        assert_eq!(o.time.timestamp(), GENESIS + slot as i64 * 12);
    }
    assert_eq!(store.tip("ethereum-beacon").unwrap().unwrap().height, 20);

    // Reorg: slots 17.. replaced (slot 18 now empty), head moves to 23.
    {
        let mut s = slots.lock().unwrap();
        s.retain(|k, _| *k < 17);
        for slot in [17, 19, 20, 21, 22, 23] {
            s.insert(slot, (root(1, slot), 100 + slot));
        }
    }
    let rep = follower.poll_once(&mut store).unwrap();
    let r = &rep.sources[0];
    assert_eq!(r.error, None);
    assert_eq!(r.reorg_from, Some(17));
    assert_eq!(r.applied.blocks_removed, 4);
    let stored: Vec<u64> = store
        .blocks("ethereum-beacon", 0, 100)
        .unwrap()
        .into_iter()
        .map(|b| b.height)
        .collect();
    let expected: Vec<u64> = slots.lock().unwrap().keys().copied().collect();
    assert_eq!(stored, expected);
    assert_eq!(all_obs(&mut store, "ethereum").len(), expected.len());
    assert_eq!(r.cursor, Some(24));
}

#[test]
fn dropped_files_ingest_once_and_bad_files_are_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    let cfg = format!(
        "[[source]]\nname = \"drops\"\nkind = \"dir\"\npath = \"{}\"\n",
        drop.display()
    );
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let csv = "network,layer,time,subject,weight\n\
               cosmos,consensus,2024-01-01T00:00:00Z,val1,10\n\
               cosmos,consensus,2024-01-02T00:00:00Z,val2,5\n";
    std::fs::write(drop.join("a.csv"), csv).unwrap();
    std::fs::write(drop.join("ignored.txt"), "not an observation file").unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    let rep = follower.poll_once(&mut store).unwrap();
    let r = &rep.sources[0];
    assert_eq!(r.error, None);
    assert_eq!(r.files_ingested, vec!["a.csv".to_string()]);
    assert_eq!(r.applied.observations_inserted, 2);
    assert_eq!(r.applied.touched.len(), 2);
    assert!(drop.join("ingested/a.csv").exists());
    assert!(drop.join("ignored.txt").exists());

    // The same content again under another name: stored once.
    std::fs::write(drop.join("b.csv"), csv).unwrap();
    // A bad file: nothing of it is stored.
    std::fs::write(
        drop.join("c.csv"),
        "network,layer,time,subject,weight\ncosmos,consensus,2024-01-03T00:00:00Z,val3,-1\n",
    )
    .unwrap();
    let rep = follower.poll_once(&mut store).unwrap();
    let r = &rep.sources[0];
    assert_eq!(r.applied.files_skipped, 1);
    assert_eq!(r.applied.observations_inserted, 0);
    assert_eq!(r.files_failed.len(), 1);
    assert!(
        r.files_failed[0].1.contains("weight"),
        "{:?}",
        r.files_failed
    );
    assert!(drop.join("ingested/b.csv").exists());
    assert!(drop.join("failed/c.csv").exists());
    assert!(drop.join("failed/c.csv.error.txt").exists());
    assert_eq!(all_obs(&mut store, "cosmos").len(), 2);
    let st = store.stats().unwrap();
    assert_eq!(st.files, 1);
    assert_eq!(st.sources[0].source, "drops");
}

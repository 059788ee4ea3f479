//! Durability: an ingest process (the `follow-ingest` binary) following the fake Bitcoin Core
//! node is SIGKILLed at random moments, at least 20 times, restarted each time; the chain
//! also reorganises half-way. At the end the store must hold every block of the node's chain
//! exactly once, each with exactly one observation, and the cursor must be the next height.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use powermap_follow::fake::{synthetic_blocks, FakeBitcoinNode};
use powermap_model::Layer;
use powermap_store::Store;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn spawn(store: &str, config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_follow-ingest"))
        .args(["--store", store, "--config"])
        .arg(config)
        .arg("--until-caught-up")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting follow-ingest")
}

/// Runs `run(store URL, scratch dir)` on a fresh SQLite file, then on a fresh PostgreSQL
/// database when `POWERMAP_TEST_POSTGRES` is set (a killed client's open transaction is rolled
/// back by the server when the connection drops).
fn on_both_stores(name: &str, run: impl Fn(&str, &std::path::Path)) {
    let dir = tempfile::tempdir().unwrap();
    run(
        &format!("sqlite:{}", dir.path().join("watch.db").display()),
        dir.path(),
    );
    match std::env::var("POWERMAP_TEST_POSTGRES") {
        Ok(base) => {
            let name = format!("powermap_{name}_{}", std::process::id());
            let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
            let dir = tempfile::tempdir().unwrap();
            run(&url, dir.path());
        }
        Err(_) => eprintln!("PostgreSQL run skipped: POWERMAP_TEST_POSTGRES is not set"),
    }
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    on_both_stores("sigkill", kill_and_restart);
}

fn kill_and_restart(store_url: &str, dir: &std::path::Path) {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("sigkill test seed {seed}");
    let mut rng = Rng(seed);
    const T0: i64 = 1_700_000_000;
    let mut len = 4000u64;
    let node = FakeBitcoinNode::start(synthetic_blocks(0, 0, len, T0)).unwrap();
    let store_url = store_url.to_string();
    let config = dir.join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\nkind = \"bitcoin_rpc\"\nurl = \"{}\"\nnetwork = \"bitcoin\"\nstart_height = 0\nbatch_blocks = 25\npoll_interval = \"0s\"\n",
            node.url()
        ),
    )
    .unwrap();

    let started = Instant::now();
    let mut kills = 0;
    let mut reorged = false;
    for round in 0..80 {
        if kills >= 24 || started.elapsed() > Duration::from_secs(240) {
            break;
        }
        let mut child = spawn(&store_url, &config);
        std::thread::sleep(Duration::from_millis(rng.range(15, 250)));
        match child.try_wait().unwrap() {
            Some(_) => {
                // It caught up before we killed it: grow the chain so there is more to do.
                node.extend(synthetic_blocks(0, len, 1500, T0));
                len += 1500;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
        if round >= 10 && !reorged {
            // Reorganise 15 blocks below what the store already holds (so the rollback path
            // runs under the kills too), with a branch 20 blocks longer.
            let tip = Store::open(&store_url)
                .unwrap()
                .tip("bitcoin")
                .unwrap()
                .map_or(0, |b| b.height);
            if tip > 30 {
                let at = tip - 15;
                node.reorg(at, synthetic_blocks(1, at, len - at + 20, T0));
                len += 20;
                reorged = true;
            }
        }
    }
    assert!(kills >= 20, "only {kills} kills landed mid-ingest");
    assert!(reorged, "the reorg never happened");

    // Final run, not killed; bounded.
    let mut child = spawn(&store_url, &config);
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("final ingest did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());

    let mut store = Store::open(&store_url).unwrap();
    let remote: Vec<String> = node.blocks().into_iter().map(|b| b.hash).collect();
    let stored: Vec<(u64, String)> = store
        .blocks("bitcoin", 0, u64::MAX)
        .unwrap()
        .into_iter()
        .map(|b| (b.height, b.hash))
        .collect();
    assert_eq!(stored.len(), remote.len(), "every block, once");
    for (i, (h, hash)) in stored.iter().enumerate() {
        assert_eq!(*h, i as u64);
        assert_eq!(hash, &remote[i], "height {h}");
    }
    let mut heights = Vec::new();
    store
        .observations("bitcoin", Layer::Consensus, None, None, &mut |o| {
            heights.push(o.height.unwrap());
            Ok(())
        })
        .unwrap();
    heights.sort_unstable();
    assert_eq!(heights, (0..remote.len() as u64).collect::<Vec<_>>());
    assert_eq!(
        store
            .cursor("bitcoin_rpc-bitcoin")
            .unwrap()
            .unwrap()
            .position,
        remote.len().to_string()
    );
    eprintln!(
        "{store_url}: {kills} SIGKILLs, {} blocks, reorg handled: {reorged}",
        remote.len()
    );
}

/// Durability of snapshot sources: `follow-ingest` following the loopback Solana node (the
/// shipped epoch-860 validators, 962 staked vote accounts) is SIGKILLed at random moments —
/// while it loads, while it fetches and while it writes a snapshot — and restarted; the node
/// moves to a new epoch between rounds. Every stored epoch must be whole (all 962 × 5
/// observations, its exact stake), none twice, and the cursor the last epoch.
#[test]
fn sigkill_during_a_solana_snapshot_loses_and_duplicates_nothing() {
    on_both_stores("sigkill_snap", snapshot_kills);
}

fn snapshot_kills(store_url: &str, dir: &std::path::Path) {
    use powermap_follow::fake::solana::{FakeSolanaNode, SolanaCluster};

    let db = powermap_ipdb::IpDb::builtin().unwrap();
    let dump = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/alpenglow-solana-sui/solana_validators_epoch860.csv");
    let base = SolanaCluster::from_validators_app(&dump, &db, 1_759_708_800).unwrap();
    let at_epoch = |e: u64| {
        let mut c = base.clone();
        c.epoch = e;
        c.epoch_start = 1_759_708_800 + (e as i64 - 860) * 2 * 86_400;
        // Stake moves a little every epoch, so each epoch's total is its own.
        for (i, v) in c
            .validators
            .iter_mut()
            .enumerate()
            .filter(|(_, v)| v.lamports > 0)
        {
            v.lamports += (e - 860) * (i as u64 % 7) * 1_000_000_000;
        }
        c
    };
    let expected_stake =
        |c: &SolanaCluster| -> f64 { c.validators.iter().map(|v| v.lamports as f64 / 1e9).sum() };
    let node = FakeSolanaNode::start(at_epoch(860), None).unwrap();
    node.delay("getVoteAccounts", Duration::from_millis(60));
    node.delay("getClusterNodes", Duration::from_millis(60));
    let store_url = store_url.to_string();
    let config = dir.join("watch.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\nkind = \"solana_rpc\"\nurl = \"{}\"\npoll_interval = \"0s\"\n",
            node.url()
        ),
    )
    .unwrap();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("snapshot sigkill test seed {seed}");
    let mut rng = Rng(seed);
    let mut served = vec![860u64];
    let (mut kills, mut mid_snapshot) = (0, 0);
    let started = Instant::now();
    for round in 0..60 {
        if mid_snapshot >= 8 && kills >= 20 || started.elapsed() > Duration::from_secs(180) {
            break;
        }
        if round % 3 == 2 {
            let e = served.last().unwrap() + 1;
            node.set_cluster(at_epoch(e));
            served.push(e);
        }
        let before = node.calls("getVoteAccounts");
        let stored_before = Store::open(&store_url)
            .map(|mut s| s.blocks("solana-epochs", 0, u64::MAX).unwrap().len())
            .unwrap_or(0);
        let mut child = spawn(&store_url, &config);
        if round % 2 == 0 {
            // Anywhere: while it starts, loads the IP database, fetches or writes.
            std::thread::sleep(Duration::from_millis(rng.range(100, 1500)));
        } else {
            // Inside a snapshot: once the node has answered its first getVoteAccounts (each
            // big call stalls 60 ms), within the next 0–200 ms: fetching, or writing.
            let deadline = Instant::now() + Duration::from_secs(30);
            while node.calls("getVoteAccounts") == before
                && Instant::now() < deadline
                && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(Duration::from_millis(rng.range(0, 200)));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            let stored = Store::open(&store_url)
                .unwrap()
                .blocks("solana-epochs", 0, u64::MAX)
                .unwrap()
                .len();
            if node.calls("getVoteAccounts") > before && stored == stored_before {
                mid_snapshot += 1;
            }
        }
    }
    assert!(kills >= 10, "only {kills} kills landed");
    assert!(
        mid_snapshot >= 3,
        "only {mid_snapshot} kills landed mid-snapshot"
    );

    // A last run, not killed, takes the current epoch.
    let mut child = spawn(&store_url, &config);
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "final ingest did not finish");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());

    let mut store = Store::open(&store_url).unwrap();
    let epochs: Vec<u64> = store
        .blocks("solana-epochs", 0, u64::MAX)
        .unwrap()
        .iter()
        .map(|b| b.height)
        .collect();
    assert_eq!(epochs.last(), served.last(), "the current epoch is stored");
    let mut per_time: std::collections::BTreeMap<i64, (u64, f64)> = Default::default();
    store
        .observations("solana", Layer::Consensus, None, None, &mut |o| {
            let e = per_time.entry(o.time.timestamp()).or_default();
            e.0 += 1;
            e.1 += o.weight;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        per_time.len(),
        epochs.len(),
        "one snapshot per stored epoch"
    );
    for (&e, (n, stake)) in epochs.iter().zip(per_time.values()) {
        assert!(served.contains(&e));
        assert_eq!(*n, 962, "epoch {e}: every staked vote account, once");
        let want = expected_stake(&at_epoch(e));
        assert!((stake - want).abs() < 1e-3, "epoch {e}: {stake} vs {want}");
    }
    for (network, layer) in [
        ("solana", Layer::Software),
        ("solana", Layer::Infrastructure),
        ("solana", Layer::Geography),
        ("solana:datacenter", Layer::Infrastructure),
    ] {
        let mut n = 0u64;
        store
            .observations(network, layer, None, None, &mut |_| {
                n += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 962 * epochs.len() as u64, "{network} {layer:?}");
    }
    assert_eq!(
        store.cursor("solana_rpc-solana").unwrap().unwrap().position,
        epochs.last().unwrap().to_string()
    );
    eprintln!(
        "{kills} SIGKILLs ({mid_snapshot} mid-snapshot), epochs served {served:?}, stored {epochs:?}"
    );
}

//! The Ethereum JSON-RPC source against a real node: Hardhat Network from the npm registry
//! (`tests/hardhat/`, installed by `.ci/run` with `npm ci`). Blocks are mined under chosen
//! coinbases (`hardhat_setCoinbase`, `evm_mine`), and a real reorg is made with
//! `evm_snapshot` / `evm_revert`.
//!
//! Skips with a message when `tests/hardhat/node_modules` is missing, unless
//! `POWERMAP_REQUIRE_HARDHAT` is set (as `.ci/run` does).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use powermap_follow::http::HttpClient;
use powermap_follow::Follower;
use powermap_model::{Layer, Observation};
use powermap_store::Store;
use serde_json::{json, Value};

const BEAVER: &str = "0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5";
const B69: &str = "0x690b9a9e9aa1c9db991c7721a92d351db4fac990";
const NOBODY: &str = "0x00000000000000000000000000000000000c0ffe";

/// The hardhat node's process group, killed on drop.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let pid = self.0.id() as i32;
        // npx starts node as a child: end the whole process group we created.
        kill_group(pid);
        let _ = self.0.wait();
    }
}

fn kill_group(pgid: i32) {
    // `unsafe_code` is forbidden in this workspace; use the `kill` command instead.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_hardhat() -> Option<(Node, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/hardhat");
    if !dir.join("node_modules/.bin/hardhat").exists() {
        if std::env::var_os("POWERMAP_REQUIRE_HARDHAT").is_some() {
            panic!(
                "POWERMAP_REQUIRE_HARDHAT is set but {} has no node_modules (run npm ci there)",
                dir.display()
            );
        }
        eprintln!(
            "skipping: no Hardhat in {} (run `npm ci` there, as .ci/run does)",
            dir.display()
        );
        return None;
    }
    let port = free_port();
    let child = Command::new("npx")
        .args([
            "--no-install",
            "hardhat",
            "node",
            "--hostname",
            "127.0.0.1",
            "--port",
        ])
        .arg(port.to_string())
        .current_dir(&dir)
        .env("HARDHAT_DISABLE_TELEMETRY_PROMPT", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("starting npx hardhat node");
    let node = Node(child);
    let url = format!("http://127.0.0.1:{port}");
    let mut http =
        HttpClient::new(&url, Duration::from_secs(2), 0, Duration::ZERO, None, None).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while http.rpc("eth_blockNumber", json!([])).is_err() {
        assert!(
            Instant::now() < deadline,
            "hardhat node did not answer within 90 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    Some((node, url))
}

fn mine(http: &mut HttpClient, coinbase: &str) {
    http.rpc("hardhat_setCoinbase", json!([coinbase])).unwrap();
    http.rpc("evm_mine", json!([])).unwrap();
}

fn all_obs(store: &mut Store) -> Vec<Observation> {
    let mut v = Vec::new();
    store
        .observations("ethereum", Layer::Consensus, None, None, &mut |o| {
            v.push(o);
            Ok(())
        })
        .unwrap();
    v.sort_by_key(|o| o.height);
    v
}

fn sync(follower: &mut Follower, store: &mut Store) -> powermap_follow::SourceReport {
    for _ in 0..20 {
        let rep = follower.poll_once(store).unwrap();
        let s = rep.sources.into_iter().next().unwrap();
        assert_eq!(s.error, None);
        if s.caught_up {
            return s;
        }
    }
    panic!("not caught up after 20 polls");
}

#[test]
fn follows_a_real_hardhat_node_with_chosen_coinbases_and_a_reorg() {
    let Some((_node, url)) = start_hardhat() else {
        return;
    };
    let mut http = HttpClient::new(
        &url,
        Duration::from_secs(10),
        2,
        Duration::from_millis(100),
        None,
        None,
    )
    .unwrap();
    for cb in [BEAVER, BEAVER, B69] {
        mine(&mut http, cb);
    }
    let snapshot = http.rpc("evm_snapshot", json!([])).unwrap();
    for cb in [NOBODY, BEAVER] {
        mine(&mut http, cb);
    }
    let cfg = format!(
        "[[source]]\nkind = \"eth_rpc\"\nurl = \"{url}\"\nnetwork = \"ethereum\"\nstart_height = 1\nbatch_blocks = 2\npoll_interval = \"0s\"\n"
    );
    let mut follower = Follower::from_toml(&cfg).unwrap();
    let mut store = Store::open("sqlite::memory:").unwrap();
    let rep = sync(&mut follower, &mut store);
    assert_eq!(rep.tip, Some(5));
    let obs = all_obs(&mut store);
    let subjects: Vec<&str> = obs.iter().map(|o| o.subject.as_str()).collect();
    assert_eq!(subjects, [BEAVER, BEAVER, B69, NOBODY, BEAVER]);
    // Attributed with EDI's Ethereum address list (built in); the unknown address is not.
    assert_eq!(obs[0].entity.as_deref(), Some("beaverbuild"));
    assert_eq!(obs[2].entity.as_deref(), Some("builder0x69"));
    assert_eq!(obs[3].entity, None);
    // Stored hashes are the node's.
    for h in 1..=5u64 {
        let b: Value = http
            .rpc("eth_getBlockByNumber", json!([format!("0x{h:x}"), false]))
            .unwrap();
        assert_eq!(
            store.block_hash("ethereum", h).unwrap().as_deref(),
            b["hash"].as_str()
        );
    }

    // A real reorg: back to block 3, then a different branch of 3 blocks.
    assert_eq!(
        http.rpc("evm_revert", json!([snapshot])).unwrap(),
        json!(true)
    );
    for cb in [B69, B69, NOBODY] {
        mine(&mut http, cb);
    }
    let mut rep = follower.poll_once(&mut store).unwrap().sources.remove(0);
    assert_eq!(rep.error, None);
    assert_eq!(rep.reorg_from, Some(4));
    assert_eq!(rep.applied.blocks_removed, 2);
    if !rep.caught_up {
        rep = sync(&mut follower, &mut store);
    }
    assert_eq!(rep.cursor, Some(7));
    let subjects: Vec<String> = all_obs(&mut store).into_iter().map(|o| o.subject).collect();
    assert_eq!(subjects, [BEAVER, BEAVER, B69, B69, B69, NOBODY]);
}

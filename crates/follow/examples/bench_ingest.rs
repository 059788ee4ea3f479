//! Ingest throughput (BENCHMARKS.md, "Watch ingest"):
//!
//! ```text
//! cargo run --release -p powermap-follow --example bench_ingest -- bitcoin [BLOCKS] [--store URL]
//! cargo run --release -p powermap-follow --example bench_ingest -- eth RPC_URL [BLOCKS] [--store URL]
//! ```
//!
//! `bitcoin` serves BLOCKS blocks (default 20 000; real mainnet coinbases) from the local fake
//! Bitcoin Core node in this process; `eth` first mines BLOCKS blocks (default 5 000) on a
//! running Hardhat node with `evm_mine`, then follows it. The store is a fresh SQLite file
//! unless `--store` names another (e.g. a PostgreSQL URL). Batches of 500 blocks.

use std::time::{Duration, Instant};

use powermap_follow::fake::{synthetic_blocks, FakeBitcoinNode};
use powermap_follow::http::HttpClient;
use powermap_follow::Follower;
use powermap_store::Store;
use serde_json::json;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let store_url = args.iter().position(|a| a == "--store").map(|i| {
        let v = args[i + 1].clone();
        args.drain(i..=i + 1);
        v
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let store_url =
        store_url.unwrap_or_else(|| format!("sqlite:{}", dir.path().join("bench.db").display()));
    let mode = args.first().map(String::as_str).unwrap_or("bitcoin");
    let (_node, url, n, kind) = match mode {
        "bitcoin" => {
            let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
            let node = FakeBitcoinNode::start(synthetic_blocks(0, 0, n, 1_700_000_000))
                .expect("fake node");
            let url = node.url();
            (Some(node), url, n, "bitcoin_rpc")
        }
        "eth" => {
            let url = args.get(1).expect("eth needs the node URL").clone();
            let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5_000);
            let t = Instant::now();
            let mut http =
                HttpClient::new(&url, Duration::from_secs(60), 0, Duration::ZERO, None, None)
                    .expect("client");
            let before = http
                .rpc("eth_blockNumber", json!([]))
                .expect("eth_blockNumber");
            let before =
                u64::from_str_radix(before.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
            // One evm_mine per block: blocks from `hardhat_mine` report parentHash 0x00…0
            // (Hardhat reserves them lazily), which the follower rightly rejects.
            for _ in 0..n {
                http.rpc("evm_mine", json!([])).expect("evm_mine");
            }
            eprintln!(
                "mined {n} blocks after {before} in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            (None, url, n, "eth_rpc")
        }
        other => panic!("unknown mode {other} (bitcoin or eth)"),
    };
    let network = if kind == "bitcoin_rpc" {
        "bitcoin"
    } else {
        "ethereum"
    };
    let cfg = format!(
        "[[source]]\nkind = \"{kind}\"\nurl = \"{url}\"\nnetwork = \"{network}\"\nstart_height = 1\nbatch_blocks = 500\npoll_interval = \"0s\"\n"
    );
    let mut follower = Follower::from_toml(&cfg).expect("config");
    let mut store = Store::open(&store_url).expect("store");
    let started = Instant::now();
    let mut blocks = 0;
    loop {
        let rep = follower.poll_once(&mut store).expect("poll");
        let s = &rep.sources[0];
        if let Some(e) = &s.error {
            panic!("{e}");
        }
        blocks += s.applied.blocks_inserted;
        if s.caught_up {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{mode}: {blocks} blocks (of {n} requested) into {} in {secs:.2} s = {:.0} blocks/s",
        store.backend(),
        blocks as f64 / secs
    );
}

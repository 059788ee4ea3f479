//! `powermap watch` end to end: the real binary with the built-in source, a SQLite store and a
//! webhook to a local receiver. Polls `/healthz` (bounded), scrapes `/metrics`, checks that a
//! constraint violation reaches the receiver in Alertmanager's shape, and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use powermap_model::Layer;

use crate::util::example;

/// A webhook receiver on 127.0.0.1: every POST body goes to the channel; answers 200.
fn receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut s) = stream else { continue };
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let l = line.to_ascii_lowercase();
                if let Some(v) = l.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if tx.send(String::from_utf8(body).unwrap()).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

/// `GET path` on `addr`: `(status, body)`.
fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

/// Kills the service if the test fails midway.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `powermap watch --config CONFIG` in `dir` (log in `dir/log`) and returns it with the
/// address it bound, read from its first line of stdout (bounded).
fn start(dir: &std::path::Path, config: &std::path::Path) -> (Guard, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_powermap"))
        .args(["watch", "--config", &config.display().to_string()])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(dir.join("log")).unwrap()))
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let stdout = guard.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            panic!("no listening line; log:\n{log}")
        });
    let addr = line
        .strip_prefix("powermap watch: listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    (guard, addr)
}

#[test]
fn watch_serves_metrics_and_fires_a_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, bodies) = receiver();
    let config = dir.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            r#"
policy = "{policy}"
interval = "1s"

[server]
listen = "127.0.0.1:0"

[store]
url = "sqlite:{db}"

[alerts]
webhook = "{hook}"
repeat_interval = "1h"
timeout = "5s"

[[source]]
kind = "builtin"
"#,
            policy = example("bitcoin.toml"),
            db = dir.path().join("powermap.db").display(),
        ),
    )
    .unwrap();
    let (mut guard, addr) = start(dir.path(), &config);
    let log = || std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();

    // Ready once the first cycle has analysed the data (bounded).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some((200, body)) = get(&addr, "/healthz") {
            assert!(body.contains("\"status\":\"ok\""), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "never healthy; log:\n{}", log());
        std::thread::sleep(Duration::from_millis(200));
    }

    let (status, metrics) = get(&addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"powermap_metric{network="bitcoin",layer="consensus",metric="nakamoto_coefficient"} 3"#),
        "{metrics}"
    );
    assert!(metrics.contains("powermap_top_share{network=\"bitcoin\",layer=\"consensus\"} 0.3089"));
    assert!(metrics.contains(
        "powermap_ingest_errors_total{source=\"builtin-bitcoin-pools\",network=\"bitcoin\"} 0"
    ));
    assert!(
        metrics.contains("powermap_alerts_firing{severity=\"critical\"} 1"),
        "{metrics}"
    );

    // The example policy's violated `fail` constraint reaches the webhook.
    let body = bodies
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("no webhook; log:\n{}", log()));
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["version"], "4");
    assert_eq!(payload["status"], "firing");
    let alerts = payload["alerts"].as_array().unwrap();
    let a = alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == "majority-needs-four-owners")
        .unwrap_or_else(|| panic!("{payload}"));
    assert_eq!(a["labels"]["severity"], "critical");
    assert_eq!(a["labels"]["network"], "bitcoin");
    assert_eq!(a["fingerprint"].as_str().unwrap().len(), 16);
    assert!(payload["externalURL"].as_str().unwrap().contains(&addr));

    // Deduplicated: the next cycles (every second) do not send it again.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        bodies.try_recv().is_err(),
        "repeated within repeat_interval"
    );

    // The alert history is kept in the store and served.
    let (_, alerts) = get(&addr, "/api/v1/alerts").unwrap();
    let v: serde_json::Value = serde_json::from_str(&alerts).unwrap();
    assert_eq!(v["alerts"].as_array().unwrap().len(), 3, "{v}");
    let events: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"fired") && events.contains(&"notified"),
        "{events:?}"
    );

    // SIGTERM: a clean exit within a bound.
    let pid = guard.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "did not stop on SIGTERM; log:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}; log:\n{}", log());
    let log = log();
    assert!(log.contains(r#""message":"stopped""#), "{log}");
    // Each cycle logs how many windows it recomputed and reused.
    assert!(
        log.contains(r#""windows_recomputed":"#) && log.contains(r#""windows_reused":"#),
        "{log}"
    );
    // Structured logs: every line is JSON.
    for l in log.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|_| panic!("not JSON: {l}"));
    }
    assert!(dir.path().join("powermap.db").exists());
}

/// `powermap watch` following a loopback Solana RPC node fed from the shipped epoch-860 dump:
/// the per-layer shares served by the API (and the top shares in `/metrics`) equal
/// `powermap import solana_validators` on the same validators, the delegation-program policy is
/// evaluated, and its early warning reaches an HTTPS webhook trusted through a throw-away CA.
///
/// "The same validators": the node serves the dump's rows whose AS and country the IP
/// database can reproduce (5.5 % of stake sits where validators.app and the database place
/// an AS in different countries; `crates/follow/tests/solana_rpc.rs` pins that gap).
#[test]
fn watch_follows_a_solana_node_and_alerts_over_https() {
    use powermap_follow::fake::solana::{FakeSolanaNode, SolanaCluster};
    use powermap_follow::fake::TestServer;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let db = powermap_ipdb::IpDb::builtin().unwrap();
    let dump_path =
        crate::util::repo().join("data/alpenglow-solana-sui/solana_validators_epoch860.csv");
    let full = SolanaCluster::from_validators_app(&dump_path, &db, 1_759_708_800).unwrap();
    let text = std::fs::read_to_string(&dump_path).unwrap();
    let mut lines = text.lines();
    let mut kept = vec![lines.next().unwrap().to_string()];
    for (line, v) in lines.zip(&full.validators) {
        let hit = v.gossip.map(|ip| db.lookup(ip)).unwrap_or_default();
        let (asn, cc) = (
            hit.asn.map(|a| a.asn.to_string()),
            hit.country.map(|c| c.code),
        );
        // Columns 11 and 12 are `asn` and `country_code` (names before them hold no commas
        // in these rows only when the line splits into 19 fields).
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 19 && asn.as_deref() == Some(f[11]) && cc.as_deref() == Some(f[12]) {
            kept.push(line.to_string());
        }
    }
    let same = dir.path().join("same_validators.csv");
    std::fs::write(&same, kept.join("\n") + "\n").unwrap();
    let cluster = SolanaCluster::from_validators_app(&same, &db, 1_759_708_800).unwrap();
    assert!(
        cluster.validators.len() > 850,
        "{}",
        cluster.validators.len()
    );
    let node = FakeSolanaNode::start(cluster, None).unwrap();

    // The HTTPS receiver.
    let pki = powermap_net::test_pki::loopback();
    let ca = pki.write_ca(dir.path());
    let (tx, bodies) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let hook = TestServer::start_tls(
        Arc::new(move |_m: &str, _p: &str, body: &[u8]| {
            let _ = tx
                .lock()
                .unwrap()
                .send(String::from_utf8_lossy(body).into_owned());
            (200, "{}".to_string())
        }),
        pki.server.clone(),
    )
    .unwrap();

    // What `powermap import` says about the same validators.
    let o = crate::util::powermap(
        &[
            "import",
            "solana_validators",
            same.to_str().unwrap(),
            "--out",
            "sol.csv",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", crate::util::text(&o).1);
    let import: Vec<powermap_model::Observation> =
        powermap_ingest::read_file(dir.path().join("sol.csv"))
            .unwrap()
            .map(Result::unwrap)
            .collect();

    let config = dir.path().join("watch.toml");
    std::fs::write(
        &config,
        format!(
            r#"
policy = "{policy}"
interval = "1s"
# One snapshot per epoch (≈ 2 days): day windows hold one snapshot each.
window = "1d"

[server]
listen = "127.0.0.1:0"

[store]
url = "sqlite:{db}"

[alerts]
webhook = "{hook}/hook"
ca_file = "{ca}"
repeat_interval = "1h"
timeout = "5s"

[[source]]
kind = "solana_rpc"
url = "{node}"
poll_interval = "1s"
"#,
            policy = example("solana-sfdp.toml"),
            db = dir.path().join("powermap.db").display(),
            hook = hook.url(),
            ca = ca.display(),
            node = node.url(),
        ),
    )
    .unwrap();
    let (_guard, addr) = start(dir.path(), &config);
    let log = || std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();

    // Shares per layer from the API, once the snapshot is analysed (bounded).
    let shares = |layer: &str| -> Option<BTreeMap<String, f64>> {
        let (status, body) = get(
            &addr,
            &format!("/api/v1/shares?network=solana&layer={layer}&limit=10000"),
        )?;
        if status != 200 {
            return None;
        }
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        Some(
            v["entities"]
                .as_array()?
                .iter()
                .map(|e| {
                    (
                        e["name"].as_str().unwrap().to_string(),
                        e["share"].as_f64().unwrap(),
                    )
                })
                .collect(),
        )
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while shares("consensus").is_none() {
        assert!(Instant::now() < deadline, "never analysed; log:\n{}", log());
        std::thread::sleep(Duration::from_millis(200));
    }
    let client = |n: &str| match n {
        "Paladin" => "AgavePaladin".to_string(),
        "Firedancer" => "Frankendancer".to_string(),
        n => n.to_string(),
    };
    for layer in [
        Layer::Consensus,
        Layer::Software,
        Layer::Infrastructure,
        Layer::Geography,
    ] {
        let obs: Vec<&powermap_model::Observation> = import
            .iter()
            .filter(|o| o.layer == layer && o.weight > 0.0)
            .collect();
        let total: f64 = obs.iter().map(|o| o.weight).sum();
        let mut want: BTreeMap<String, f64> = BTreeMap::new();
        let mut unattributed = 0.0;
        for o in &obs {
            match (&o.entity, layer) {
                // Consensus: one entity per vote account either way (the dump's names are
                // unique; the node reports vote accounts).
                (_, Layer::Consensus) => {
                    *want.entry(o.subject.clone()).or_default() += o.weight / total
                }
                (Some(e), _) => *want.entry(client(e)).or_default() += o.weight / total,
                (None, _) => unattributed += o.weight / total,
            }
        }
        let got = shares(layer.id()).unwrap();
        for (k, w) in &want {
            let g = got.get(k).copied().unwrap_or(0.0);
            assert!(
                (g - w).abs() < 1e-9,
                "{}: {k} served {g} import {w}",
                layer.id()
            );
        }
        let rest: f64 = got
            .iter()
            .filter(|(k, _)| !want.contains_key(*k))
            .map(|(_, v)| v)
            .sum();
        assert!(
            (rest - unattributed).abs() < 1e-9,
            "{}: unattributed {rest} vs {unattributed}",
            layer.id()
        );
    }

    // /metrics: the same top shares.
    let (_, metrics) = get(&addr, "/metrics").unwrap();
    let top = |layer: &str| -> f64 {
        let key = format!("powermap_top_share{{network=\"solana\",layer=\"{layer}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&key))
            .unwrap_or_else(|| panic!("{key}\n{metrics}"))
            .parse()
            .unwrap()
    };
    let infra = shares("infrastructure").unwrap();
    assert!(
        (top("infrastructure") - infra["AS20326"]).abs() < 1e-4,
        "{metrics}"
    );
    assert!((top("software") - shares("software").unwrap()["JitoLabs"]).abs() < 1e-4);
    assert!(metrics
        .contains("powermap_top_share{network=\"solana:datacenter\",layer=\"infrastructure\"}"));

    // The delegation-program policy is evaluated; its early warning (an AS above 20 %)
    // reaches the HTTPS receiver.
    let body = bodies
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("no webhook; log:\n{}", log()));
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    let alerts = payload["alerts"].as_array().unwrap();
    let a = alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == "asn-within-5-points-of-the-cap")
        .unwrap_or_else(|| panic!("{payload}"));
    assert_eq!(a["labels"]["severity"], "warning");
    assert_eq!(a["labels"]["network"], "solana");
    let (_, findings) = get(&addr, "/api/v1/findings").unwrap();
    assert!(findings.contains("asn-at-most-25-percent"), "{findings}");
}

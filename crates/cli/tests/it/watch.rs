//! `powermap watch` end to end: the real binary with the built-in source, a SQLite store and a
//! webhook to a local receiver. Polls `/healthz` (bounded), scrapes `/metrics`, checks that a
//! constraint violation reaches the receiver in Alertmanager's shape, and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    let child = Command::new(env!("CARGO_BIN_EXE_powermap"))
        .args(["watch", "--config", &config.display().to_string()])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.path().join("log")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let log = || std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();

    // The address it bound, from its first line of stdout.
    let stdout = guard.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("no listening line; log:\n{}", log()));
    let addr = line
        .strip_prefix("powermap watch: listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();

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

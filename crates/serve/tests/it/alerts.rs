//! Alerts: a constraint violation fires once, repeats after the cooldown, resolves when fixed;
//! a failing receiver is retried with backoff; a slow one times out; silences and restarts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use powermap_model::{Analysis, Distribution, Layer, Provenance, Window, WindowResult};
use powermap_policy::Policy;
use powermap_serve::alerts::{fingerprint, AlertStore, Labels};
use powermap_serve::{
    AlertConfig, AlertEngine, MemoryAlertStore, Service, Snapshot, Webhook, WebhookConfig,
};

use crate::util::{today, Receiver};

const POLICY: &str = r#"
[[constraint]]
id = "no-majority"
kind = "max_share"
severity = "fail"
description = "No owner above half"
max = "1/2"
"#;

fn analysis(weights: &[(&str, f64)]) -> Analysis {
    let day = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    Analysis {
        network: "testnet".into(),
        layer: Layer::Consensus,
        clustering: true,
        metrics: vec![],
        windows: vec![WindowResult {
            window: Window::days(day("2026-01-01"), day("2026-01-30")),
            distribution: Distribution::from_weights(weights.iter().map(|(n, w)| (*n, *w)))
                .unwrap(),
            values: vec![],
        }],
        provenance: Provenance::default(),
    }
}

fn snapshot(violating: bool) -> Snapshot {
    let policy = Policy::parse(POLICY, "policy.toml").unwrap();
    let a = if violating {
        analysis(&[("A", 60.0), ("B", 40.0)])
    } else {
        analysis(&[("A", 45.0), ("B", 30.0), ("C", 25.0)])
    };
    Snapshot::build(
        vec![a],
        &powermap_findings::Stage::builtin().with_policy(policy),
        today(),
        vec![],
    )
}

fn service(store: Arc<MemoryAlertStore>, hook: WebhookConfig, repeat: Duration) -> Service {
    let engine = AlertEngine::new(
        AlertConfig {
            repeat_interval: repeat,
            send_resolved: true,
        },
        store,
    )
    .unwrap();
    Service::new(
        engine,
        Some(Webhook::new(hook).unwrap()),
        "http://127.0.0.1:9464",
    )
}

fn fast(url: String) -> WebhookConfig {
    WebhookConfig {
        timeout: Duration::from_secs(5),
        max_attempts: 4,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        ..WebhookConfig::new(url)
    }
}

#[tokio::test]
async fn violation_fires_once_repeats_after_cooldown_and_resolves() {
    let rx = Receiver::start(0, Duration::ZERO).await;
    let store = Arc::new(MemoryAlertStore::default());
    let svc = service(store.clone(), fast(rx.url()), Duration::from_secs(3600));
    let t0 = Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap();
    let min = chrono::Duration::minutes;

    let out = svc.update_at(snapshot(true), t0).await;
    assert_eq!((out.firing, out.notified), (1, 1), "{out:?}");
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 1);
    let p = &bodies[0];
    assert_eq!(p["version"], "4");
    assert_eq!(p["status"], "firing");
    assert_eq!(p["receiver"], "powermap");
    let a = &p["alerts"][0];
    assert_eq!(a["status"], "firing");
    assert_eq!(a["labels"]["alertname"], "no-majority");
    assert_eq!(a["labels"]["network"], "testnet");
    assert_eq!(a["labels"]["layer"], "consensus");
    assert_eq!(a["labels"]["severity"], "critical");
    assert_eq!(a["startsAt"], "2026-02-01T12:00:00Z");
    assert_eq!(a["endsAt"], "0001-01-01T00:00:00Z");
    assert!(a["annotations"]["description"]
        .as_str()
        .unwrap()
        .contains("A 60.00%"));
    let labels: Labels = serde_json::from_value(a["labels"].clone()).unwrap();
    assert_eq!(a["fingerprint"], fingerprint(&labels));
    assert_eq!(p["commonLabels"]["alertname"], "no-majority");

    // Still violated within the cooldown: deduplicated, nothing sent.
    svc.update_at(snapshot(true), t0 + min(10)).await;
    svc.update_at(snapshot(true), t0 + min(59)).await;
    assert_eq!(rx.bodies().len(), 1);

    // Past repeat_interval: sent again, same fingerprint and start.
    let out = svc.update_at(snapshot(true), t0 + min(61)).await;
    assert_eq!(out.notified, 1);
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["alerts"][0]["fingerprint"], a["fingerprint"]);
    assert_eq!(bodies[1]["alerts"][0]["startsAt"], "2026-02-01T12:00:00Z");

    // Fixed: resolved once.
    let out = svc.update_at(snapshot(false), t0 + min(70)).await;
    assert_eq!((out.firing, out.notified), (0, 1));
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[2]["status"], "resolved");
    assert_eq!(bodies[2]["alerts"][0]["status"], "resolved");
    assert_eq!(bodies[2]["alerts"][0]["endsAt"], "2026-02-01T13:10:00Z");
    svc.update_at(snapshot(false), t0 + min(200)).await;
    assert_eq!(rx.bodies().len(), 3);

    // History, newest first.
    let events: Vec<String> = store
        .history(100)
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events,
        [
            "fired",
            "notified",
            "repeated",
            "resolved",
            "resolve_notified"
        ]
    );
    // A violation after the resolution is a new alert (same fingerprint, new start).
    svc.update_at(snapshot(true), t0 + min(300)).await;
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 4);
    assert_eq!(bodies[3]["alerts"][0]["startsAt"], "2026-02-01T17:00:00Z");
}

#[tokio::test]
async fn failing_receiver_is_retried_with_exponential_backoff() {
    let rx = Receiver::start(2, Duration::ZERO).await;
    let svc = service(
        Arc::new(MemoryAlertStore::default()),
        fast(rx.url()),
        Duration::from_secs(3600),
    );
    let start = Instant::now();
    let out = svc.update(snapshot(true)).await;
    assert_eq!(out.delivery_error, None);
    assert_eq!(rx.attempts(), 3, "two 500s, then success");
    assert_eq!(rx.bodies().len(), 1);
    let at = rx.attempts.lock().unwrap().clone();
    let (gap1, gap2) = (at[1] - at[0], at[2] - at[1]);
    assert!(gap1 >= Duration::from_millis(100), "{gap1:?}");
    assert!(
        gap2 >= Duration::from_millis(200),
        "backoff doubles: {gap2:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn receiver_down_gives_up_then_next_cycle_tries_again() {
    let rx = Receiver::start(usize::MAX, Duration::ZERO).await;
    let store = Arc::new(MemoryAlertStore::default());
    let mut hook = fast(rx.url());
    hook.max_attempts = 3;
    hook.initial_backoff = Duration::from_millis(20);
    let svc = service(store.clone(), hook, Duration::from_secs(3600));
    let out = svc.update(snapshot(true)).await;
    let err = out.delivery_error.expect("fails");
    assert!(err.contains("500") && err.contains("3 attempts"), "{err}");
    assert_eq!(rx.attempts(), 3);
    // Not marked as notified: the next cycle delivers again.
    svc.update(snapshot(true)).await;
    assert_eq!(rx.attempts(), 6);
    assert!(svc
        .metrics_text()
        .contains("powermap_webhook_deliveries_total{result=\"failed\"} 2"));
    let events: Vec<String> = store
        .history(10)
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert!(
        events.iter().filter(|e| *e == "delivery_failed").count() == 2,
        "{events:?}"
    );
}

#[tokio::test]
async fn slow_receiver_times_out() {
    let rx = Receiver::start(0, Duration::from_secs(3)).await;
    let mut hook = fast(rx.url());
    hook.timeout = Duration::from_millis(200);
    hook.max_attempts = 2;
    hook.initial_backoff = Duration::from_millis(10);
    let svc = service(
        Arc::new(MemoryAlertStore::default()),
        hook,
        Duration::from_secs(3600),
    );
    let start = Instant::now();
    let out = svc.update(snapshot(true)).await;
    assert!(out.delivery_error.unwrap().contains("timed out"));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn restart_resumes_firing_alerts_from_the_store() {
    let rx = Receiver::start(0, Duration::ZERO).await;
    let store = Arc::new(MemoryAlertStore::default());
    let t0 = Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap();
    let svc = service(store.clone(), fast(rx.url()), Duration::from_secs(3600));
    svc.update_at(snapshot(true), t0).await;
    drop(svc);
    // A new service on the same store: the alert is still firing and already notified.
    let svc = service(store.clone(), fast(rx.url()), Duration::from_secs(3600));
    svc.update_at(snapshot(true), t0 + chrono::Duration::minutes(5))
        .await;
    assert_eq!(rx.bodies().len(), 1);
    assert_eq!(store.firing().unwrap().len(), 1);
}

#[tokio::test]
async fn silenced_alert_is_not_notified() {
    let rx = Receiver::start(0, Duration::ZERO).await;
    let store: Arc<MemoryAlertStore> = Arc::new(MemoryAlertStore::default());
    let mut engine = AlertEngine::new(AlertConfig::default(), store).unwrap();
    let now = Utc::now();
    engine.silence(
        Labels::from([("alertname".to_string(), "no-majority".to_string())]),
        Duration::from_secs(600),
        "known".into(),
        now,
    );
    let due = engine.evaluate(
        powermap_serve::alerts::candidates(snapshot(true).report.as_ref().unwrap()),
        now,
    );
    assert!(due.is_empty());
    let firing = engine.firing(now);
    assert_eq!(firing.len(), 1);
    assert!(firing[0].silenced);
    // After the silence ends it is due.
    let later = now + chrono::Duration::seconds(601);
    let due = engine.evaluate(
        powermap_serve::alerts::candidates(snapshot(true).report.as_ref().unwrap()),
        later,
    );
    assert_eq!(due.len(), 1);
    let _ = rx;
}

/// Delivery over HTTPS to a receiver with a throw-away CA (Alertmanager behind TLS, Slack and
/// PagerDuty are HTTPS): trusted through `ca_file`, refused without it, and the secret path
/// of the receiver's URL never appears in an error.
#[tokio::test]
async fn https_receiver_with_a_given_ca() {
    use powermap_follow::fake::TestServer;
    let pki = powermap_net::test_pki::loopback();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path());
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let b = bodies.clone();
    let server = TestServer::start_tls(
        Arc::new(move |method: &str, path: &str, body: &[u8]| {
            b.lock().unwrap().push((
                format!("{method} {path}"),
                String::from_utf8_lossy(body).into_owned(),
            ));
            (200, "{}".to_string())
        }),
        pki.server.clone(),
    )
    .unwrap();
    let url = format!("{}/services/T000/B000/SECRETPATH", server.url());
    assert!(url.starts_with("https://127.0.0.1:"));

    let mut hook = fast(url.clone());
    hook.ca_file = Some(ca);
    let svc = service(
        Arc::new(MemoryAlertStore::default()),
        hook,
        Duration::from_secs(3600),
    );
    let out = svc.update(snapshot(true)).await;
    assert_eq!((out.notified, out.delivery_error), (1, None));
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "POST /services/T000/B000/SECRETPATH");
    let payload: serde_json::Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(payload["status"], "firing");

    // The system's store does not know the throw-away CA: refused, not retried forever.
    let mut hook = fast(url);
    hook.max_attempts = 2;
    hook.initial_backoff = Duration::from_millis(10);
    let svc = service(
        Arc::new(MemoryAlertStore::default()),
        hook,
        Duration::from_secs(3600),
    );
    let err = svc.update(snapshot(true)).await.delivery_error.unwrap();
    assert!(
        err.contains("UnknownIssuer") || err.contains("certificate"),
        "{err}"
    );
    assert!(!err.contains("SECRETPATH"), "{err}");
    assert_eq!(bodies.lock().unwrap().len(), 1);

    for bad in ["ftp://x/hook", "https://", "hook"] {
        assert!(Webhook::new(WebhookConfig::new(bad)).is_err(), "{bad}");
    }
}

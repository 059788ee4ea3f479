//! Shared helpers: the built-in dataset's snapshot, a policy, a local webhook receiver.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use chrono::NaiveDate;
use powermap_model::Analysis;
use powermap_policy::Policy;
use powermap_serve::{Snapshot, SourceHealth};
use powermap_windows::WindowSpec;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The built-in Bitcoin analyses (30-day windows), computed once per test binary.
pub fn builtin_analyses() -> Vec<Analysis> {
    static CELL: OnceLock<Vec<Analysis>> = OnceLock::new();
    CELL.get_or_init(|| {
        let window = WindowSpec::days(30, 30).aligned(powermap_windows::Alignment::End);
        let opts = powermap_pipeline::AnalyzeOptions {
            window,
            ..Default::default()
        };
        let resolve = powermap_attribution::ResolveOptions {
            clustering: true,
            unattributed: powermap_attribution::Unattributed::Bucket,
        };
        let input = powermap_pipeline::Input::Builtin("bitcoin-pools".into());
        let registries = powermap_pipeline::Registries::builtin().expect("built-in registry");
        powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})
            .expect("built-in dataset")
            .analyses
    })
    .clone()
}

pub fn bitcoin_policy() -> Policy {
    Policy::load(&repo().join("examples/bitcoin.toml")).unwrap()
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn source() -> SourceHealth {
    SourceHealth {
        name: "builtin".into(),
        kind: "builtin".into(),
        network: "bitcoin".into(),
        last_block: Some(945_000),
        last_block_time: Some(chrono::Utc::now()),
        lag_seconds: Some(12.0),
        errors_total: 0,
        last_error: None,
        last_poll: Some(chrono::Utc::now()),
    }
}

/// The built-in data with the example Bitcoin policy and one source.
pub fn builtin_snapshot() -> Snapshot {
    Snapshot::build(
        builtin_analyses(),
        &powermap_findings::Stage::builtin().with_policy(bitcoin_policy()),
        today(),
        vec![source()],
    )
}

/// A local webhook receiver on 127.0.0.1: records every POSTed JSON body; answers 500 to the
/// first `fail_first` requests and waits `delay` before answering.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    pub bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    pub attempts: Arc<Mutex<Vec<std::time::Instant>>>,
}

impl Receiver {
    pub async fn start(fail_first: usize, delay: Duration) -> Receiver {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let (b, a) = (bodies.clone(), attempts.clone());
        let app = axum::Router::new().route(
            "/hook",
            post(move |body: axum::body::Bytes| {
                let (b, a) = (b.clone(), a.clone());
                async move {
                    let n = {
                        let mut a = a.lock().unwrap();
                        a.push(std::time::Instant::now());
                        a.len()
                    };
                    tokio::time::sleep(delay).await;
                    if n <= fail_first {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    b.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            addr,
            bodies,
            attempts,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().unwrap().clone()
    }

    pub fn attempts(&self) -> usize {
        self.attempts.lock().unwrap().len()
    }
}

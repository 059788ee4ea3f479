//! One suite, run against SQLite always and against PostgreSQL when
//! `POWERMAP_TEST_POSTGRES` names a server (required when `POWERMAP_REQUIRE_POSTGRES=1`,
//! as `.ci/run` sets it). Each PostgreSQL test gets a database of its own.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use powermap_model::{Layer, Observation};
use powermap_store::{
    alert_fingerprint, Alert, AlertState, Batch, BlockRecord, FileRecord, Store, StoreError,
};

mod pg {
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh database on the test server, or `None` (skip) when none is configured.
    pub fn fresh_url(test: &str) -> Option<String> {
        let Ok(base) = std::env::var("POWERMAP_TEST_POSTGRES") else {
            if std::env::var("POWERMAP_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("POWERMAP_REQUIRE_POSTGRES=1 but POWERMAP_TEST_POSTGRES is not set");
            }
            eprintln!("skipping the PostgreSQL run of {test}: POWERMAP_TEST_POSTGRES is not set");
            return None;
        };
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "powermap_{}_{}_{}",
            test,
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to {base}: {e}"));
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let cut = base.rfind('/').expect("URL has a database path");
        Some(format!("{}/{name}", &base[..cut]))
    }
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:{}", dir.path().join("watch.db").display())
}

/// Runs `body` against a fresh SQLite store, then a fresh PostgreSQL one when configured.
macro_rules! both {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            let dir = tempfile::tempdir().unwrap();
            let url = sqlite_url(&dir);
            ($body)(&url);
            if let Some(url) = pg::fresh_url(stringify!($name)) {
                ($body)(&url);
            }
        }
    };
}

fn t(day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, h, 0, 0).unwrap()
}

fn obs(height: u64, time: DateTime<Utc>, subject: &str) -> Observation {
    Observation {
        network: "bitcoin".into(),
        layer: Layer::Consensus,
        time,
        height: Some(height),
        subject: subject.into(),
        entity: None,
        weight: 1.0,
        source: Some("btc".into()),
    }
}

fn block(height: u64, fork: &str, time: DateTime<Utc>) -> BlockRecord {
    BlockRecord {
        network: "bitcoin".into(),
        height,
        hash: format!("{fork}{height}"),
        parent_hash: height.checked_sub(1).map(|p| format!("{fork}{p}")),
        time,
        observations: vec![obs(height, time, &format!("pool-{fork}-{}", height % 3))],
    }
}

fn all_obs(store: &mut Store) -> Vec<Observation> {
    let mut v = Vec::new();
    store
        .observations("bitcoin", Layer::Consensus, None, None, &mut |o| {
            v.push(o);
            Ok(())
        })
        .unwrap();
    v
}

both!(apply_is_atomic_and_idempotent, |url: &str| {
    let mut s = Store::open(url).unwrap();
    let blocks: Vec<_> = (0..5).map(|h| block(h, "a", t(1, h as u32))).collect();
    let rep = s
        .apply(Batch {
            source: "btc".into(),
            blocks: blocks.clone(),
            cursor: Some("4".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((rep.blocks_inserted, rep.observations_inserted), (5, 5));
    assert_eq!(rep.touched.len(), 1);
    // The same batch again: nothing doubles.
    let rep = s
        .apply(Batch {
            source: "btc".into(),
            blocks,
            cursor: Some("4".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((rep.blocks_inserted, rep.blocks_skipped), (0, 5));
    assert_eq!(all_obs(&mut s).len(), 5);
    // A conflicting block fails the whole batch: the cursor does not move either.
    let err = s
        .apply(Batch {
            source: "btc".into(),
            blocks: vec![block(5, "a", t(1, 5)), block(3, "b", t(1, 3))],
            cursor: Some("5".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { height: 3, .. }),
        "{err}"
    );
    assert_eq!(s.cursor("btc").unwrap().unwrap().position, "4");
    assert_eq!(s.tip("bitcoin").unwrap().unwrap().height, 4);
    assert_eq!(all_obs(&mut s).len(), 5);
});

both!(
    reorg_rolls_back_blocks_and_their_observations,
    |url: &str| {
        let mut s = Store::open(url).unwrap();
        s.apply(Batch {
            source: "btc".into(),
            blocks: (0..6)
                .map(|h| block(h, "a", t(1 + h as u32 / 3, 1)))
                .collect(),
            cursor: Some("5".into()),
            ..Default::default()
        })
        .unwrap();
        let rep = s
            .apply(Batch {
                source: "btc".into(),
                rollback: Some(("bitcoin".into(), 4)),
                blocks: (4..8).map(|h| block(h, "b", t(9, h as u32))).collect(),
                cursor: Some("7".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((rep.blocks_removed, rep.observations_removed), (2, 2));
        assert_eq!(rep.blocks_inserted, 4);
        let days: Vec<_> = rep.touched.iter().map(|d| d.day).collect();
        assert_eq!(
            days,
            vec![
                NaiveDate::from_ymd_opt(2024, 5, 2).unwrap(),
                NaiveDate::from_ymd_opt(2024, 5, 9).unwrap()
            ]
        );
        assert_eq!(s.block_hash("bitcoin", 3).unwrap().as_deref(), Some("a3"));
        assert_eq!(s.block_hash("bitcoin", 4).unwrap().as_deref(), Some("b4"));
        assert_eq!(s.tip("bitcoin").unwrap().unwrap().hash, "b7");
        let o = all_obs(&mut s);
        assert_eq!(o.len(), 8);
        assert!(o
            .iter()
            .all(|o| !o.subject.starts_with("pool-a") || o.height < Some(4)));
        assert_eq!(s.blocks("bitcoin", 0, 100).unwrap().len(), 8);
    }
);

both!(files_ingest_once_by_digest, |url: &str| {
    let mut s = Store::open(url).unwrap();
    let f = FileRecord {
        digest: "sha256:abc".into(),
        name: "drop.csv".into(),
        observations: vec![obs(1, t(3, 0), "x"), obs(2, t(4, 0), "y")],
    };
    let r1 = s
        .apply(Batch {
            source: "dir".into(),
            files: vec![f.clone()],
            ..Default::default()
        })
        .unwrap();
    let r2 = s
        .apply(Batch {
            source: "dir".into(),
            files: vec![FileRecord {
                name: "renamed.csv".into(),
                ..f
            }],
            ..Default::default()
        })
        .unwrap();
    assert_eq!((r1.files_inserted, r1.observations_inserted), (1, 2));
    assert_eq!((r2.files_skipped, r2.observations_inserted), (1, 0));
    assert_eq!(all_obs(&mut s).len(), 2);
    // File observations survive a block rollback of the same network.
    s.apply(Batch {
        source: "btc".into(),
        rollback: Some(("bitcoin".into(), 0)),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(all_obs(&mut s).len(), 2);
    assert_eq!(s.stats().unwrap().files, 1);
});

both!(observations_stream_by_day_range, |url: &str| {
    let mut s = Store::open(url).unwrap();
    let mut o = obs(1, t(2, 23) + Duration::microseconds(123_456), "a");
    o.entity = Some("Ent".into());
    o.weight = 2.5;
    s.apply(Batch {
        source: "btc".into(),
        blocks: vec![
            BlockRecord {
                observations: vec![o.clone()],
                ..block(1, "a", t(2, 23))
            },
            block(2, "a", t(3, 0)),
            block(3, "a", t(5, 0)),
        ],
        ..Default::default()
    })
    .unwrap();
    let mut got = Vec::new();
    let d = |x| NaiveDate::from_ymd_opt(2024, 5, x).unwrap();
    s.observations(
        "bitcoin",
        Layer::Consensus,
        Some(d(2)),
        Some(d(3)),
        &mut |o| {
            got.push(o);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0], o,
        "round trip keeps every field, microseconds included"
    );
    assert_eq!(
        s.day_range("bitcoin", Layer::Consensus).unwrap(),
        Some((d(2), d(5)))
    );
    let nets = s.networks().unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(nets[0].layers[0].observations, 3);
    // An error from the callback stops the stream.
    let mut n = 0;
    let err = s.observations("bitcoin", Layer::Consensus, None, None, &mut |_| {
        n += 1;
        Err(StoreError::Invalid("stop".into()))
    });
    assert!(err.is_err());
    assert_eq!(n, 1);
});

both!(stats_report_sources, |url: &str| {
    let mut s = Store::open(url).unwrap();
    s.apply(Batch {
        source: "btc".into(),
        blocks: (0..3).map(|h| block(h, "a", t(1, h as u32))).collect(),
        cursor: Some("2".into()),
        ..Default::default()
    })
    .unwrap();
    s.set_cursor("idle", "0").unwrap();
    let st = s.stats().unwrap();
    assert_eq!((st.blocks, st.observations, st.schema_version), (3, 3, 1));
    assert_eq!(st.sources.len(), 2);
    let btc = &st.sources[0];
    assert_eq!(btc.source, "btc");
    assert_eq!(btc.cursor.as_deref(), Some("2"));
    assert_eq!(btc.last_block, Some(("bitcoin".into(), 2, t(1, 2))));
    assert!(btc.last_ingest.is_some());
    // Reopening migrates nothing twice.
    drop(s);
    let mut s = Store::open(url).unwrap();
    assert_eq!(s.stats().unwrap().blocks, 3);
});

both!(alerts_upsert_and_history, |url: &str| {
    let mut s = Store::open(url).unwrap();
    let labels: BTreeMap<String, String> =
        [("alertname", "NakamotoBelowLimit"), ("network", "bitcoin")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let mut a = Alert {
        fingerprint: alert_fingerprint(&labels),
        labels,
        annotations: BTreeMap::from([("summary".to_string(), "NC 2 < 3".to_string())]),
        state: AlertState::Firing,
        starts_at: t(1, 0),
        ends_at: None,
        last_sent: None,
        updated_at: t(1, 0),
    };
    assert!(s.upsert_alert(&a).unwrap());
    a.last_sent = Some(t(1, 1));
    assert!(!s.upsert_alert(&a).unwrap(), "same state: no new event");
    s.record_alert_event(&a.fingerprint, "sent", "200 OK")
        .unwrap();
    assert_eq!(s.alerts(true).unwrap().len(), 1);
    a.state = AlertState::Resolved;
    a.ends_at = Some(t(2, 0));
    assert!(s.upsert_alert(&a).unwrap());
    assert!(s.alerts(true).unwrap().is_empty());
    let all = s.alerts(false).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].last_sent, Some(t(1, 1)));
    assert_eq!(all[0].labels, a.labels);
    let h = s.alert_history(&a.fingerprint).unwrap();
    let kinds: Vec<_> = h.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["firing", "sent", "resolved"]);
    assert_eq!(h.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
});

#[test]
fn fingerprint_is_stable_and_label_order_free() {
    let a: BTreeMap<String, String> = [("b", "2"), ("a", "1")]
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(alert_fingerprint(&a).len(), 16);
    assert_eq!(alert_fingerprint(&a), alert_fingerprint(&a.clone()));
    assert_ne!(alert_fingerprint(&a), alert_fingerprint(&BTreeMap::new()));
}

#[test]
fn bad_urls_are_named() {
    let e = Store::open("mysql://x").unwrap_err();
    assert!(e.to_string().contains("mysql://x"), "{e}");
}

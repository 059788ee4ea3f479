//! The durable store of the watch service: followed blocks, their observations, dropped
//! files, source cursors and alerts, in **SQLite** (default: one file) or **PostgreSQL**
//! (shared deployments), through one code path.
//!
//! ```text
//! follower ──Batch──▶ Store::apply (one transaction: rollback ▸ blocks+observations ▸ cursor)
//! analysis ◀──Store::observations (streamed)──┘   serving ◀── stats / networks / alerts
//! ```
//!
//! Guarantees (see `docs/watch.md`):
//!
//! * [`Store::apply`] writes a whole [`Batch`] or nothing: the reorg rollback, the new blocks
//!   with their observations and the source's cursor commit together. A process killed at any
//!   moment restarts from the cursor that matches the data: nothing is lost, nothing doubles.
//! * Observations belong to their block (`ON DELETE CASCADE`): rolling back a fork removes
//!   them. Dropped files are keyed by content digest: the same file twice ingests once.
//! * Migrations are versioned in code ([`SCHEMA_VERSION`], table `schema_version`) and applied
//!   at open.
//!
//! SQLite runs in WAL mode with `synchronous=NORMAL`: a committed transaction survives a
//! process crash (SIGKILL); after a power loss the last few commits may roll back, but always
//! whole, cursor included, so the follower re-fetches them — durability of the *source* data
//! makes FULL's extra fsync per commit unnecessary.
//!
//! ```
//! use powermap_store::{Batch, BlockRecord, Store};
//! use chrono::{TimeZone, Utc};
//! let mut store = Store::open("sqlite::memory:").unwrap();
//! let t = Utc.with_ymd_and_hms(2024, 4, 20, 0, 9, 27).unwrap();
//! store.apply(Batch {
//!     source: "btc".into(),
//!     blocks: vec![BlockRecord { network: "bitcoin".into(), height: 840000, hash: "h0".into(),
//!         parent_hash: None, time: t, observations: vec![] }],
//!     cursor: Some("840000".into()),
//!     ..Default::default()
//! }).unwrap();
//! assert_eq!(store.cursor("btc").unwrap().unwrap().position, "840000");
//! assert_eq!(store.tip("bitcoin").unwrap().unwrap().hash, "h0");
//! ```

mod backend;
mod error;
mod schema;
mod types;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::{Layer, Observation};

use backend::{Conn, Postgres, Row, Sqlite, Val};
pub use error::{Result, StoreError};
pub use schema::SCHEMA_VERSION;
pub use types::{
    alert_fingerprint, Alert, AlertEvent, AlertState, ApplyReport, Batch, BlockRecord, Cursor,
    FileRecord, LayerSummary, NetworkSummary, SourceStats, StoreStats, StoredBlock, TouchedDay,
};

/// The store: one connection to SQLite or PostgreSQL.
///
/// Not shared between threads; open one per thread or process (SQLite in WAL mode lets
/// readers run while one writer writes; writers wait up to 10 s for each other).
pub struct Store {
    conn: Box<dyn Conn>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.conn.kind())
            .finish()
    }
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_micros(v: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StoreError::Corrupt(format!("time {v} µs is out of range")))
}

fn day_start_micros(d: NaiveDate) -> i64 {
    micros(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

fn height_val(h: u64) -> Result<Val> {
    i64::try_from(h)
        .map(Val::I)
        .map_err(|_| StoreError::Invalid(format!("height {h} is above 2^63-1")))
}

fn height_of(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative height {v}")))
}

impl Store {
    /// Opens (creating if needed) and migrates a store.
    ///
    /// `url` is `sqlite:PATH` (also `sqlite://PATH`; `sqlite::memory:` for a private in-memory
    /// database) or a PostgreSQL connection URL `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
    /// (`postgresql://` too; any libpq-style parameters the `postgres` crate accepts). A bare
    /// path ending in `.db`, `.sqlite` or `.sqlite3` is taken as SQLite.
    pub fn open(url: &str) -> Result<Store> {
        let mut conn: Box<dyn Conn> =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let client = postgres::Client::connect(url, postgres::NoTls)?;
                let mut pg = Postgres::new(client);
                pg.batch("SET client_min_messages = WARNING")?;
                Box::new(pg)
            } else if let Some(path) = sqlite_path(url) {
                Box::new(open_sqlite(&path)?)
            } else {
                return Err(StoreError::BadUrl(url.to_string()));
            };
        schema::migrate(conn.as_mut())?;
        Ok(Store { conn })
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.conn.kind()
    }

    /// Runs `f` inside one write transaction; commits if it returns `Ok`, rolls back otherwise.
    fn write<R>(&mut self, f: impl FnOnce(&mut dyn Conn) -> Result<R>) -> Result<R> {
        self.conn.begin_write()?;
        match f(self.conn.as_mut()) {
            Ok(r) => {
                self.conn.batch("COMMIT")?;
                Ok(r)
            }
            Err(e) => {
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Applies one batch in **one** transaction: (a) the rollback, if any, deletes the blocks
    /// at or above the fork height with their observations; (b) blocks and files are inserted
    /// with their observations; (c) the source's cursor is written. Either all of it commits or
    /// none of it does.
    ///
    /// Idempotent: a block already stored with the same hash, or a file whose digest is
    /// already stored, is skipped with its observations (counted in the report). A block at a
    /// stored height with another hash is [`StoreError::Conflict`] (nothing is written).
    pub fn apply(&mut self, batch: Batch) -> Result<ApplyReport> {
        for o in batch
            .blocks
            .iter()
            .flat_map(|b| &b.observations)
            .chain(batch.files.iter().flat_map(|f| &f.observations))
        {
            o.validate()
                .map_err(|e| StoreError::Invalid(format!("{} {}: {e}", o.network, o.subject)))?;
        }
        let now = backend::now_micros();
        self.write(|c| {
            let mut rep = ApplyReport::default();
            if let Some((network, from)) = &batch.rollback {
                let from = height_val(*from)?;
                let mut removed = 0u64;
                c.query(
                    "SELECT network, layer, time FROM observations WHERE block_network = ? AND block_height >= ?",
                    &[network.as_str().into(), from.clone()],
                    &mut |r| {
                        removed += 1;
                        rep.touched.insert(touched(&r.text(0)?, &r.text(1)?, r.i64(2)?)?);
                        Ok(())
                    },
                )?;
                rep.observations_removed = removed;
                rep.blocks_removed = c.exec(
                    "DELETE FROM blocks WHERE network = ? AND height >= ?",
                    &[network.as_str().into(), from],
                )?;
            }
            for b in &batch.blocks {
                let h = height_val(b.height)?;
                let inserted = c.exec(
                    "INSERT INTO blocks (network, height, hash, parent_hash, time, source, ingested_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (network, height) DO NOTHING",
                    &[
                        b.network.as_str().into(),
                        h.clone(),
                        b.hash.as_str().into(),
                        b.parent_hash.as_deref().into(),
                        Val::I(micros(b.time)),
                        batch.source.as_str().into(),
                        Val::I(now),
                    ],
                )?;
                if inserted == 0 {
                    let stored = block_hash(c, &b.network, b.height)?.unwrap_or_default();
                    if stored != b.hash {
                        return Err(StoreError::Conflict {
                            network: b.network.clone(),
                            height: b.height,
                            stored,
                            new: b.hash.clone(),
                        });
                    }
                    rep.blocks_skipped += 1;
                    continue;
                }
                rep.blocks_inserted += 1;
                for o in &b.observations {
                    insert_observation(c, o, Some((&b.network, h.clone())), None)?;
                    rep.observations_inserted += 1;
                    rep.touched.insert(TouchedDay {
                        network: o.network.clone(),
                        layer: o.layer,
                        day: o.time.date_naive(),
                    });
                }
            }
            for f in &batch.files {
                let inserted = c.exec(
                    "INSERT INTO files (digest, name, source, ingested_at, observations) \
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                    &[
                        f.digest.as_str().into(),
                        f.name.as_str().into(),
                        batch.source.as_str().into(),
                        Val::I(now),
                        Val::I(f.observations.len() as i64),
                    ],
                )?;
                if inserted == 0 {
                    rep.files_skipped += 1;
                    continue;
                }
                rep.files_inserted += 1;
                for o in &f.observations {
                    insert_observation(c, o, None, Some(&f.digest))?;
                    rep.observations_inserted += 1;
                    rep.touched.insert(TouchedDay {
                        network: o.network.clone(),
                        layer: o.layer,
                        day: o.time.date_naive(),
                    });
                }
            }
            if let Some(pos) = &batch.cursor {
                write_cursor(c, &batch.source, pos, now)?;
            }
            Ok(rep)
        })
    }

    /// Writes a source's cursor on its own (what [`Store::apply`] does with `Batch::cursor`).
    pub fn set_cursor(&mut self, source: &str, position: &str) -> Result<()> {
        let now = backend::now_micros();
        self.write(|c| write_cursor(c, source, position, now))
    }

    /// A source's persisted cursor.
    pub fn cursor(&mut self, source: &str) -> Result<Option<Cursor>> {
        let mut out = None;
        self.conn.query(
            "SELECT position, updated_at FROM cursors WHERE source = ?",
            &[source.into()],
            &mut |r| {
                out = Some(Cursor {
                    position: r.text(0)?,
                    updated_at: from_micros(r.i64(1)?)?,
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The stored hash of block `height` of `network`.
    pub fn block_hash(&mut self, network: &str, height: u64) -> Result<Option<String>> {
        block_hash(self.conn.as_mut(), network, height)
    }

    /// The stored block of `network` at `height`.
    pub fn block(&mut self, network: &str, height: u64) -> Result<Option<StoredBlock>> {
        let mut out = None;
        self.conn.query(
            "SELECT network, height, hash, parent_hash, time FROM blocks WHERE network = ? AND height = ?",
            &[network.into(), height_val(height)?],
            &mut |r| {
                out = Some(stored_block(&r)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The highest stored block of `network` at or below `height`.
    pub fn block_at_or_below(&mut self, network: &str, height: u64) -> Result<Option<StoredBlock>> {
        let mut out = None;
        self.conn.query(
            "SELECT network, height, hash, parent_hash, time FROM blocks WHERE network = ? AND height <= ? \
             ORDER BY height DESC LIMIT 1",
            &[network.into(), height_val(height.min(i64::MAX as u64))?],
            &mut |r| {
                out = Some(stored_block(&r)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The highest stored block of `network`.
    pub fn tip(&mut self, network: &str) -> Result<Option<StoredBlock>> {
        self.block_at_or_below(network, i64::MAX as u64)
    }

    /// Every stored block of `network` in `from..=to`, by height (for checks and tests).
    pub fn blocks(&mut self, network: &str, from: u64, to: u64) -> Result<Vec<StoredBlock>> {
        let mut out = Vec::new();
        self.conn.query(
            "SELECT network, height, hash, parent_hash, time FROM blocks \
             WHERE network = ? AND height >= ? AND height <= ? ORDER BY height",
            &[
                network.into(),
                height_val(from)?,
                height_val(to.min(i64::MAX as u64))?,
            ],
            &mut |r| {
                out.push(stored_block(&r)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Streams the observations of (`network`, `layer`) whose UTC day lies in
    /// `from_day..=to_day` (either bound open when `None`) to `f`, ordered by time and height.
    /// Rows are not buffered: memory stays flat whatever the range. An error from `f` stops
    /// the stream and is returned.
    pub fn observations(
        &mut self,
        network: &str,
        layer: Layer,
        from_day: Option<NaiveDate>,
        to_day: Option<NaiveDate>,
        f: &mut dyn FnMut(Observation) -> Result<()>,
    ) -> Result<()> {
        let lo = from_day.map_or(i64::MIN, day_start_micros);
        let hi = to_day
            .and_then(|d| d.succ_opt())
            .map_or(i64::MAX, day_start_micros);
        let net = network.to_string();
        self.conn.query(
            "SELECT time, height, subject, entity, weight, source FROM observations \
             WHERE network = ? AND layer = ? AND time >= ? AND time < ? ORDER BY time, height",
            &[network.into(), layer.id().into(), Val::I(lo), Val::I(hi)],
            &mut |r| {
                f(Observation {
                    network: net.clone(),
                    layer,
                    time: from_micros(r.i64(0)?)?,
                    height: r.opt_i64(1)?.map(height_of).transpose()?,
                    subject: r.text(2)?,
                    entity: r.opt_text(3)?,
                    weight: r.f64(4)?,
                    source: r.opt_text(5)?,
                })
            },
        )
    }

    /// The first and last UTC day with observations of (`network`, `layer`).
    pub fn day_range(
        &mut self,
        network: &str,
        layer: Layer,
    ) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let mut out = None;
        self.conn.query(
            "SELECT MIN(time), MAX(time) FROM observations WHERE network = ? AND layer = ?",
            &[network.into(), layer.id().into()],
            &mut |r| {
                if let (Some(a), Some(b)) = (r.opt_i64(0)?, r.opt_i64(1)?) {
                    out = Some((from_micros(a)?.date_naive(), from_micros(b)?.date_naive()));
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Networks with observations, each with its layers (counts and time ranges), sorted.
    pub fn networks(&mut self) -> Result<Vec<NetworkSummary>> {
        let mut out: Vec<NetworkSummary> = Vec::new();
        self.conn.query(
            "SELECT network, layer, COUNT(*), MIN(time), MAX(time) FROM observations \
             GROUP BY network, layer ORDER BY network, layer",
            &[],
            &mut |r| {
                let network = r.text(0)?;
                let layer = parse_layer(&r.text(1)?)?;
                let l = LayerSummary {
                    layer,
                    observations: r.i64(2)? as u64,
                    first: from_micros(r.i64(3)?)?,
                    last: from_micros(r.i64(4)?)?,
                };
                match out.last_mut() {
                    Some(n) if n.network == network => n.layers.push(l),
                    _ => out.push(NetworkSummary {
                        network,
                        layers: vec![l],
                    }),
                }
                Ok(())
            },
        )?;
        for n in &mut out {
            n.layers.sort_by_key(|l| l.layer);
        }
        Ok(out)
    }

    /// Row counts and per-source ingest health.
    pub fn stats(&mut self) -> Result<StoreStats> {
        let mut s = StoreStats {
            backend: self.conn.kind(),
            ..Default::default()
        };
        let c = self.conn.as_mut();
        c.query(
            "SELECT (SELECT COUNT(*) FROM blocks), (SELECT COUNT(*) FROM observations), \
             (SELECT COUNT(*) FROM files), (SELECT COALESCE(MAX(version), 0) FROM schema_version)",
            &[],
            &mut |r| {
                s.blocks = r.i64(0)? as u64;
                s.observations = r.i64(1)? as u64;
                s.files = r.i64(2)? as u64;
                s.schema_version = r.i64(3)?;
                Ok(())
            },
        )?;
        let mut by: BTreeMap<String, SourceStats> = BTreeMap::new();
        c.query(
            "SELECT source, position, updated_at FROM cursors",
            &[],
            &mut |r| {
                let name = r.text(0)?;
                let e = by.entry(name.clone()).or_insert_with(|| SourceStats {
                    source: name,
                    ..Default::default()
                });
                e.cursor = Some(r.text(1)?);
                e.last_ingest = Some(from_micros(r.i64(2)?)?);
                Ok(())
            },
        )?;
        // Blocks and files per source.
        type Set = fn(&mut SourceStats, u64);
        let counts: [(&str, Set); 2] = [
            ("blocks", |s, n| s.blocks = n),
            ("files", |s, n| s.files = n),
        ];
        for (table, set) in counts {
            c.query(
                &format!("SELECT source, COUNT(*) FROM {table} GROUP BY source"),
                &[],
                &mut |r| {
                    let name = r.text(0)?;
                    let entry = by.entry(name.clone()).or_insert_with(|| SourceStats {
                        source: name,
                        ..Default::default()
                    });
                    set(entry, r.i64(1)? as u64);
                    Ok(())
                },
            )?;
        }
        // The newest block of each source: its highest height per network, latest time wins.
        c.query(
            "SELECT b.source, b.network, b.height, b.time FROM blocks b \
             JOIN (SELECT source, network, MAX(height) AS h FROM blocks GROUP BY source, network) m \
             ON b.source = m.source AND b.network = m.network AND b.height = m.h",
            &[],
            &mut |r| {
                let name = r.text(0)?;
                let e = by.entry(name.clone()).or_insert_with(|| SourceStats {
                    source: name,
                    ..Default::default()
                });
                let cand = (r.text(1)?, height_of(r.i64(2)?)?, from_micros(r.i64(3)?)?);
                if e.last_block.as_ref().is_none_or(|l| l.2 <= cand.2) {
                    e.last_block = Some(cand);
                }
                Ok(())
            },
        )?;
        s.sources = by.into_values().collect();
        Ok(s)
    }

    // ------------------------------------------------------------------ alerts

    /// Inserts or replaces an alert (by fingerprint). A new alert, or a change of state, is
    /// appended to its history (`kind` = the new state id, `detail` = the labels as JSON).
    /// `updated_at` is set to now. Returns whether the state changed (or the alert is new).
    pub fn upsert_alert(&mut self, alert: &Alert) -> Result<bool> {
        let now = backend::now_micros();
        let labels = serde_json::to_string(&alert.labels).expect("string map serialises");
        let annotations = serde_json::to_string(&alert.annotations).expect("string map serialises");
        self.write(|c| {
            let mut old: Option<String> = None;
            c.query(
                "SELECT state FROM alerts WHERE fingerprint = ?",
                &[alert.fingerprint.as_str().into()],
                &mut |r| {
                    old = Some(r.text(0)?);
                    Ok(())
                },
            )?;
            let params = [
                alert.fingerprint.as_str().into(),
                labels.as_str().into(),
                annotations.as_str().into(),
                alert.state.id().into(),
                Val::I(micros(alert.starts_at)),
                alert.ends_at.map(micros).into(),
                alert.last_sent.map(micros).into(),
                Val::I(now),
            ];
            c.exec(
                "INSERT INTO alerts (fingerprint, labels, annotations, state, starts_at, ends_at, last_sent, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET \
                 labels = excluded.labels, annotations = excluded.annotations, state = excluded.state, \
                 starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
                 last_sent = excluded.last_sent, updated_at = excluded.updated_at",
                &params,
            )?;
            let changed = old.as_deref() != Some(alert.state.id());
            if changed {
                add_event(c, &alert.fingerprint, now, alert.state.id(), &labels)?;
            }
            Ok(changed)
        })
    }

    /// Appends an entry to an alert's history (e.g. `sent`, `send_failed` with details).
    pub fn record_alert_event(
        &mut self,
        fingerprint: &str,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        let now = backend::now_micros();
        self.write(|c| add_event(c, fingerprint, now, kind, detail))
    }

    /// Stored alerts, oldest first; with `active_only`, only `pending` and `firing` ones.
    pub fn alerts(&mut self, active_only: bool) -> Result<Vec<Alert>> {
        let sql = if active_only {
            "SELECT fingerprint, labels, annotations, state, starts_at, ends_at, last_sent, updated_at \
             FROM alerts WHERE state <> 'resolved' ORDER BY starts_at, fingerprint"
        } else {
            "SELECT fingerprint, labels, annotations, state, starts_at, ends_at, last_sent, updated_at \
             FROM alerts ORDER BY starts_at, fingerprint"
        };
        let mut out = Vec::new();
        self.conn.query(sql, &[], &mut |r| {
            let state = r.text(3)?;
            out.push(Alert {
                fingerprint: r.text(0)?,
                labels: serde_json::from_str(&r.text(1)?)
                    .map_err(|e| StoreError::Corrupt(format!("alert labels: {e}")))?,
                annotations: serde_json::from_str(&r.text(2)?)
                    .map_err(|e| StoreError::Corrupt(format!("alert annotations: {e}")))?,
                state: AlertState::from_id(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("alert state `{state}`")))?,
                starts_at: from_micros(r.i64(4)?)?,
                ends_at: r.opt_i64(5)?.map(from_micros).transpose()?,
                last_sent: r.opt_i64(6)?.map(from_micros).transpose()?,
                updated_at: from_micros(r.i64(7)?)?,
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// An alert's history, oldest first.
    pub fn alert_history(&mut self, fingerprint: &str) -> Result<Vec<AlertEvent>> {
        let mut out = Vec::new();
        self.conn.query(
            "SELECT fingerprint, seq, at, kind, detail FROM alert_events WHERE fingerprint = ? ORDER BY seq",
            &[fingerprint.into()],
            &mut |r| {
                out.push(AlertEvent {
                    fingerprint: r.text(0)?,
                    seq: r.i64(1)? as u64,
                    at: from_micros(r.i64(2)?)?,
                    kind: r.text(3)?,
                    detail: r.text(4)?,
                });
                Ok(())
            },
        )?;
        Ok(out)
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        return Some(rest.to_string());
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        return Some(rest.to_string());
    }
    let lower = url.to_ascii_lowercase();
    [".db", ".sqlite", ".sqlite3"]
        .iter()
        .any(|e| lower.ends_with(e))
        .then(|| url.to_string())
}

fn open_sqlite(path: &str) -> Result<Sqlite> {
    let conn = if path == ":memory:" {
        rusqlite::Connection::open_in_memory()?
    } else {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Invalid(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        rusqlite::Connection::open(path)?
    };
    conn.busy_timeout(Duration::from_secs(10))?;
    // WAL: readers never block the writer; NORMAL: see the crate docs for why not FULL.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(Sqlite(conn))
}

fn parse_layer(s: &str) -> Result<Layer> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown layer `{s}`")))
}

fn touched(network: &str, layer: &str, time: i64) -> Result<TouchedDay> {
    Ok(TouchedDay {
        network: network.to_string(),
        layer: parse_layer(layer)?,
        day: from_micros(time)?.date_naive(),
    })
}

fn stored_block(r: &Row) -> Result<StoredBlock> {
    Ok(StoredBlock {
        network: r.text(0)?,
        height: height_of(r.i64(1)?)?,
        hash: r.text(2)?,
        parent_hash: r.opt_text(3)?,
        time: from_micros(r.i64(4)?)?,
    })
}

fn block_hash(c: &mut dyn Conn, network: &str, height: u64) -> Result<Option<String>> {
    let mut out = None;
    c.query(
        "SELECT hash FROM blocks WHERE network = ? AND height = ?",
        &[network.into(), height_val(height)?],
        &mut |r| {
            out = Some(r.text(0)?);
            Ok(())
        },
    )?;
    Ok(out)
}

fn insert_observation(
    c: &mut dyn Conn,
    o: &Observation,
    block: Option<(&str, Val)>,
    file: Option<&str>,
) -> Result<()> {
    let (bn, bh) = match block {
        Some((n, h)) => (Val::from(n), h),
        None => (Val::N, Val::N),
    };
    c.exec(
        "INSERT INTO observations (network, layer, time, height, subject, entity, weight, source, \
         block_network, block_height, file_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            o.network.as_str().into(),
            o.layer.id().into(),
            Val::I(micros(o.time)),
            o.height.map(height_val).transpose()?.unwrap_or(Val::N),
            o.subject.as_str().into(),
            o.entity.as_deref().into(),
            Val::F(o.weight),
            o.source.as_deref().into(),
            bn,
            bh,
            file.into(),
        ],
    )?;
    Ok(())
}

fn write_cursor(c: &mut dyn Conn, source: &str, position: &str, now: i64) -> Result<()> {
    c.exec(
        "INSERT INTO cursors (source, position, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
        &[source.into(), position.into(), Val::I(now)],
    )?;
    Ok(())
}

fn add_event(c: &mut dyn Conn, fingerprint: &str, at: i64, kind: &str, detail: &str) -> Result<()> {
    let mut next = 1;
    c.query(
        "SELECT COALESCE(MAX(seq), 0) FROM alert_events WHERE fingerprint = ?",
        &[fingerprint.into()],
        &mut |r| {
            next = r.i64(0)? + 1;
            Ok(())
        },
    )?;
    c.exec(
        "INSERT INTO alert_events (fingerprint, seq, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
        &[
            fingerprint.into(),
            Val::I(next),
            Val::I(at),
            kind.into(),
            detail.into(),
        ],
    )?;
    Ok(())
}

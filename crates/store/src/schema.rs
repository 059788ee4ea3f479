//! Versioned migrations, applied in order at open; each one in its own transaction and
//! recorded in `schema_version`. Never edit a shipped migration: append a new one.

use crate::backend::{now_micros, Conn, Val};
use crate::{Result, StoreError};

/// `(version, SQL)`; the SQL is the same for SQLite and PostgreSQL.
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "
CREATE TABLE blocks (
    network     TEXT NOT NULL,
    height      BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    parent_hash TEXT,
    time        BIGINT NOT NULL,
    source      TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    PRIMARY KEY (network, height)
);
CREATE TABLE files (
    digest       TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    source       TEXT NOT NULL,
    ingested_at  BIGINT NOT NULL,
    observations BIGINT NOT NULL
);
CREATE TABLE observations (
    network       TEXT NOT NULL,
    layer         TEXT NOT NULL,
    time          BIGINT NOT NULL,
    height        BIGINT,
    subject       TEXT NOT NULL,
    entity        TEXT,
    weight        DOUBLE PRECISION NOT NULL,
    source        TEXT,
    block_network TEXT,
    block_height  BIGINT,
    file_digest   TEXT REFERENCES files (digest) ON DELETE CASCADE,
    FOREIGN KEY (block_network, block_height) REFERENCES blocks (network, height) ON DELETE CASCADE,
    CHECK ((block_height IS NULL) <> (file_digest IS NULL))
);
CREATE INDEX observations_by_time ON observations (network, layer, time);
CREATE INDEX observations_by_block ON observations (block_network, block_height);
CREATE INDEX observations_by_file ON observations (file_digest);
CREATE TABLE cursors (
    source     TEXT PRIMARY KEY,
    position   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE alerts (
    fingerprint TEXT PRIMARY KEY,
    labels      TEXT NOT NULL,
    annotations TEXT NOT NULL,
    state       TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT,
    last_sent   BIGINT,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE alert_events (
    fingerprint TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (fingerprint, seq)
);
",
)];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Creates `schema_version` if needed and applies every migration not yet recorded.
pub(crate) fn migrate(conn: &mut dyn Conn) -> Result<()> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    for &(version, sql) in MIGRATIONS {
        conn.begin_write()?;
        let res = (|| {
            // Re-read inside the write transaction: two processes opening at once apply each
            // migration once.
            let mut current = 0;
            conn.query(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                &[],
                &mut |r| {
                    current = r.i64(0)?;
                    Ok(())
                },
            )?;
            let known = SCHEMA_VERSION;
            if current > known {
                return Err(StoreError::TooNew {
                    found: current,
                    known,
                });
            }
            if current >= version {
                return Ok(());
            }
            conn.batch(sql)?;
            conn.exec(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                &[Val::I(version), Val::I(now_micros())],
            )?;
            Ok(())
        })();
        match res {
            Ok(()) => conn.batch("COMMIT")?,
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}

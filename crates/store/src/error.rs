//! Errors of the store.

/// Anything that can go wrong opening or using a [`crate::Store`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no known backend.
    #[error("bad store URL `{0}` (expected `sqlite:PATH` or `postgres://USER@HOST:PORT/DB`)")]
    BadUrl(String),
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL reported an error.
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// A block at a height already stored with another hash (roll back the fork first).
    #[error("block {network} {height}: stored hash {stored} differs from new hash {new} (a reorg must roll back from this height first)")]
    Conflict {
        /// Chain of the block.
        network: String,
        /// Height of the block.
        height: u64,
        /// Hash already in the store.
        stored: String,
        /// Hash of the block being inserted.
        new: String,
    },
    /// A value that cannot be stored (e.g. a height above 2⁶³−1 or a negative weight).
    #[error("invalid value: {0}")]
    Invalid(String),
    /// A stored row that does not read back (written by something else).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database was migrated by a newer powermap.
    #[error(
        "store schema version {found} is newer than this program knows ({known}); upgrade powermap"
    )]
    TooNew {
        /// Version found in `schema_version`.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

//! Reads and writes the open observation format, and ships the built-in dataset.
//!
//! This is the first stage of the flow:
//!
//! ```text
//! raw source ──ingest──▶ Observation ──attribution──▶ … ──metrics──▶ findings
//! ```
//!
//! An observation file has the columns `network, layer, time, height, subject, entity,
//! weight, source` (`docs/formats.md`) and comes in three encodings, chosen by extension:
//! CSV ([`CsvReader`]), JSON Lines ([`JsonlReader`]) and Parquet ([`ParquetReader`]). Readers
//! stream: memory does not grow with the number of rows, records longer than
//! [`MAX_RECORD_BYTES`] are rejected, and every error names the file, line (or row) and field.
//! Every reader also lends borrowed rows ([`ReadRef::next_ref`], [`ObservationRef`]) for
//! callers that need not own the text; the owned iterators are built on that same parse.
//! Writers replace files atomically ([`atomic_write`]).
//!
//! [`builtin`] holds real Bitcoin block data embedded in the binary; [`synth`] generates
//! deterministic benchmark data.
//!
//! ```
//! # fn main() -> Result<(), powermap_ingest::IngestError> {
//! use powermap_ingest::{read_file, write_file, synth};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("obs.csv");
//! let config = synth::SynthConfig { rows: 100, ..Default::default() };
//! write_file(&path, synth::generate(&config))?;
//! let back: Vec<_> = read_file(&path)?.collect::<Result<_, _>>()?;
//! assert_eq!(back, synth::generate(&config).collect::<Vec<_>>());
//! # Ok(())
//! # }
//! ```

mod atomic;
mod borrowed;
pub mod builtin;
mod error;
mod fields;
mod format;
mod formats;
mod io;
pub mod synth;
mod time;

pub use atomic::atomic_write;
pub use borrowed::{DictKey, ObservationRef, ReadRef};
pub use error::{IngestError, Position};
pub use fields::COLUMNS;
pub use format::Format;
pub use formats::csv::{CsvReader, CsvWriter};
pub use formats::jsonl::{JsonlReader, JsonlWriter};
pub use formats::parquet::{schema as parquet_schema, ParquetReader, ParquetWriter, BATCH_ROWS};
pub use io::{
    read_file, read_file_as, write_file, write_file_as, ObservationReader, ObservationWriter,
};

/// `docs/formats.md`, whose Rust examples run as doctests so the guide cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/formats.md")]
struct FormatsGuide;

/// The longest record a reader accepts: 1 MiB (a CSV record or a JSON line).
///
/// Longer input is rejected rather than buffered, so a malformed file (say, one without
/// newlines) cannot exhaust memory.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

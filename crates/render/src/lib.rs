//! Everything that turns [`Analysis`] values into bytes: the terminal summary, EDI-compatible
//! CSV, JSON Lines, Parquet, and SVG/PNG plots.
//!
//! It sits at the end of the flow (`… → metrics → findings → render`) and is shared by the CLI
//! and the HTTP server. Every function is pure: it writes into an `impl Write` or returns a
//! `String` / bytes. Placing files is the caller's job (`powermap_ingest::atomic_write`
//! does it safely).
//!
//! | output | entry point |
//! |---|---|
//! | terminal summary | [`summary::render`] |
//! | EDI long form, per-metric wide files, `shares.csv`, `windows.csv` | [`csv_files`] |
//! | JSON Lines with a `type` field | [`jsonl::write_jsonl`] |
//! | Parquet long-form metrics table | [`parquet_table::write_parquet`] |
//! | metric time series, stacked shares (SVG, PNG) | [`plot`] |
//! | `--unattributed range`: table, records, `ranges.csv` | [`ranges`] |
//! | `--compare-mapping`: table, records, `compare.csv` | [`comparison`] |
//! | attribution ledger: table, CSV | [`ledger`] |
//! | drift: trends, change points, forecasts, in words | [`drift`] |
//!
//! ```
//! use powermap_render::csv_files::{write_long, edi_value};
//! let mut out = Vec::new();
//! write_long(&[], edi_value, &mut out).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "ledger,date,clustering\n");
//! ```
//!
//! [`Analysis`]: powermap_model::Analysis

pub mod comparison;
pub mod csv_files;
pub mod drift;
mod error;
pub mod jsonl;
pub mod ledger;
pub mod parquet_table;
pub mod plot;
mod pyfloat;
pub mod ranges;
pub mod summary;

pub use error::{RenderError, Result};
pub use pyfloat::{edi_value, python_float};

/// The 95 % Wilson score interval of entry `i`'s share when weights are block counts
/// (block production as a binomial sample of the underlying power); `None` otherwise.
pub fn share_interval(d: &powermap_model::Distribution, i: usize) -> Option<(f64, f64)> {
    if !d.is_integral() || d.is_empty() || d.total() > powermap_stats::MAX_BOOTSTRAP_UNITS as f64 {
        // Whole-number stake or token totals are not a sample of blocks.
        return None;
    }
    powermap_stats::proportion_interval(
        d.entries()[i].weight as u64,
        d.total() as u64,
        0.95,
        powermap_stats::IntervalMethod::Wilson,
    )
    .ok()
    .map(|i| (i.lo, i.hi))
}

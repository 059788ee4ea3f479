//! Concentration metrics: pure functions from one window's [`Distribution`] to a
//! [`MetricValue`], exact to the Edinburgh Decentralisation Index (EDI) where EDI has them.
//!
//! Position in the flow:
//!
//! ```text
//! raw source → observations → entities → windows ──▶ metrics ──▶ findings
//!                                 (Distribution)    (MetricValue)
//! ```
//!
//! Every metric is a [`Metric`] variant with a stable id (`gini`, `entropy=1`,
//! `nakamoto_coefficient=1/3`, …) shared by config files, CLI flags and CSV columns.
//! [`edi_metrics`] is EDI's configured set in EDI's order; [`default_metrics`] adds Nakamoto
//! at 1/3 and 2/3 and `max_power_ratio`. [`edi_format`] prints values as EDI's CSVs do.
//!
//! Zero-weight entries (EDI's *population windows*) count in `n` for [`gini()`] and
//! [`theil_index()`] only, as in EDI. Thresholds are exact fractions compared in integers.
//!
//! ```
//! use powermap_metrics::{edi_format, Metric};
//! use powermap_model::Distribution;
//!
//! let d = Distribution::from_weights([("a", 2.0), ("b", 1.0), ("c", 0.0)]).unwrap();
//! let nc = Metric::parse("nakamoto_coefficient").unwrap();
//! assert_eq!(edi_format(nc.compute(&d)), "1");
//! assert_eq!(edi_format(Metric::Hhi.compute(&d)), "5555.555555555557");
//! let strict = Metric::parse("nakamoto_coefficient>2/3").unwrap();
//! assert_eq!(edi_format(strict.compute(&d)), "2");
//! ```
//!
//! [`Distribution`]: powermap_model::Distribution
//! [`MetricValue`]: powermap_model::MetricValue

mod concentration;
mod entropy;
mod error;
mod format;
mod gini;
mod hhi;
mod nakamoto;
mod registry;
mod theil;
mod total;

pub use concentration::{concentration_ratio, max_power_ratio};
pub use entropy::{entropy, entropy_percentage};
pub use error::MetricError;
pub use format::{edi_format, python_float};
pub use gini::gini;
pub use hhi::hhi;
pub use nakamoto::{decisive_coalition, nakamoto, tau_index};
pub use registry::{default_metrics, edi_metrics, Metric, VALID_IDS};
pub use theil::theil_index;
pub use total::total_entities;

/// `docs/metrics.md`, whose Rust examples run as doctests so the guide cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/metrics.md")]
struct MetricsGuide;

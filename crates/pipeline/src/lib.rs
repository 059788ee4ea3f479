//! The pipeline: the one crate that knows the order of the stages.
//!
//! ```text
//!  files, built-in datasets, EDI raw data (Input) ─┐
//!  adapters (powermap-sources), the watch store ───┴─▶ Feed ──attribution (Claim: entity, else subject)
//!         ──what-ifs──▶ Analyzer ──windows──▶ (Window, Distribution)… ──metrics──▶ Analysis
//! ```
//!
//! [`Feed`] is the one road in: every observation, whatever its source, is attributed by the
//! same rule and pushed into the [`Analyzer`]. [`run`] reads an [`Input`] down it. The
//! analyzer is the streaming core: it takes attributed observations in any order, then
//! [`Analyzer::finish`] cuts windows and computes metrics, one [`Analysis`] per
//! (network, layer). Memory grows with days × entities, not with observations.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use powermap_model::{Attribution, Layer, Rule};
//! use powermap_pipeline::{AnalyzeOptions, Analyzer};
//! use powermap_windows::WindowSpec;
//! let mut a = Analyzer::new(AnalyzeOptions { window: WindowSpec::days(1, 1), ..Default::default() });
//! let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
//! a.push("bitcoin", Layer::Consensus, t, Some(1), 1.0, "Foundry USA", Rule::Preattributed);
//! let out = a.finish(Default::default()).unwrap();
//! assert_eq!(out[0].windows.len(), 1);
//! ```

mod analyzer;
mod compare;
mod error;
mod feed;
mod input;
mod ledger;
mod mapping;
mod range;
mod registries;
mod whatif;

pub use analyzer::{AnalyzeOptions, Analyzer, AttributionStats, EntityId, GroupId};
pub use compare::{compare_mappings, Comparison, MetricDiff, ShareDiff, SubjectDiff};
pub use error::PipelineError;
pub use feed::{Feed, RunOutput};
pub use input::{run, run_with, Input};
pub use ledger::{attribution_ledger, LedgerRow};
pub use mapping::{pool_slug, MappingSource};
pub use range::{treatment_range, RangeRow, TreatmentChoice, TreatmentRange};
pub use registries::Registries;
pub use whatif::{MergeGroup, WhatIf};

//! Constraints as code: a TOML policy of declared limits on concentration, checked against
//! analyses like tests.
//!
//! Position in the flow:
//!
//! ```text
//! … → windows → metrics ──▶ Analysis ──▶ policy::evaluate ──▶ Report (pass / violated / …)
//!                                         ▲
//!                            policy.toml ─┘ (validated against the metric registry)
//! ```
//!
//! [`Policy::load`] reads a file (errors name file, line, column and field);
//! [`evaluate`] checks each [`Constraint`] on the analyses whose network and layer match and
//! returns a [`Report`] with one [`Outcome`] and an explanation per constraint; [`render`]
//! prints it as text, JSON or JUnit XML. Pure: no I/O besides [`Policy::load`].
//!
//! The format, every field, the drift method and the exit codes of `powermap check` are in
//! `docs/policy.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use powermap_model::{Analysis, Distribution, Layer, Provenance, Window, WindowResult};
//! use powermap_policy::{evaluate, Outcome, Policy};
//!
//! let policy = Policy::parse(r#"
//! [[constraint]]
//! id = "no-majority"
//! kind = "max_share"
//! severity = "fail"
//! max = "1/2"
//! "#, "policy.toml").unwrap();
//!
//! let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! let analysis = Analysis {
//!     network: "bitcoin".into(),
//!     layer: Layer::Consensus,
//!     clustering: true,
//!     metrics: vec![],
//!     windows: vec![WindowResult {
//!         window: Window::days(day("2026-01-01"), day("2026-01-30")),
//!         distribution: Distribution::from_weights([("A", 60.0), ("B", 40.0)]).unwrap(),
//!         values: vec![],
//!     }],
//!     provenance: Provenance::default(),
//! };
//! let report = evaluate(&policy, &[analysis], day("2026-02-01"));
//! assert_eq!(report.results[0].outcome, Outcome::Violated);
//! assert!(report.results[0].explanation.contains("A 60.00%"));
//! assert!(report.failed());
//! ```

mod constraint;
mod error;
mod evaluate;
mod forecast;
mod parse;
pub mod render;
mod report;
mod series;
mod statement;

pub use constraint::{AnalysisDefaults, Constraint, Kind, Policy, Severity, Subject};
pub use error::PolicyError;
pub use evaluate::{evaluate, evaluate_with};
pub use forecast::{ForecastOutcome, Forecaster, TheilSenForecaster};
pub use report::{
    ConstraintResult, Drift, EntityShare, Measurement, Outcome, Report, Tally, WindowDates,
};

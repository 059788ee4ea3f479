//! Where does concentration go if nobody acts, and which counter-mechanism stops it?
//!
//! Position in the flow: it reads what the pipeline produced and adds a future.
//!
//! ```text
//! Analysis / Observations ─▶ Series ─▶ fit (ABC) ─▶ backtest (CRPS, coverage vs baselines)
//!                                         │
//!           registry/simulate/<net>.toml ─┴▶ Ensemble per scenario ─▶ Study ─▶ text / JSON / SVG
//! ```
//!
//! * [`Series`]: dated snapshots of weight per entity, with what the weight measures, its
//!   coverage and the dispersed remainder (weight of no entity).
//! * [`Dynamics`]: the model — destinations ∝ `w^alpha`, reallocation events, entry and exit,
//!   delegation by relative yield (`y^β`), shocks.
//! * [`fit()`]: approximate Bayesian computation (population Monte Carlo) on five summaries.
//! * [`backtest()`]: fit up to an origin, forecast, score against last value and random walk.
//! * [`ScenarioSet`]: counter-mechanisms as data, every rule with its source.
//! * [`Study`]: everything above for one network, ready to print or serialise.
//!
//! Pure computation, no I/O; seeded and reproducible on any number of threads. The model,
//! its assumptions and the backtest results are in `docs/simulate.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use powermap_simulate::{Dynamics, Measure, Series, SeriesMeta, Study, StudyOptions};
//! use powermap_model::{Layer, Observation};
//!
//! let meta = SeriesMeta {
//!     network: "toy".into(), measure: Measure::Stake, unit: "stake".into(),
//!     source: "example".into(), coverage: "every validator".into(), entity: "validator".into(),
//! };
//! let day = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
//! let obs = (1..=8).flat_map(|d| {
//!     [("a", 50.0 + d as f64), ("b", 30.0), ("c", 20.0)].map(|(e, w)| Observation {
//!         network: "toy".into(), layer: Layer::Consensus, time: day(d), height: None,
//!         subject: e.into(), entity: None, weight: w, source: None,
//!     })
//! });
//! let series = Series::from_observations(obs, meta, &[]).unwrap();
//! let opts = StudyOptions::quick(7);
//! let study = Study::run(&series, None, &opts, &|_| {}).unwrap();
//! assert!(study.backtest.possible);
//! assert_eq!(study.scenarios[0].id, "nobody-acts");
//! ```

mod abc;
mod backtest;
mod dynamics;
mod engine;
mod error;
mod fenwick;
mod fit;
mod forecast;
mod metrics;
mod parallel;
mod random;
mod scenario;
mod series;
mod setup;
mod simulation;
mod study;
mod summary;
mod svg;
mod text;

pub use backtest::{backtest, crps, Backtest, BacktestOptions, Score, Verdict, MIN_SNAPSHOTS};
pub use dynamics::Dynamics;
pub use engine::Cost;
pub use error::{Result, SimulateError};
pub use fit::{fit, Estimate, Fit, FitOptions, SummaryCheck, METHOD};
pub use forecast::{quantile, Cmp, Ensemble, Fan, RunOptions, FAN_LEVELS};
pub use metrics::{standard_values, Metric};
pub use parallel::default_threads;
pub use scenario::{GroupCap, Mechanism, Rule, Scenario, ScenarioSet, BASELINE};
pub use series::{Grouping, Measure, Series, SeriesMeta, Snapshot};
pub use simulation::{Simulation, Visit};
pub use study::{checkpoint_step, Event, Outcome, ScenarioOutcome, Study, StudyOptions};
pub use summary::SUMMARIES;
pub use svg::fan_chart;

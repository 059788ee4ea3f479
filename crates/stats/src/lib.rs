//! Statistics for vigilance: how uncertain a measurement is, which way it is moving, where it
//! broke, and when it will cross a threshold. Pure computation, no I/O.
//!
//! Position in the flow:
//!
//! ```text
//! windows → distributions → metrics ──▶ stats ──▶ findings
//!             (Distribution)  (Analysis)   (intervals, trends, change points, forecasts)
//! ```
//!
//! * [`share_intervals`] / [`proportion_interval`]: Wilson (default) or Clopper–Pearson
//!   intervals on each entity's share of a block-count window.
//! * [`nakamoto_interval`]: a seeded parametric-bootstrap interval for the Nakamoto
//!   coefficient.
//! * [`trend`] / [`theil_sen`]: Theil–Sen slopes with Sen's interval, "+2.7 points per 90
//!   days"; [`top_movers`] ranks entities by share slope. [`Series`] reads metric, share
//!   and top-k series out of an `Analysis`.
//! * [`pelt`]: exact penalised change points in the mean (PELT), robust noise level;
//!   [`entity_shifts`] names the entities whose shares moved across a change.
//! * [`forecast`]: when a series crosses a threshold at its current trend, or an honest
//!   "no significant trend" / "not within the horizon"; [`backtest`] scores it on history.
//!
//! ```
//! use powermap_model::Distribution;
//! use powermap_stats::{share_intervals, IntervalMethod};
//!
//! let d = Distribution::from_weights([("foundry", 81.0), ("others", 182.0)]).unwrap();
//! let v = share_intervals(&d, 0.95, IntervalMethod::Wilson).unwrap();
//! assert_eq!(v[1].name, "foundry");
//! assert!((v[1].share.lo - 0.2553).abs() < 1e-4 && (v[1].share.hi - 0.3662).abs() < 1e-4);
//! ```

mod changepoint;
mod error;
mod findings;
mod forecast;
mod interval;
mod nakamoto;
mod rng;
mod series;
pub mod special;
mod trend;

pub use changepoint::{
    entity_shifts, optimal_partitioning, pelt, robust_sigma, EntityShift, PeltOptions, Penalty,
    Segmentation,
};
pub use error::StatsError;
pub use findings::findings;
pub use forecast::{
    backtest, forecast, Backtest, BacktestRow, Crossing, Direction, Forecast, ForecastOptions,
};
pub use interval::{proportion_interval, share_intervals, Interval, IntervalMethod, ShareInterval};
pub use nakamoto::{nakamoto_interval, BootstrapOptions, NakamotoInterval, MAX_BOOTSTRAP_UNITS};
pub use rng::SplitMix64;
pub use series::{Point, Series};
pub use trend::{theil_sen, top_movers, trend, Mover, Movers, TheilSen, Trend};

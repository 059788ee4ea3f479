//! The extension point for `forecast` constraints.
//!
//! The policy crate does not estimate trends itself. A [`Forecaster`] — to be implemented
//! on top of the statistics crate (`crates/stats`: Theil–Sen trends with prediction
//! intervals, issue #4 item 4) — turns a series into a crossing date, and
//! [`evaluate_with`](crate::evaluate_with) uses it. [`evaluate`](crate::evaluate) passes no
//! forecaster, so `forecast` constraints are reported `not_evaluated` with the reason,
//! never guessed.

use chrono::NaiveDate;

/// What a forecaster says about a series reaching a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForecastOutcome {
    /// At the current trend the series reaches the level around `date`, bracketed by
    /// `low ..= high`.
    Crossing {
        /// Point estimate of the crossing day.
        date: NaiveDate,
        /// Earliest plausible day.
        low: NaiveDate,
        /// Latest plausible day within the horizon; `None` when the slow end of the interval
        /// does not reach the level within it.
        high: Option<NaiveDate>,
    },
    /// The newest point has already reached the level.
    AlreadyCrossed,
    /// The level is not reached within the horizon.
    NotWithinHorizon,
    /// The trend is not significantly different from flat (or points away from the level).
    NoSignificantTrend,
    /// The forecaster cannot say (too few points, …); the text says why.
    Unavailable(String),
}

/// Forecasts when a series reaches a level.
///
/// The shape mirrors `powermap_stats::forecast` (`Crossing::{At, NotWithinHorizon,
/// NoSignificantTrend, AlreadyCrossed}`), so an adapter is a `match`: build the series with
/// `Series::from_pairs`, call `forecast(&series, level, &ForecastOptions { horizon_days, .. })`
/// and map `Err(e)` to [`ForecastOutcome::Unavailable`].
///
/// `series` holds `(window end, value)`, oldest first; shares are fractions. `horizon_days`
/// counts from the last point. An implementation decides what "current trend" means
/// (estimator, look-back, interval level) and must document it.
pub trait Forecaster {
    /// When (if at all) does `series` reach `level` within `horizon_days`?
    fn forecast(
        &self,
        series: &[(NaiveDate, f64)],
        level: f64,
        horizon_days: u32,
    ) -> ForecastOutcome;
}

/// The forecaster `powermap check` uses: a Theil–Sen trend on the last 12 points with a 95 %
/// interval on the slope (`powermap_stats::forecast`, documented in `docs/vigilance.md`).
///
/// Pass it series of non-overlapping windows: overlapping windows share most of their data
/// and would make the interval far too narrow.
#[derive(Debug, Clone, Default)]
pub struct TheilSenForecaster;

impl Forecaster for TheilSenForecaster {
    fn forecast(
        &self,
        series: &[(NaiveDate, f64)],
        level: f64,
        horizon_days: u32,
    ) -> ForecastOutcome {
        use powermap_stats::{forecast, Crossing, ForecastOptions, Series};
        let s = Series::from_pairs("forecast", series);
        let opts = ForecastOptions {
            horizon_days,
            ..ForecastOptions::default()
        };
        match forecast(&s, level, &opts) {
            Ok(f) => match f.crossing {
                Crossing::At {
                    date,
                    earliest,
                    latest,
                } => ForecastOutcome::Crossing {
                    date,
                    low: earliest,
                    high: latest,
                },
                Crossing::AlreadyCrossed => ForecastOutcome::AlreadyCrossed,
                Crossing::NotWithinHorizon => ForecastOutcome::NotWithinHorizon,
                Crossing::NoSignificantTrend => ForecastOutcome::NoSignificantTrend,
            },
            Err(e) => ForecastOutcome::Unavailable(e.to_string()),
        }
    }
}

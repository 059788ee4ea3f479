//! "When, at the current trend, does this series cross T?" — and how well that question
//! would have been answered in the past.
//!
//! **Method.** Fit a Theil–Sen trend ([`trend`](crate::trend)) to the last `N` points. When
//! the slope's interval includes 0 the honest answer is [`Crossing::NoSignificantTrend`];
//! when the series moves away from `T`, or reaches it only after the horizon,
//! [`Crossing::NotWithinHorizon`]. Otherwise the crossing date is where the fitted line meets
//! `T`. The bracket `[earliest, latest]` combines the two sources of uncertainty: the slope
//! (the lines through the point of medians at the interval's bounds) and the scatter of
//! single windows around the line (`z · 1.4826 · MAD` of the residuals): *earliest* is where
//! the steep line, shifted toward `T` by that band, meets it; *latest* where the shallow line,
//! shifted away, does. It is a bracket built from those two parts, not a formal prediction
//! interval; the backtest measures how often it holds.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::check_level;
use crate::special::normal_quantile;
use crate::trend::{add_days, days_between};
use crate::{trend, Point, Series, StatsError, Trend};

/// Which side of the threshold counts as crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Crossed when the value is ≥ T (a share rising to 1/3).
    #[default]
    Above,
    /// Crossed when the value is ≤ T (a Nakamoto coefficient falling to 4).
    Below,
}

impl Direction {
    fn reached(self, value: f64, t: f64) -> bool {
        match self {
            Direction::Above => value >= t,
            Direction::Below => value <= t,
        }
    }
}

/// Options of [`forecast`] and [`backtest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastOptions {
    /// Number of most recent points the trend is fitted on (default 12).
    pub last_n: usize,
    /// Crossings further than this many days after the last point are not forecast
    /// (default 365).
    pub horizon_days: u32,
    /// Confidence level of the slope interval and the residual band (default 0.95).
    pub level: f64,
    /// Which side counts as crossed (default [`Direction::Above`]).
    pub direction: Direction,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            last_n: 12,
            horizon_days: 365,
            level: 0.95,
            direction: Direction::Above,
        }
    }
}

/// The answer of a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Crossing {
    /// Crossing expected on `date`, bracketed by `[earliest, latest]`; `latest` is `None`
    /// when the shallow bound does not reach `T` within the horizon.
    At {
        /// Where the fitted trend meets the threshold.
        date: NaiveDate,
        /// Earliest plausible crossing (never before the last point).
        earliest: NaiveDate,
        /// Latest plausible crossing within the horizon, if any.
        latest: Option<NaiveDate>,
    },
    /// The trend moves away from `T`, or meets it only after the horizon.
    NotWithinHorizon,
    /// The slope's interval includes 0: no trend to extrapolate.
    NoSignificantTrend,
    /// The newest point has already crossed.
    AlreadyCrossed,
}

/// A forecast with the trend it extrapolates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The threshold.
    pub threshold: f64,
    /// The answer.
    pub crossing: Crossing,
    /// The fitted trend (absent when the series had already crossed).
    pub trend: Option<Trend>,
}

/// Forecasts when `s` crosses `threshold` from a trend on its last `opts.last_n` points.
pub fn forecast(
    s: &Series,
    threshold: f64,
    opts: &ForecastOptions,
) -> Result<Forecast, StatsError> {
    check_level(opts.level)?;
    if !threshold.is_finite() {
        return Err(StatsError::NotFinite {
            what: "threshold",
            value: threshold,
        });
    }
    let recent = s.last(opts.last_n);
    let last = *recent.points.last().ok_or(StatsError::TooShort {
        what: "a forecast",
        needed: 3,
        got: 0,
    })?;
    if opts.direction.reached(last.value, threshold) {
        return Ok(Forecast {
            threshold,
            crossing: Crossing::AlreadyCrossed,
            trend: None,
        });
    }
    let fitted = trend(&recent, opts.level)?;
    // Work on the rising case: for `Below`, negate values and threshold.
    let sign = match opts.direction {
        Direction::Above => 1.0,
        Direction::Below => -1.0,
    };
    let (slope, lo, hi) = if sign > 0.0 {
        (fitted.fit.slope, fitted.fit.lo, fitted.fit.hi)
    } else {
        (-fitted.fit.slope, -fitted.fit.hi, -fitted.fit.lo)
    };
    let crossing = if !fitted.significant {
        Crossing::NoSignificantTrend
    } else if slope <= 0.0 {
        Crossing::NotWithinHorizon
    } else {
        let gap = sign * (threshold - fitted.fit.y_median); // > 0 unless the fit is past T
        let band = normal_quantile(0.5 + opts.level / 2.0) * fitted.residual_scale;
        let x_last = days_between(fitted.origin, last.date);
        let horizon = x_last + opts.horizon_days as f64;
        let x_at = |dy: f64, k: f64| fitted.fit.x_median + dy / k;
        let x_point = x_at(gap, slope).max(x_last);
        if x_point > horizon {
            Crossing::NotWithinHorizon
        } else {
            let x_early = x_at(gap - band, hi).clamp(x_last, x_point);
            let x_late = if lo > 0.0 {
                Some(x_at(gap + band, lo).max(x_point)).filter(|&x| x <= horizon)
            } else {
                None
            };
            let date = |x: f64| add_days(fitted.origin, x);
            match (date(x_point), date(x_early)) {
                (Some(d), Some(e)) => Crossing::At {
                    date: d,
                    earliest: e,
                    latest: x_late.and_then(date),
                },
                _ => Crossing::NotWithinHorizon,
            }
        }
    };
    Ok(Forecast {
        threshold,
        crossing,
        trend: Some(fitted),
    })
}

/// One cut date of a [`backtest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestRow {
    /// Data up to and including this date was used.
    pub cut: NaiveDate,
    /// What was forecast from it.
    pub crossing: Crossing,
    /// The first later point that had crossed, if any.
    pub actual: Option<NaiveDate>,
    /// Forecast date − actual date, in days (positive = forecast too late).
    pub error_days: Option<i64>,
    /// Whether the actual date fell in `[earliest, latest]` (open-ended when `latest` is
    /// `None`).
    pub covered: Option<bool>,
}

/// How forecasts made in the past compare with what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// One row per cut with enough history.
    pub rows: Vec<BacktestRow>,
    /// Rows with both a forecast date and an actual crossing.
    pub scored: usize,
    /// Mean |forecast − actual| over the scored rows, in days.
    pub mean_abs_error_days: Option<f64>,
    /// Fraction of scored rows whose actual date fell in the bracket.
    pub coverage: Option<f64>,
    /// Forecast a crossing on a date inside the data, but the series never crossed.
    pub false_alarms: usize,
    /// Forecast no crossing (or none significant) though one came within the horizon.
    pub misses: usize,
}

/// Forecasts from the data up to each cut and compares with the first actual crossing after
/// it. Cuts with fewer than 3 points of history are skipped.
pub fn backtest(
    s: &Series,
    threshold: f64,
    opts: &ForecastOptions,
    cuts: &[NaiveDate],
) -> Result<Backtest, StatsError> {
    let data_end = s.points.last().map(|p| p.date);
    let mut rows = Vec::new();
    for &cut in cuts {
        let history = s.until(cut);
        if history.len() < 3 {
            continue;
        }
        let f = forecast(&history, threshold, opts)?;
        let cut_date = history.points.last().map_or(cut, |p| p.date);
        let actual = s
            .points
            .iter()
            .filter(|p: &&Point| p.date > cut_date)
            .find(|p| opts.direction.reached(p.value, threshold))
            .map(|p| p.date);
        let (error_days, covered) = match (f.crossing, actual) {
            (
                Crossing::At {
                    date,
                    earliest,
                    latest,
                },
                Some(a),
            ) => (
                Some((date - a).num_days()),
                Some(earliest <= a && latest.is_none_or(|l| a <= l)),
            ),
            _ => (None, None),
        };
        rows.push(BacktestRow {
            cut: cut_date,
            crossing: f.crossing,
            actual,
            error_days,
            covered,
        });
    }
    let scored: Vec<&BacktestRow> = rows.iter().filter(|r| r.error_days.is_some()).collect();
    let mean_abs_error_days = (!scored.is_empty()).then(|| {
        scored
            .iter()
            .filter_map(|r| r.error_days)
            .map(|e| e.unsigned_abs() as f64)
            .sum::<f64>()
            / scored.len() as f64
    });
    let coverage = (!scored.is_empty()).then(|| {
        scored.iter().filter(|r| r.covered == Some(true)).count() as f64 / scored.len() as f64
    });
    let false_alarms = rows
        .iter()
        .filter(|r| match r.crossing {
            Crossing::At { date, .. } => r.actual.is_none() && data_end.is_some_and(|e| date <= e),
            _ => false,
        })
        .count();
    let misses = rows
        .iter()
        .filter(|r| {
            matches!(
                r.crossing,
                Crossing::NotWithinHorizon | Crossing::NoSignificantTrend
            ) && r
                .actual
                .is_some_and(|a| (a - r.cut).num_days() <= opts.horizon_days as i64)
        })
        .count();
    Ok(Backtest {
        scored: scored.len(),
        rows,
        mean_abs_error_days,
        coverage,
        false_alarms,
        misses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn weekly(values: &[f64]) -> Series {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let pairs: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (d0 + Duration::days(7 * i as i64), v))
            .collect();
        Series::from_pairs("s", &pairs)
    }

    #[test]
    fn linear_rise_crosses_on_the_line() {
        // +0.01 per week from 0.20: reaches 1/3 after 13.33 weeks, i.e. day 93.3.
        let s = weekly(&(0..10).map(|i| 0.20 + 0.01 * i as f64).collect::<Vec<_>>());
        let f = forecast(&s, 1.0 / 3.0, &ForecastOptions::default()).unwrap();
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let Crossing::At {
            date,
            earliest,
            latest,
        } = f.crossing
        else {
            panic!("{f:?}")
        };
        assert_eq!(date, d0 + Duration::days(93));
        // No noise: the bracket collapses onto the line.
        assert_eq!(earliest, date);
        assert_eq!(latest, Some(date));
    }

    #[test]
    fn honest_non_answers() {
        let o = ForecastOptions::default();
        let flat = weekly(&[0.3, 0.31, 0.29, 0.3, 0.32, 0.28, 0.3, 0.31, 0.29, 0.3]);
        assert_eq!(
            forecast(&flat, 0.5, &o).unwrap().crossing,
            Crossing::NoSignificantTrend
        );
        let falling = weekly(&(0..10).map(|i| 0.3 - 0.01 * i as f64).collect::<Vec<_>>());
        assert_eq!(
            forecast(&falling, 0.5, &o).unwrap().crossing,
            Crossing::NotWithinHorizon
        );
        let slow = weekly(&(0..10).map(|i| 0.1 + 0.0001 * i as f64).collect::<Vec<_>>());
        assert_eq!(
            forecast(&slow, 0.5, &o).unwrap().crossing,
            Crossing::NotWithinHorizon
        );
        let above = weekly(&[0.2, 0.3, 0.4, 0.6]);
        assert_eq!(
            forecast(&above, 0.5, &o).unwrap().crossing,
            Crossing::AlreadyCrossed
        );
        // Falling to a floor: Below.
        let below = ForecastOptions {
            direction: Direction::Below,
            ..o
        };
        assert!(matches!(
            forecast(&falling, 0.15, &below).unwrap().crossing,
            Crossing::At { .. }
        ));
    }

    #[test]
    fn noisy_rise_brackets_the_line() {
        let noise = [
            0.01, -0.012, 0.004, 0.0, -0.008, 0.011, -0.003, 0.006, -0.01, 0.002,
        ];
        let v: Vec<f64> = (0..10).map(|i| 0.20 + 0.01 * i as f64 + noise[i]).collect();
        let f = forecast(&weekly(&v), 1.0 / 3.0, &ForecastOptions::default()).unwrap();
        let Crossing::At {
            date,
            earliest,
            latest,
        } = f.crossing
        else {
            panic!("{f:?}")
        };
        assert!(earliest < date && latest.is_some_and(|l| date < l), "{f:?}");
    }

    #[test]
    fn backtest_on_a_line_is_exact() {
        // A straight line crossing 0.3 at week 10; forecasts from weeks 3..9 all hit it.
        let v: Vec<f64> = (0..20).map(|i| 0.2 + 0.01 * i as f64).collect();
        let s = weekly(&v);
        let cuts: Vec<_> = s.points[3..9].iter().map(|p| p.date).collect();
        let b = backtest(&s, 0.3, &ForecastOptions::default(), &cuts).unwrap();
        assert_eq!(b.scored, 6);
        assert_eq!(b.mean_abs_error_days, Some(0.0));
        assert_eq!(b.coverage, Some(1.0));
        assert_eq!((b.false_alarms, b.misses), (0, 0));
    }
}

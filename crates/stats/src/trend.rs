//! Robust trends: the Theil–Sen slope with Sen's (1968) confidence interval.
//!
//! * **Slope.** The median of the pairwise slopes `(yⱼ − yᵢ)/(xⱼ − xᵢ)` over all pairs with
//!   `xⱼ > xᵢ` (Theil 1950, Sen 1968). A single outlying window moves it little (breakdown
//!   point ≈ 29 %), unlike least squares.
//! * **Interval.** The distribution-free interval based on Kendall's τ (Sen 1968; Hollander &
//!   Wolfe, *Nonparametric Statistical Methods*, §9.4), with the normal approximation of the
//!   rank: with `N` slopes sorted, `C = z·√Var(S)` where
//!   `Var(S) = [n(n−1)(2n+5) − Σ tie corrections in x and in y]/18`, the bounds are the
//!   slopes of ranks `round((N − C)/2)` and `round((N + C)/2) + 1` (1-based). This is exactly
//!   scipy's `theilslopes`, which the tests pin.
//! * **Intercept.** `median(y) − slope · median(x)` (scipy's default, Conover 1980): the line
//!   passes through the point of medians, and so do the lines at the slope bounds.
//! * **Assumption.** Independent residuals. Overlapping windows violate it; use
//!   [`Series::non_overlapping`] first (see `docs/vigilance.md`).

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use powermap_model::Analysis;

use crate::error::check_level;
use crate::special::normal_quantile;
use crate::{Interval, Series, StatsError};

/// A Theil–Sen fit on plain numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TheilSen {
    /// Median pairwise slope.
    pub slope: f64,
    /// `median(y) − slope · median(x)`.
    pub intercept: f64,
    /// Lower bound of the slope's interval.
    pub lo: f64,
    /// Upper bound of the slope's interval.
    pub hi: f64,
    /// `median(x)`: the fitted line and the bound lines all pass through
    /// `(median(x), median(y))`.
    pub x_median: f64,
    /// `median(y)`.
    pub y_median: f64,
}

/// Theil–Sen slope of `y` on `x` with a `level` interval (e.g. 0.95).
///
/// Needs at least 3 points with at least two distinct `x`; values must be finite.
pub fn theil_sen(x: &[f64], y: &[f64], level: f64) -> Result<TheilSen, StatsError> {
    check_level(level)?;
    if x.len() != y.len() {
        return Err(StatsError::BadParameter {
            name: "y",
            reason: format!("{} x values but {} y values", x.len(), y.len()),
        });
    }
    for &v in x.iter().chain(y) {
        if !v.is_finite() {
            return Err(StatsError::NotFinite {
                what: "series value",
                value: v,
            });
        }
    }
    let n = x.len();
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in 0..n {
            if x[j] > x[i] {
                slopes.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
    }
    if n < 3 || slopes.is_empty() {
        return Err(StatsError::TooShort {
            what: "a Theil–Sen trend",
            needed: 3,
            got: n,
        });
    }
    slopes.sort_by(f64::total_cmp);
    let slope = median_sorted(&slopes);
    let (x_median, y_median) = (median(x), median(y));
    let nf = n as f64;
    let ties = |v: &[f64]| -> f64 {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s.chunk_by(|a, b| a == b)
            .map(|g| g.len() as f64)
            .filter(|&t| t > 1.0)
            .map(|t| t * (t - 1.0) * (2.0 * t + 5.0))
            .sum()
    };
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties(x) - ties(y)) / 18.0;
    let z = normal_quantile((1.0 - level) / 2.0); // negative
    let c = z * var.max(0.0).sqrt();
    let nt = slopes.len() as f64;
    // Ranks as scipy computes them (0-based, numpy's round-half-to-even).
    let ru = (((nt - c) / 2.0).round_ties_even() as usize).min(slopes.len() - 1);
    let rl = ((((nt + c) / 2.0).round_ties_even() as i64) - 1).max(0) as usize;
    Ok(TheilSen {
        slope,
        intercept: y_median - slope * x_median,
        lo: slopes[rl.min(slopes.len() - 1)],
        hi: slopes[ru],
        x_median,
        y_median,
    })
}

/// The trend of a dated series, slope in units per day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Theil–Sen slope, value units per day.
    pub slope_per_day: f64,
    /// Lower bound of the slope interval, per day.
    pub lo: f64,
    /// Upper bound of the slope interval, per day.
    pub hi: f64,
    /// Confidence level of `[lo, hi]`.
    pub level: f64,
    /// Number of points fitted.
    pub n: usize,
    /// True when the interval excludes 0 (a trend sampling noise cannot explain).
    pub significant: bool,
    /// Date of the first point; `x` is counted in days from it.
    pub origin: NaiveDate,
    /// The fit on `x` = days since `origin`.
    pub fit: TheilSen,
    /// Robust spread of the residuals around the fit: `1.4826 · MAD` (σ for Gaussian noise).
    pub residual_scale: f64,
    /// Date of the last point.
    pub last: NaiveDate,
}

impl Trend {
    /// Change over `days` days, with its interval.
    pub fn over(&self, days: f64) -> Interval {
        Interval {
            estimate: self.slope_per_day * days,
            lo: self.lo * days,
            hi: self.hi * days,
        }
    }

    /// The fitted value on `date`.
    pub fn value_at(&self, date: NaiveDate) -> f64 {
        self.fit.intercept + self.fit.slope * days_between(self.origin, date)
    }

    /// A share trend in words: `+2.7 points per 90 days (95 % CI +1.2 to +4.1)`; the values
    /// are fractions, printed as percentage points.
    pub fn describe_points(&self, days: u32) -> String {
        let r = self.over(days as f64);
        format!(
            "{:+.1} points per {days} days ({:.0} % CI {:+.1} to {:+.1}{})",
            r.estimate * 100.0,
            self.level * 100.0,
            r.lo * 100.0,
            r.hi * 100.0,
            if self.significant {
                ""
            } else {
                "; not significant"
            }
        )
    }
}

/// Theil–Sen trend of `s` at confidence `level`, `x` in days since the first point.
pub fn trend(s: &Series, level: f64) -> Result<Trend, StatsError> {
    let first = s.points.first().ok_or(StatsError::TooShort {
        what: "a Theil–Sen trend",
        needed: 3,
        got: 0,
    })?;
    let origin = first.date;
    let x: Vec<f64> = s
        .points
        .iter()
        .map(|p| days_between(origin, p.date))
        .collect();
    let y = s.values();
    let fit = theil_sen(&x, &y, level)?;
    let residuals: Vec<f64> = x
        .iter()
        .zip(&y)
        .map(|(&xi, &yi)| yi - (fit.intercept + fit.slope * xi))
        .collect();
    let residual_scale = 1.4826 * mad(&residuals);
    Ok(Trend {
        slope_per_day: fit.slope,
        lo: fit.lo,
        hi: fit.hi,
        level,
        n: s.len(),
        significant: fit.lo > 0.0 || fit.hi < 0.0,
        origin,
        fit,
        residual_scale,
        last: s.points.last().map_or(origin, |p| p.date),
    })
}

/// One entity's share trend, for [`top_movers`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    /// Entity name.
    pub name: String,
    /// Its share in the newest window.
    pub share_now: f64,
    /// Its share trend over the windows considered.
    pub trend: Trend,
}

/// Entities whose shares rise and fall fastest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movers {
    /// Steepest rising first.
    pub rising: Vec<Mover>,
    /// Steepest falling first.
    pub falling: Vec<Mover>,
}

/// The `k` entities with the highest and the lowest share slopes over the last `last_n`
/// non-overlapping windows of `a` (see [`Series::non_overlapping`]), each with its interval.
///
/// Entities are those with weight in any of those windows; ties in slope are broken by name.
pub fn top_movers(a: &Analysis, last_n: usize, k: usize, level: f64) -> Result<Movers, StatsError> {
    check_level(level)?;
    // Non-overlapping windows, newest last, computed once on a series every window has.
    let all = Series::per_window(a, String::new(), |_| 0.0)
        .non_overlapping(a)
        .last(last_n);
    let windows: Vec<usize> = all.points.iter().map(|p| p.window).collect();
    let mut names: Vec<&str> = windows
        .iter()
        .flat_map(|&i| a.windows[i].distribution.producers().iter())
        .map(|s| s.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut movers = Vec::with_capacity(names.len());
    for name in names {
        let full = Series::share(a, name);
        let s = Series {
            label: full.label,
            points: full
                .points
                .into_iter()
                .filter(|p| windows.contains(&p.window))
                .collect(),
        };
        let share_now = s.points.last().map_or(0.0, |p| p.value);
        movers.push(Mover {
            name: name.to_string(),
            share_now,
            trend: trend(&s, level)?,
        });
    }
    movers.sort_by(|a, b| {
        b.trend
            .slope_per_day
            .total_cmp(&a.trend.slope_per_day)
            .then_with(|| a.name.cmp(&b.name))
    });
    let rising = movers.iter().take(k).cloned().collect();
    let falling = movers.iter().rev().take(k).cloned().collect();
    Ok(Movers { rising, falling })
}

pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

pub(crate) fn add_days(date: NaiveDate, days: f64) -> Option<NaiveDate> {
    if !days.is_finite() || days.abs() > 1.0e6 {
        return None;
    }
    date.checked_add_signed(Duration::days(days.round() as i64))
}

pub(crate) fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    median_sorted(&s)
}

fn median_sorted(s: &[f64]) -> f64 {
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

/// Median absolute deviation from the median (unscaled).
pub(crate) fn mad(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let m = median(v);
    let dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    median(&dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Pinned from scipy 1.17: `scipy.stats.theilslopes(y, x, 0.95)`.
    #[test]
    fn matches_scipy_theilslopes() {
        let x: Vec<f64> = (0..12).map(f64::from).collect();
        let y = [1.0, 2.5, 2.0, 4.0, 3.5, 6.0, 5.5, 7.0, 9.5, 8.0, 10.0, 30.0];
        let f = theil_sen(&x, &y, 0.95).unwrap();
        assert_eq!([f.slope, f.intercept, f.lo, f.hi], [1.0, 0.25, 0.75, 1.5]);
        // Ties in x and in y, 90 %.
        let x = [0.0, 0.0, 1.0, 2.0, 3.0, 3.0, 3.0, 5.0, 8.0, 9.0];
        let y = [1.0, 2.0, 2.0, 3.0, 5.0, 4.0, 4.0, 6.0, 9.0, 9.0];
        let f = theil_sen(&x, &y, 0.90).unwrap();
        assert_eq!(f.slope, 1.0);
        assert_eq!(f.intercept, 1.0);
        assert!(
            (f.lo - 0.833_333_333_333_333_4).abs() < 1e-15 && f.hi == 1.0,
            "{f:?}"
        );
    }

    #[test]
    fn describe_in_points() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let pairs: Vec<_> = (0..20)
            .map(|i| {
                (
                    d0 + Duration::days(7 * i),
                    0.20 + 0.003 * i as f64 / 7.0 * 7.0,
                )
            })
            .collect();
        let t = trend(&Series::from_pairs("s", &pairs), 0.95).unwrap();
        // 0.003 per week = 0.0386 per 90 days.
        assert!((t.over(90.0).estimate - 0.003 / 7.0 * 90.0).abs() < 1e-12);
        assert!(t.significant);
        assert_eq!(
            t.describe_points(90),
            "+3.9 points per 90 days (95 % CI +3.9 to +3.9)"
        );
    }

    #[test]
    fn flat_noise_is_not_significant() {
        let y = [0.3, 0.31, 0.29, 0.3, 0.32, 0.28, 0.3, 0.31, 0.29, 0.3];
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let f = theil_sen(&x, &y, 0.95).unwrap();
        assert!(f.lo <= 0.0 && f.hi >= 0.0);
    }

    proptest::proptest! {
        /// Shifting and scaling `y` moves the fit the same way; the slope lies in its interval.
        #[test]
        fn affine_equivariance(
            y in proptest::collection::vec(-100i32..100, 3..30),
            a in -50i32..50,
            b in 1i32..10,
        ) {
            let x: Vec<f64> = (0..y.len()).map(|i| i as f64).collect();
            let y: Vec<f64> = y.iter().map(|&v| v as f64).collect();
            let f = theil_sen(&x, &y, 0.95).unwrap();
            let z: Vec<f64> = y.iter().map(|v| a as f64 + b as f64 * v).collect();
            let g = theil_sen(&x, &z, 0.95).unwrap();
            let close = |p: f64, q: f64| (p - q).abs() <= 1e-9 * (1.0 + q.abs());
            proptest::prop_assert!(close(g.slope, b as f64 * f.slope));
            proptest::prop_assert!(close(g.lo, b as f64 * f.lo) && close(g.hi, b as f64 * f.hi));
            proptest::prop_assert!(f.lo <= f.slope && f.slope <= f.hi);
        }
    }

    #[test]
    fn rejects_short_and_non_finite() {
        assert!(theil_sen(&[0.0, 1.0], &[1.0, 2.0], 0.95).is_err());
        assert!(theil_sen(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0], 0.95).is_err());
        assert!(theil_sen(&[0.0, 1.0, 2.0], &[1.0, f64::NAN, 3.0], 0.95).is_err());
    }
}

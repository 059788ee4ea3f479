//! Backtests decide whether a model may be used: fit on the history up to an origin,
//! simulate forward, and score the realised metrics against the predictive distribution —
//! coverage of the central 80 % and 95 % intervals and the CRPS — next to two naive
//! baselines: *last value* (nothing changes) and a *random walk* (Gaussian, variance per day
//! estimated from the training history's own increments of that metric).

use chrono::NaiveDate;
use powermap_stats::special::normal_quantile;
use serde::Serialize;

use crate::forecast::{quantile, Ensemble, RunOptions};
use crate::metrics::standard_values;
use crate::setup::Setup;
use crate::{fit, FitOptions, Metric, Result, Series};

/// Fewest snapshots a backtest needs (≥ 3 to train at the first origin, ≥ 1 to score).
pub const MIN_SNAPSHOTS: usize = 6;

/// Options of [`backtest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BacktestOptions {
    /// Forecast origins, spread over the second half of the history.
    pub origins: usize,
    /// Realised snapshots further than this from their origin are not scored.
    pub max_horizon_days: u32,
    /// Paths per origin.
    pub runs: usize,
    /// The fit at each origin.
    pub fit: FitOptions,
}

/// How the model compares with the baselines on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Lower mean CRPS than both baselines.
    Beats,
    /// Same mean CRPS as the best baseline (e.g. nothing moved and everyone said so).
    Ties,
    /// A baseline has a lower mean CRPS.
    Loses {
        /// The baselines that do better.
        to: Vec<&'static str>,
    },
}

/// Scores of one metric over every (origin, realised snapshot) pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The metric.
    pub metric: Metric,
    /// Pairs scored.
    pub cases: usize,
    /// Mean days from origin to realised snapshot.
    pub mean_horizon_days: f64,
    /// Mean CRPS of the model.
    pub crps_model: f64,
    /// Mean CRPS of "last value".
    pub crps_last_value: f64,
    /// Mean CRPS of the random walk.
    pub crps_random_walk: f64,
    /// How often the model's central 80 % interval held the realised value.
    pub coverage80: f64,
    /// … its central 95 % interval.
    pub coverage95: f64,
    /// How often the random walk's 80 % interval held it.
    pub rw_coverage80: f64,
    /// … its 95 % interval.
    pub rw_coverage95: f64,
    /// The comparison.
    pub verdict: Verdict,
}

/// A backtest, or why none was possible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// False when the series is too short to hold anything out.
    pub possible: bool,
    /// Why not, when not possible.
    pub reason: Option<String>,
    /// Forecast origins.
    pub origins: Vec<NaiveDate>,
    /// One row per metric with at least one scored case.
    pub scores: Vec<Score>,
    /// Metrics never scored (not determined in the data), with why.
    pub unscored: Vec<(String, String)>,
}

impl Backtest {
    /// One line per metric where a baseline beats the model; empty when it loses nowhere.
    pub fn warnings(&self) -> Vec<String> {
        if !self.possible {
            return vec![format!(
                "not backtested: {}; its forecasts are unvalidated",
                self.reason.as_deref().unwrap_or("too little history")
            )];
        }
        self.scores
            .iter()
            .filter_map(|s| match &s.verdict {
                Verdict::Loses { to } => Some(format!(
                    "the model loses to the {} baseline on {} (CRPS {:.4} vs {:.4}): on this metric it is no better than \"nothing changes\"",
                    to.join(" and "),
                    s.metric.label(),
                    s.crps_model,
                    s.crps_last_value.min(s.crps_random_walk)
                )),
                _ => None,
            })
            .collect()
    }
}

/// Runs the backtest of `series` (see the module docs).
pub fn backtest(
    series: &Series,
    opts: &BacktestOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Backtest> {
    let n = series.snapshots.len();
    if n < MIN_SNAPSHOTS {
        return Ok(Backtest {
            possible: false,
            reason: Some(format!(
                "{n} snapshot{} (a backtest needs at least {MIN_SNAPSHOTS}: history to fit and later snapshots to score)",
                if n == 1 { "" } else { "s" }
            )),
            origins: Vec::new(),
            scores: Vec::new(),
            unscored: Vec::new(),
        });
    }
    let metrics = Metric::standard();
    let mut origins: Vec<usize> = (0..opts.origins.max(1))
        .map(|k| {
            let f = 0.5 + 0.25 * k as f64 / (opts.origins.max(2) - 1) as f64;
            ((f * (n - 1) as f64).round() as usize).clamp(2, n - 2)
        })
        .collect();
    origins.dedup();
    let mut cases: Vec<Vec<Case>> = vec![Vec::new(); metrics.len()];
    for (k, &o) in origins.iter().enumerate() {
        let origin = series.snapshots[o].date;
        let train = series.until(origin).expect("origin is a snapshot date");
        let fit_opts = FitOptions {
            seed: opts.fit.seed.wrapping_add(1000 + k as u64),
            ..opts.fit
        };
        let model = fit(&train, &fit_opts, progress)?;
        let targets: Vec<usize> = (o + 1..n)
            .filter(|&t| {
                (series.snapshots[t].date - origin).num_days() <= opts.max_horizon_days as i64
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let mut days = vec![0];
        days.extend(
            targets
                .iter()
                .map(|&t| (series.snapshots[t].date - origin).num_days() as u32),
        );
        let sample = series.meta.measure.sampled().then(|| train.mean_total());
        let setup = Setup::new(train.last(), &series.entities, &[], None, origin, sample)?;
        let ens = Ensemble::simulate(
            &setup,
            &model.posterior,
            origin,
            days.clone(),
            metrics.clone(),
            &RunOptions {
                runs: opts.runs,
                seed: fit_opts.seed,
                threads: opts.fit.threads,
            },
            2,
            progress,
        );
        let history: Vec<(f64, [f64; 5])> = train
            .snapshots
            .iter()
            .map(|s| {
                (
                    (s.date - train.first().date).num_days() as f64,
                    standard_values(&s.weights, s.remainder),
                )
            })
            .collect();
        for (m, metric_cases) in cases.iter_mut().enumerate() {
            let last = history.last().expect("non-empty").1[m];
            let var = rw_variance(&history, m);
            for (c, &t) in targets.iter().enumerate() {
                let s = &series.snapshots[t];
                let y = standard_values(&s.weights, s.remainder)[m];
                let sorted = ens.sorted(m, c + 1);
                if y.is_nan() || last.is_nan() || sorted.is_empty() {
                    continue;
                }
                let h = days[c + 1] as f64;
                metric_cases.push(Case::score(
                    &sorted,
                    y,
                    last,
                    var.map(|v| (v * h).sqrt()),
                    h,
                ));
            }
        }
    }
    let mut scores = Vec::new();
    let mut unscored = Vec::new();
    for (m, c) in cases.iter().enumerate() {
        if c.is_empty() {
            unscored.push((
                metrics[m].label(),
                "not determined in the data (the named entities cannot reach the threshold)".into(),
            ));
            continue;
        }
        scores.push(Case::aggregate(metrics[m].clone(), c));
    }
    Ok(Backtest {
        possible: true,
        reason: None,
        origins: origins.iter().map(|&o| series.snapshots[o].date).collect(),
        scores,
        unscored,
    })
}

/// Random-walk variance per day of metric `m` over the history: mean of `(Δm)² / Δt` over
/// adjacent determined pairs.
fn rw_variance(history: &[(f64, [f64; 5])], m: usize) -> Option<f64> {
    let v: Vec<f64> = history
        .windows(2)
        .filter(|p| !p[0].1[m].is_nan() && !p[1].1[m].is_nan() && p[1].0 > p[0].0)
        .map(|p| (p[1].1[m] - p[0].1[m]).powi(2) / (p[1].0 - p[0].0))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[derive(Debug, Clone, Copy)]
struct Case {
    horizon: f64,
    model: f64,
    last: f64,
    rw: f64,
    in80: bool,
    in95: bool,
    rw80: bool,
    rw95: bool,
}

impl Case {
    fn score(sorted: &[f64], y: f64, last: f64, rw_sd: Option<f64>, horizon: f64) -> Case {
        let within = |lo: f64, hi: f64| lo <= y && y <= hi;
        let sd = rw_sd.unwrap_or(0.0);
        let rw = if sd > 0.0 {
            let grid: Vec<f64> = (0..200)
                .map(|i| last + sd * normal_quantile((i as f64 + 0.5) / 200.0))
                .collect();
            crps(&grid, y)
        } else {
            (y - last).abs()
        };
        Case {
            horizon,
            model: crps(sorted, y),
            last: (y - last).abs(),
            rw,
            in80: within(quantile(sorted, 0.1), quantile(sorted, 0.9)),
            in95: within(quantile(sorted, 0.025), quantile(sorted, 0.975)),
            rw80: (y - last).abs() <= 1.281_551_565_5 * sd,
            rw95: (y - last).abs() <= 1.959_963_985 * sd,
        }
    }

    fn aggregate(metric: Metric, c: &[Case]) -> Score {
        let n = c.len() as f64;
        let mean = |f: &dyn Fn(&Case) -> f64| c.iter().map(f).sum::<f64>() / n;
        let frac = |f: &dyn Fn(&Case) -> bool| c.iter().filter(|x| f(x)).count() as f64 / n;
        let (model, last, rw) = (mean(&|x| x.model), mean(&|x| x.last), mean(&|x| x.rw));
        let tol = 1e-12 * model.abs().max(1.0);
        let mut to = Vec::new();
        if last < model - tol {
            to.push("last-value");
        }
        if rw < model - tol {
            to.push("random-walk");
        }
        let verdict = if !to.is_empty() {
            Verdict::Loses { to }
        } else if (last - model).abs() <= tol || (rw - model).abs() <= tol {
            Verdict::Ties
        } else {
            Verdict::Beats
        };
        Score {
            metric,
            cases: c.len(),
            mean_horizon_days: mean(&|x| x.horizon),
            crps_model: model,
            crps_last_value: last,
            crps_random_walk: rw,
            coverage80: frac(&|x| x.in80),
            coverage95: frac(&|x| x.in95),
            rw_coverage80: frac(&|x| x.rw80),
            rw_coverage95: frac(&|x| x.rw95),
            verdict,
        }
    }
}

/// CRPS of the empirical distribution of `sorted` at `y`:
/// `mean|X − y| − ½ mean|X − X′|` (Gneiting & Raftery 2007, eq. 21).
pub fn crps(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    if sorted.is_empty() {
        return f64::NAN;
    }
    let a: f64 = sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    let b: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - n + 1.0) * x)
        .sum::<f64>()
        / (n * n);
    a - b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_of_a_point_mass_is_the_absolute_error() {
        assert!((crps(&[2.0, 2.0, 2.0], 5.0) - 3.0).abs() < 1e-12);
        // Two equally likely values 0 and 1, outcome 0: E|X − 0| = 0.5, ½E|X − X'| = 0.25.
        assert!((crps(&[0.0, 1.0], 0.0) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn crps_of_the_normal_grid_matches_the_closed_form() {
        // CRPS(N(0,1), 0) = 2φ(0) − 1/√π = 0.2336949.
        let grid: Vec<f64> = (0..2000)
            .map(|i| normal_quantile((i as f64 + 0.5) / 2000.0))
            .collect();
        assert!((crps(&grid, 0.0) - 0.233_694_9).abs() < 2e-3);
    }
}

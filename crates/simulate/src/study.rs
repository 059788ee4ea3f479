//! One network's whole study: fit, backtest, and every scenario simulated to the horizon,
//! with the "if nobody acts" probabilities and the mechanism comparison.

use chrono::{Duration, NaiveDate};
use powermap_model::Threshold;
use serde::Serialize;

use crate::backtest::{backtest, Backtest, BacktestOptions};
use crate::engine::Cost;
use crate::forecast::{quantile, Cmp, Ensemble, Fan, RunOptions};
use crate::metrics::standard_values;
use crate::scenario::{Rule, Scenario, ScenarioSet, BASELINE};
use crate::setup::Setup;
use crate::{fit, Fit, FitOptions, Metric, Result, Series, SeriesMeta, SimulateError};

/// Everything a study needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StudyOptions {
    /// Days simulated after the last snapshot.
    pub horizon_days: u32,
    /// Days between checkpoints (fan-chart points; events are checked at checkpoints).
    pub step_days: u32,
    /// Paths per scenario.
    pub runs: usize,
    /// Seed of everything (fit, backtest, paths).
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Simulations and kept draws per round of the fit.
    pub fit: FitOptions,
    /// The backtest (its `fit` is ignored: the study's `fit` is used with derived seeds).
    pub backtest: BacktestOptions,
}

/// The default days between checkpoints for a horizon: weekly, or about 104 checkpoints
/// when that is coarser (a fan chart needs no more; first-passage events are checked there).
pub fn checkpoint_step(horizon_days: u32) -> u32 {
    (horizon_days / 104).max(7)
}

impl StudyOptions {
    /// Defaults for a 2-core machine: 2 years, weekly checkpoints, 2,000 paths per
    /// scenario, a fit of 1,500 simulations (4 rounds keeping 75 each), backtest with 3
    /// origins × 500 paths.
    pub fn new(seed: u64, threads: usize) -> StudyOptions {
        let fit = FitOptions {
            sims: 1500,
            accept: 75,
            seed,
            threads,
        };
        StudyOptions {
            horizon_days: 730,
            step_days: 7,
            runs: 2000,
            seed,
            threads,
            fit,
            backtest: BacktestOptions {
                origins: 3,
                max_horizon_days: 365,
                runs: 500,
                fit,
            },
        }
    }

    /// Small numbers for examples and tests (seconds in a debug build).
    pub fn quick(seed: u64) -> StudyOptions {
        let mut o = StudyOptions::new(seed, 2);
        o.horizon_days = 60;
        o.step_days = 10;
        o.runs = 60;
        o.fit.sims = 80;
        o.fit.accept = 16;
        o.backtest.fit = o.fit;
        o.backtest.runs = 40;
        o
    }

    fn check(&self) -> Result<()> {
        let bad = |name, message: String| Err(SimulateError::Option { name, message });
        if self.runs == 0 || self.runs > 1_000_000 {
            return bad("runs", format!("{} is outside 1–1,000,000", self.runs));
        }
        if self.horizon_days == 0 || self.horizon_days > 36_500 {
            return bad(
                "horizon",
                format!("{} days is outside 1–36,500", self.horizon_days),
            );
        }
        if self.step_days == 0 || self.step_days > self.horizon_days {
            return bad(
                "step",
                format!("{} days is outside 1–horizon", self.step_days),
            );
        }
        if self.threads == 0 {
            return bad("threads", "must be at least 1".into());
        }
        Ok(())
    }
}

/// The probability of one event by a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The metric.
    pub metric: Metric,
    /// Which side.
    pub cmp: Cmp,
    /// The value compared with.
    pub value: f64,
    /// The date by which (first passage, checked at checkpoints).
    pub by: NaiveDate,
    /// Fraction of paths where it happens.
    pub probability: f64,
    /// Fraction of paths where the metric is not determined at that date.
    pub undetermined: f64,
}

/// A metric's value now and its distribution at the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The metric.
    pub metric: Metric,
    /// Value in the last snapshot (NaN: not determined).
    pub now: f64,
    /// Median at the horizon.
    pub median: f64,
    /// Central 80 % interval.
    pub p80: [f64; 2],
    /// Central 95 % interval.
    pub p95: [f64; 2],
    /// Fraction of paths where it is not determined at the horizon.
    pub undetermined: f64,
}

/// One scenario simulated to the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioOutcome {
    /// Scenario id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Its rules, each with a source.
    pub rules: Vec<Rule>,
    /// Every metric at the horizon.
    pub at_horizon: Vec<Outcome>,
    /// Event probabilities.
    pub events: Vec<Event>,
    /// What its rules cost.
    pub cost: Cost,
    /// Fan charts, one per metric.
    pub fans: Vec<Fan>,
}

/// The observed series, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// What it is.
    pub meta: SeriesMeta,
    /// First snapshot.
    pub from: NaiveDate,
    /// Last snapshot (the simulation starts here).
    pub to: NaiveDate,
    /// Snapshots.
    pub snapshots: usize,
    /// Entities with weight in the last snapshot.
    pub entities: usize,
    /// Range of the remainder's share `[min, max]`.
    pub remainder: [f64; 2],
    /// The standard metrics per snapshot (history of the fan charts).
    pub history: Vec<(NaiveDate, [f64; 5])>,
}

/// A network's study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Study {
    /// The data.
    pub series: SeriesSummary,
    /// The calibrated model.
    pub fit: Fit,
    /// Its backtest.
    pub backtest: Backtest,
    /// What every reader must know before using a number (backtest losses, coverage).
    pub warnings: Vec<String>,
    /// The scenario file used.
    pub scenario_file: Option<String>,
    /// Elasticity β of delegation to yield, and its source.
    pub yield_elasticity: (f64, String),
    /// Last simulated day.
    pub horizon: NaiveDate,
    /// Every scenario, the status quo first.
    pub scenarios: Vec<ScenarioOutcome>,
    /// The options used.
    pub options: StudyOptions,
}

impl Study {
    /// Runs the study of `series` under `scenarios` (file name for errors); without a file,
    /// only the status quo. `progress` is called with units of work done (fit draws and
    /// paths; [`Study::work`] gives the total).
    pub fn run(
        series: &Series,
        scenarios: Option<(&ScenarioSet, &str)>,
        opts: &StudyOptions,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Study> {
        opts.check()?;
        let fit_opts = FitOptions {
            seed: opts.seed,
            threads: opts.threads,
            ..opts.fit
        };
        let model = fit(series, &fit_opts, progress)?;
        let bt_opts = BacktestOptions {
            fit: fit_opts,
            ..opts.backtest
        };
        let bt = backtest(series, &bt_opts, progress)?;
        let baseline = Scenario {
            id: BASELINE.into(),
            title: "If nobody acts".into(),
            description: "The status quo: the fitted dynamics and no new rule.".into(),
            rules: Vec::new(),
        };
        let (list, beta, beta_source, file): (Vec<&Scenario>, f64, String, Option<&str>) =
            match scenarios {
                Some((set, file)) => (
                    set.scenarios.iter().collect(),
                    set.yield_elasticity,
                    set.yield_elasticity_source.clone(),
                    Some(file),
                ),
                None => (vec![&baseline], 0.0, "no scenario file".into(), None),
            };
        let start = series.last().date;
        let mut days: Vec<u32> = (0..=opts.horizon_days)
            .step_by(opts.step_days as usize)
            .collect();
        if days.last() != Some(&opts.horizon_days) {
            days.push(opts.horizon_days);
        }
        let metrics = metric_list(series);
        let history: Vec<(NaiveDate, [f64; 5])> = series
            .snapshots
            .iter()
            .map(|s| (s.date, standard_values(&s.weights, s.remainder)))
            .collect();
        let now = history.last().expect("a series is never empty").1;
        let mut outcomes = Vec::new();
        for (k, sc) in list.iter().enumerate() {
            let setup = Setup::new(
                series.last(),
                &series.entities,
                &series.groupings,
                Some((sc, beta, file.unwrap_or("scenario"))),
                start,
                // Forecasts and events are about the shares themselves; only the backtest,
                // which scores measured windows, adds the sampling noise of block counts.
                None,
            )?;
            let ens = Ensemble::simulate(
                &setup,
                &model.posterior,
                start,
                days.clone(),
                metrics.clone(),
                &RunOptions {
                    runs: opts.runs,
                    seed: opts.seed,
                    threads: opts.threads,
                },
                10 + k as u64,
                progress,
            );
            let mut now_all = now.to_vec();
            now_all.extend(group_tops(series));
            outcomes.push(outcome(sc, &ens, &now_all, opts));
        }
        let mut warnings = bt.warnings();
        let missed: Vec<&str> = model
            .checks
            .iter()
            .filter(|c| c.observed < c.simulated[0] || c.observed > c.simulated[2])
            .map(|c| c.name)
            .collect();
        if missed.len() * 2 >= model.checks.len() {
            warnings.push(format!(
                "the fitted model reproduces only {} of {} summaries of the data (fit check below): it is misspecified for this series, so its paths describe the model more than the network",
                model.checks.len() - missed.len(),
                model.checks.len()
            ));
        }
        let (lo, hi) = series.remainder_range();
        if hi > 0.0 {
            warnings.push(format!(
                "{:.0}–{:.0} % of the weight belongs to no entity ({}); it is read as dispersed, so a coalition the named entities cannot form is \"not determined\" and HHI is a lower bound",
                lo * 100.0,
                hi * 100.0,
                series.meta.coverage
            ));
        }
        Ok(Study {
            series: SeriesSummary {
                meta: series.meta.clone(),
                from: series.first().date,
                to: start,
                snapshots: series.snapshots.len(),
                entities: series.last().weights.iter().filter(|&&w| w > 0.0).count(),
                remainder: [lo, hi],
                history,
            },
            fit: model,
            backtest: bt,
            warnings,
            scenario_file: file.map(str::to_string),
            yield_elasticity: (beta, beta_source),
            horizon: start + Duration::days(opts.horizon_days as i64),
            scenarios: outcomes,
            options: *opts,
        })
    }

    /// Units of progress [`Study::run`] reports for `scenarios` scenarios on a series of
    /// `snapshots` snapshots.
    pub fn work(opts: &StudyOptions, scenarios: usize, snapshots: usize) -> u64 {
        let origins = if snapshots >= crate::MIN_SNAPSHOTS {
            opts.backtest.origins as u64
        } else {
            0
        };
        opts.fit.sims as u64 * (1 + origins)
            + origins * opts.backtest.runs as u64
            + scenarios.max(1) as u64 * opts.runs as u64
    }

    /// The status-quo scenario.
    pub fn baseline(&self) -> &ScenarioOutcome {
        &self.scenarios[0]
    }
}

/// The standard metrics, plus the top share of each grouping.
fn metric_list(series: &Series) -> Vec<Metric> {
    let mut m = Metric::standard();
    m.extend(series.groupings.iter().map(|g| Metric::TopGroupShare {
        kind: g.kind.clone(),
    }));
    m
}

/// The largest group's share in the last snapshot, per grouping.
fn group_tops(series: &Series) -> Vec<f64> {
    let last = series.last();
    series
        .groupings
        .iter()
        .map(|g| {
            let mut by: std::collections::HashMap<&str, f64> = Default::default();
            for (i, l) in g.labels.iter().enumerate() {
                if !l.is_empty() {
                    *by.entry(l).or_default() += last.weights[i];
                }
            }
            by.values().copied().fold(0.0, f64::max) / last.total()
        })
        .collect()
}

fn outcome(sc: &Scenario, ens: &Ensemble, now: &[f64], opts: &StudyOptions) -> ScenarioOutcome {
    let last = ens.days.len() - 1;
    let at_horizon = (0..ens.metrics.len())
        .map(|m| {
            let v = ens.sorted(m, last);
            Outcome {
                metric: ens.metrics[m].clone(),
                now: now.get(m).copied().unwrap_or(f64::NAN),
                median: quantile(&v, 0.5),
                p80: [quantile(&v, 0.1), quantile(&v, 0.9)],
                p95: [quantile(&v, 0.025), quantile(&v, 0.975)],
                undetermined: ens.undetermined(m, last),
            }
        })
        .collect();
    let mut dates = vec![ens.dates[last]];
    if opts.horizon_days > 365 {
        dates.insert(0, ens.dates[0] + Duration::days(365));
    }
    let mut events = Vec::new();
    for (m, metric) in ens.metrics.iter().enumerate() {
        let cur = now.get(m).copied().unwrap_or(f64::NAN);
        let targets: Vec<(Cmp, f64)> = match metric {
            // One entity fewer than today suffices; and the headline sizes: one entity alone
            // at 1/3, two at 1/2.
            Metric::Nakamoto { threshold } if cur.is_finite() => {
                let headline = if *threshold == Threshold::THIRD {
                    1.0
                } else if *threshold == Threshold::HALF {
                    2.0
                } else {
                    cur - 1.0
                };
                let mut ks: Vec<f64> = [headline, cur - 1.0]
                    .into_iter()
                    .filter(|&k| k >= 1.0 && k < cur)
                    .collect();
                ks.sort_by(f64::total_cmp);
                ks.dedup();
                ks.into_iter().map(|k| (Cmp::AtMost, k)).collect()
            }
            Metric::TopShare | Metric::TopGroupShare { .. } => [1.0 / 3.0, 0.5]
                .into_iter()
                .filter(|&x| cur.is_nan() || cur < x)
                .map(|x| (Cmp::AtLeast, x))
                .collect(),
            _ => Vec::new(),
        };
        for (cmp, x) in targets {
            for &by in &dates {
                let c = ens.checkpoint_by(by).unwrap_or(last);
                let (p, und) = ens.prob_by(m, cmp, x, c);
                events.push(Event {
                    metric: metric.clone(),
                    cmp,
                    value: x,
                    by,
                    probability: p,
                    undetermined: und,
                });
            }
        }
    }
    ScenarioOutcome {
        id: sc.id.clone(),
        title: sc.title.clone(),
        description: sc.description.clone(),
        rules: sc.rules.clone(),
        at_horizon,
        events,
        cost: ens.cost,
        fans: (0..ens.metrics.len()).map(|m| ens.fan(m)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let mut o = StudyOptions::quick(1);
        o.step_days = 0;
        assert!(o.check().is_err());
        let o = StudyOptions::new(1, crate::default_threads());
        assert!(o.check().is_ok());
    }
}

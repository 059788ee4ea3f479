//! Ensembles of simulated paths: fan charts, probabilities of events by a date, and the
//! values at the horizon.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::engine::{Cost, State};
use crate::random::Rng;
use crate::setup::Setup;
use crate::{parallel, Dynamics, Metric};

/// How many paths, from which seed, on how many threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunOptions {
    /// Paths per scenario.
    pub runs: usize,
    /// Seed: the same seed gives the same result on any machine and thread count.
    pub seed: u64,
    /// Threads (≥ 1).
    pub threads: usize,
}

/// Which side of a value an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// `value ≤ x` (a Nakamoto coefficient falling to x).
    AtMost,
    /// `value ≥ x` (a share rising to x).
    AtLeast,
}

impl Cmp {
    fn holds(self, v: f64, x: f64) -> bool {
        match self {
            Cmp::AtMost => v <= x,
            Cmp::AtLeast => v >= x,
        }
    }

    /// `≤` or `≥`.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::AtMost => "≤",
            Cmp::AtLeast => "≥",
        }
    }
}

/// Quantiles of one metric at every checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fan {
    /// The metric.
    pub metric: Metric,
    /// Checkpoint dates.
    pub dates: Vec<NaiveDate>,
    /// Per date: 2.5 %, 10 %, 50 %, 90 %, 97.5 % quantiles (NaN when not determined in
    /// every path).
    pub quantiles: Vec<[f64; 5]>,
    /// Per date: fraction of paths where the metric is not determined.
    pub undetermined: Vec<f64>,
}

/// The quantile levels of a [`Fan`].
pub const FAN_LEVELS: [f64; 5] = [0.025, 0.1, 0.5, 0.9, 0.975];

/// Simulated paths of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Ensemble {
    /// Metrics recorded, in column order.
    pub metrics: Vec<Metric>,
    /// Checkpoint offsets in days from the start (0 = the starting state).
    pub days: Vec<u32>,
    /// Checkpoint dates.
    pub dates: Vec<NaiveDate>,
    /// Number of paths.
    pub runs: usize,
    /// `[run][checkpoint][metric]`, NaN = not determined.
    values: Vec<f32>,
    /// Mean cost of the scenario's rules.
    pub cost: Cost,
}

impl Ensemble {
    /// Simulates `opts.runs` paths from `setup`, each with parameters drawn from
    /// `posterior`, recording `metrics` on `days` (sorted, may start with 0). `stream`
    /// separates the random streams of different purposes under one seed. `progress` is
    /// called once per finished path.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn simulate(
        setup: &Setup,
        posterior: &[Dynamics],
        start: NaiveDate,
        days: Vec<u32>,
        metrics: Vec<Metric>,
        opts: &RunOptions,
        stream: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Ensemble {
        let last = days.last().copied().unwrap_or(0);
        let width = days.len() * metrics.len();
        let per_run = parallel::map(opts.runs, opts.threads, |run| {
            let mut rng = Rng::for_run(opts.seed, stream, run as u64);
            let d = posterior[rng.below(posterior.len())];
            let mut st = State::new(setup, d, last);
            let mut row = Vec::with_capacity(width);
            let mut buf = Vec::new();
            let mut next = 0;
            let mut since = 0;
            if days.first() == Some(&0) {
                st.values(false, &mut rng, &mut buf);
                row.extend(buf.iter().map(|&v| v as f32));
                next = 1;
            }
            for day in 1..=last {
                st.step(day, &mut rng);
                since += 1;
                let record = days.get(next) == Some(&day);
                if record || since >= 28 {
                    st.refresh(since, &mut rng);
                    since = 0;
                }
                if record {
                    st.values(true, &mut rng, &mut buf);
                    row.extend(buf.iter().map(|&v| v as f32));
                    next += 1;
                }
            }
            progress(1);
            (row, st.cost())
        });
        let mut values = Vec::with_capacity(opts.runs * width);
        let mut cost = Cost::default();
        for (row, c) in &per_run {
            values.extend_from_slice(row);
            cost.top_yield_loss += c.top_yield_loss;
            cost.redirected += c.redirected;
            cost.removed += c.removed;
            cost.migrations += c.migrations;
        }
        let n = opts.runs.max(1) as f64;
        cost.top_yield_loss /= n;
        cost.redirected /= n;
        cost.removed /= n;
        cost.migrations /= n;
        let dates = days
            .iter()
            .map(|&d| start + Duration::days(d as i64))
            .collect();
        Ensemble {
            metrics,
            days,
            dates,
            runs: opts.runs,
            values,
            cost,
        }
    }

    /// Values of metric `m` at checkpoint `c`, one per path (NaN = not determined).
    pub fn samples(&self, m: usize, c: usize) -> impl Iterator<Item = f64> + '_ {
        let (nm, nc) = (self.metrics.len(), self.days.len());
        (0..self.runs).map(move |r| self.values[(r * nc + c) * nm + m] as f64)
    }

    /// Determined values of metric `m` at checkpoint `c`, sorted.
    pub fn sorted(&self, m: usize, c: usize) -> Vec<f64> {
        let mut v: Vec<f64> = self.samples(m, c).filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// Fraction of paths where metric `m` is not determined at checkpoint `c`.
    pub fn undetermined(&self, m: usize, c: usize) -> f64 {
        self.samples(m, c).filter(|x| x.is_nan()).count() as f64 / self.runs.max(1) as f64
    }

    /// The fan chart of metric `m`.
    pub fn fan(&self, m: usize) -> Fan {
        let quantiles = (0..self.days.len())
            .map(|c| {
                let v = self.sorted(m, c);
                FAN_LEVELS.map(|p| quantile(&v, p))
            })
            .collect();
        Fan {
            metric: self.metrics[m].clone(),
            dates: self.dates.clone(),
            quantiles,
            undetermined: (0..self.days.len())
                .map(|c| self.undetermined(m, c))
                .collect(),
        }
    }

    /// The last checkpoint on or before `date`, if any.
    pub fn checkpoint_by(&self, date: NaiveDate) -> Option<usize> {
        self.dates.iter().rposition(|&d| d <= date)
    }

    /// Probability that metric `m` satisfies `cmp x` at some checkpoint after the start up
    /// to checkpoint `c` (first passage, checked at checkpoints), and the fraction of paths
    /// where it is not determined at `c`.
    pub fn prob_by(&self, m: usize, cmp: Cmp, x: f64, c: usize) -> (f64, f64) {
        let (nm, nc) = (self.metrics.len(), self.days.len());
        let first = usize::from(self.days.first() == Some(&0));
        let hits = (0..self.runs)
            .filter(|&r| {
                (first..=c).any(|k| {
                    let v = self.values[(r * nc + k) * nm + m] as f64;
                    !v.is_nan() && cmp.holds(v, x)
                })
            })
            .count();
        (
            hits as f64 / self.runs.max(1) as f64,
            self.undetermined(m, c),
        )
    }

    /// Probability that metric `m` satisfies `cmp x` at checkpoint `c`.
    pub fn prob_at(&self, m: usize, cmp: Cmp, x: f64, c: usize) -> f64 {
        let hits = self
            .samples(m, c)
            .filter(|&v| !v.is_nan() && cmp.holds(v, x))
            .count();
        hits as f64 / self.runs.max(1) as f64
    }
}

/// Quantile `p` of sorted values (linear interpolation between order statistics); NaN when
/// empty.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[1.0], 0.9), 1.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}

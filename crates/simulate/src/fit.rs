//! Calibration by approximate Bayesian computation (ABC).
//!
//! **Why ABC and not likelihood.** The model moves weight in discrete events, lets entities
//! enter and exit, drifts non-linearly in `alpha`, and block-count series see it through
//! multinomial sampling; its likelihood over irregular observation gaps has no closed form.
//! ABC needs only the simulator, so the model that is fitted is exactly the one that
//! forecasts.
//!
//! **Method.** Draw parameters from the prior, simulate the calibration period from the first
//! snapshot (observing it on the data's own dates, with sampling noise for block counts),
//! reduce each path and the data to [`SUMMARIES`], keep the `accept` closest draws (Euclidean
//! distance after scaling each summary by its MAD over all draws), then apply the
//! local-linear regression adjustment of Beaumont, Zhang & Balding (Genetics 162, 2002) with
//! Epanechnikov weights. The adjusted draws are the posterior; forecasts draw from it, so
//! parameter uncertainty is in every interval.

use chrono::NaiveDate;
use serde::Serialize;

use crate::engine::State;
use crate::forecast::quantile;
use crate::random::Rng;
use crate::setup::Setup;
use crate::{parallel, Dynamics, Result, Series, SimulateError};

/// Summaries the fit matches, in order.
pub const SUMMARIES: [&str; 7] = [
    "top share trend (per year)",
    "top-3 share trend (per year)",
    "HHI trend (0–1 scale, per year)",
    "ln share variance per day, adjacent snapshots",
    "ln share variance per day, long lag",
    "ln share gained by new entities per day",
    "ln share lost by exiting entities per day",
];

/// Prior bounds: `alpha` uniform, moves and chunk log-uniform, entry uniform.
const PRIOR: [(f64, f64); 4] = [(0.6, 1.4), (0.5, 50.0), (1e-5, 2e-2), (0.0, 0.2)];

/// Options of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FitOptions {
    /// Prior draws simulated.
    pub sims: usize,
    /// Draws kept (the closest).
    pub accept: usize,
    /// Seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            sims: 1500,
            accept: 75,
            seed: 1,
            threads: parallel::default_threads(),
        }
    }
}

/// A fitted parameter: posterior median and 95 % interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Parameter name.
    pub name: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Posterior median.
    pub median: f64,
    /// 2.5 % quantile.
    pub lo: f64,
    /// 97.5 % quantile.
    pub hi: f64,
}

/// How well the accepted draws reproduce one summary of the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryCheck {
    /// The summary.
    pub name: &'static str,
    /// Its value on the data.
    pub observed: f64,
    /// 2.5 %, 50 %, 97.5 % over the accepted simulations.
    pub simulated: [f64; 3],
}

/// A calibrated model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// How it was fitted.
    pub method: &'static str,
    /// First and last snapshot used.
    pub from: NaiveDate,
    /// Last snapshot used.
    pub to: NaiveDate,
    /// Snapshots used.
    pub snapshots: usize,
    /// Prior draws simulated and draws accepted.
    pub sims: usize,
    /// Draws accepted.
    pub accepted: usize,
    /// Posterior summaries of each parameter.
    pub params: Vec<Estimate>,
    /// Data summaries against the accepted simulations.
    pub checks: Vec<SummaryCheck>,
    /// The posterior draws (regression-adjusted).
    #[serde(skip)]
    pub posterior: Vec<Dynamics>,
}

/// The method string every output carries.
pub const METHOD: &str = "ABC: rejection on 7 summaries + local-linear regression adjustment (Beaumont, Zhang & Balding 2002)";

/// Fits the dynamics to `series` (needs ≥ 2 snapshots).
pub fn fit(series: &Series, opts: &FitOptions, progress: &(dyn Fn(u64) + Sync)) -> Result<Fit> {
    if series.snapshots.len() < 2 {
        return Err(SimulateError::Series {
            network: series.meta.network.clone(),
            message: "one snapshot cannot calibrate dynamics (at least 2 are needed)".into(),
        });
    }
    if opts.sims < 10 || opts.accept < 5 || opts.accept > opts.sims {
        return Err(SimulateError::Option {
            name: "fit",
            message: format!(
                "need sims ≥ 10 and 5 ≤ accept ≤ sims (got {} and {})",
                opts.sims, opts.accept
            ),
        });
    }
    let first = series.first();
    let days: Vec<u32> = series
        .snapshots
        .iter()
        .map(|s| (s.date - first.date).num_days() as u32)
        .collect();
    let sampled = series.meta.measure.sampled();
    let sizes: Vec<f64> = series.snapshots.iter().map(|s| s.total()).collect();
    let observed: Vec<(Vec<f64>, f64)> = series
        .snapshots
        .iter()
        .map(|s| {
            let t = s.total();
            (s.weights.iter().map(|w| w / t).collect(), s.remainder / t)
        })
        .collect();
    let s_obs = summaries(&days, &observed);
    let setup = Setup::new(first, &series.entities, &[], None, first.date, None)?;
    let sims = parallel::map(opts.sims, opts.threads, |j| {
        let mut rng = Rng::for_run(opts.seed, STREAM, j as u64);
        let theta = draw(&mut rng);
        let path = simulate_path(
            &setup,
            theta,
            &days,
            sampled.then_some(&sizes[..]),
            &mut rng,
        );
        progress(1);
        (theta, summaries(&days, &path))
    });
    let scale: Vec<f64> = (0..SUMMARIES.len())
        .map(|k| mad(&sims.iter().map(|s| s.1[k]).collect::<Vec<_>>()))
        .collect();
    let dist = |s: &[f64; 7]| -> f64 {
        (0..7)
            .filter(|&k| scale[k] > 0.0)
            .map(|k| ((s[k] - s_obs[k]) / scale[k]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let mut order: Vec<(f64, usize)> = sims
        .iter()
        .enumerate()
        .map(|(j, s)| (dist(&s.1), j))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    order.truncate(opts.accept);
    let accepted: Vec<&(Dynamics, [f64; 7])> = order.iter().map(|&(_, j)| &sims[j]).collect();
    let posterior = adjust(&accepted, &order, &s_obs, &scale);
    let checks = (0..7)
        .map(|k| {
            let mut v: Vec<f64> = accepted.iter().map(|a| a.1[k]).collect();
            v.sort_by(f64::total_cmp);
            SummaryCheck {
                name: SUMMARIES[k],
                observed: s_obs[k],
                simulated: [quantile(&v, 0.025), quantile(&v, 0.5), quantile(&v, 0.975)],
            }
        })
        .collect();
    Ok(Fit {
        method: METHOD,
        from: first.date,
        to: series.last().date,
        snapshots: series.snapshots.len(),
        sims: opts.sims,
        accepted: opts.accept,
        params: estimates(&posterior),
        checks,
        posterior,
    })
}

/// Random stream of the fit.
const STREAM: u64 = 1;

fn draw(rng: &mut Rng) -> Dynamics {
    let uni = |rng: &mut Rng, (lo, hi): (f64, f64)| lo + (hi - lo) * rng.uniform();
    let log =
        |rng: &mut Rng, (lo, hi): (f64, f64)| (lo.ln() + (hi.ln() - lo.ln()) * rng.uniform()).exp();
    Dynamics {
        alpha: uni(rng, PRIOR[0]),
        moves_per_day: log(rng, PRIOR[1]),
        inflows_per_day: 0.0,
        chunk: log(rng, PRIOR[2]),
        entry: uni(rng, PRIOR[3]),
    }
}

/// Shares observed on `days` along one simulated path (with sampling noise when `sizes`
/// gives each snapshot's block count).
fn simulate_path(
    setup: &Setup,
    d: Dynamics,
    days: &[u32],
    sizes: Option<&[f64]>,
    rng: &mut Rng,
) -> Vec<(Vec<f64>, f64)> {
    let last = *days.last().unwrap_or(&0);
    let mut st = State::new(setup, d, last);
    let mut out = Vec::with_capacity(days.len());
    let snap = |st: &State, k: usize, rng: &mut Rng| match sizes {
        Some(n) => st.observed(n[k], rng),
        None => st.shares(),
    };
    out.push(snap(&st, 0, rng));
    let mut since = 0;
    let mut k = 1;
    for day in 1..=last {
        st.step(day, rng);
        since += 1;
        if since >= 28 {
            st.refresh(since, rng);
            since = 0;
        }
        while k < days.len() && days[k] == day {
            out.push(snap(&st, k, rng));
            k += 1;
        }
    }
    out
}

/// The summaries of one series of share vectors observed on `days`.
pub(crate) fn summaries(days: &[u32], shares: &[(Vec<f64>, f64)]) -> [f64; 7] {
    let year = |slope: f64| slope * 365.0;
    let x: Vec<f64> = days.iter().map(|&d| d as f64).collect();
    let stats: Vec<[f64; 5]> = shares
        .iter()
        .map(|(s, rest)| crate::metrics::standard_values(s, *rest))
        .collect();
    let top: Vec<f64> = stats.iter().map(|v| v[3]).collect();
    let hhi: Vec<f64> = stats.iter().map(|v| v[4] / 10_000.0).collect();
    let cr3: Vec<f64> = shares
        .iter()
        .map(|(s, _)| {
            let mut v = s.clone();
            v.sort_by(|a, b| b.total_cmp(a));
            v.iter().take(3).sum()
        })
        .collect();
    let get = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
    let pair = |a: usize, b: usize| {
        let (sa, sb) = (&shares[a].0, &shares[b].0);
        let n = sa.len().max(sb.len());
        let mut sq = (shares[a].1 - shares[b].1).powi(2);
        let (mut born, mut died) = (0.0, 0.0);
        for i in 0..n {
            let (p, q) = (get(sa, i), get(sb, i));
            sq += (q - p).powi(2);
            if p == 0.0 && q > 0.0 {
                born += q;
            }
            if p > 0.0 && q == 0.0 {
                died += p;
            }
        }
        let dt = (days[b] - days[a]).max(1) as f64;
        (sq / dt, born / dt, died / dt)
    };
    let adjacent: Vec<(f64, f64, f64)> = (1..shares.len()).map(|k| pair(k - 1, k)).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let span = (days[days.len() - 1] - days[0]) as f64;
    let lag = (span / 3.0).max(1.0);
    let long: Vec<f64> = (0..shares.len())
        .filter_map(|a| {
            let b = (a + 1..shares.len()).find(|&b| (days[b] - days[a]) as f64 >= lag)?;
            Some(pair(a, b).0)
        })
        .collect();
    let v_short = mean(&adjacent.iter().map(|p| p.0).collect::<Vec<_>>());
    let v_long = if long.is_empty() {
        v_short
    } else {
        mean(&long)
    };
    [
        year(slope(&x, &top)),
        year(slope(&x, &cr3)),
        year(slope(&x, &hhi)),
        (v_short + 1e-14).ln(),
        (v_long + 1e-14).ln(),
        (mean(&adjacent.iter().map(|p| p.1).collect::<Vec<_>>()) + 1e-9).ln(),
        (mean(&adjacent.iter().map(|p| p.2).collect::<Vec<_>>()) + 1e-9).ln(),
    ]
}

/// Least-squares slope of `y` on `x` (0 when `x` does not vary).
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// Median absolute deviation, scaled to a standard deviation under normality; falls back to
/// the standard deviation when more than half the values are equal.
fn mad(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.to_vec();
    s.sort_by(f64::total_cmp);
    let med = quantile(&s, 0.5);
    let mut dev: Vec<f64> = s.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let m = 1.4826 * quantile(&dev, 0.5);
    if m > 0.0 {
        return m;
    }
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

/// Parameters on the scale the regression works on: alpha, ln moves, ln chunk, entry.
fn to_phi(d: &Dynamics) -> [f64; 4] {
    [d.alpha, d.moves_per_day.ln(), d.chunk.ln(), d.entry]
}

fn from_phi(p: [f64; 4]) -> Dynamics {
    let clamp = |x: f64, (lo, hi): (f64, f64)| x.clamp(lo, hi);
    Dynamics {
        alpha: clamp(p[0], PRIOR[0]),
        moves_per_day: clamp(p[1].exp(), PRIOR[1]),
        inflows_per_day: 0.0,
        chunk: clamp(p[2].exp(), PRIOR[2]),
        entry: clamp(p[3], PRIOR[3]),
    }
}

/// Beaumont et al.'s adjustment: regress each parameter on the scaled summaries with
/// Epanechnikov weights and move every draw along the fitted plane to the observed summaries.
fn adjust(
    accepted: &[&(Dynamics, [f64; 7])],
    order: &[(f64, usize)],
    s_obs: &[f64; 7],
    scale: &[f64],
) -> Vec<Dynamics> {
    let used: Vec<usize> = (0..7).filter(|&k| scale[k] > 0.0).collect();
    let h = order.last().map_or(1.0, |o| o.0).max(1e-12) * 1.0001;
    let z =
        |s: &[f64; 7]| -> Vec<f64> { used.iter().map(|&k| (s[k] - s_obs[k]) / scale[k]).collect() };
    let p = used.len() + 1;
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![[0.0; 4]; p];
    for (a, o) in accepted.iter().zip(order) {
        let wgt = 1.0 - (o.0 / h).powi(2);
        let mut x = vec![1.0];
        x.extend(z(&a.1));
        let phi = to_phi(&a.0);
        for r in 0..p {
            for c in 0..p {
                xtx[r][c] += wgt * x[r] * x[c];
            }
            for (t, ph) in phi.iter().enumerate() {
                xty[r][t] += wgt * x[r] * ph;
            }
        }
    }
    // A small ridge keeps the system solvable when a summary barely varies among the kept.
    for (r, row) in xtx.iter_mut().enumerate().skip(1) {
        row[r] += 1e-6 + 1e-3 * row[r];
    }
    let beta: Vec<Option<Vec<f64>>> = (0..4)
        .map(|t| solve(xtx.clone(), xty.iter().map(|r| r[t]).collect()))
        .collect();
    accepted
        .iter()
        .map(|a| {
            let zs = z(&a.1);
            let mut phi = to_phi(&a.0);
            for (t, b) in beta.iter().enumerate() {
                if let Some(b) = b {
                    phi[t] -= zs.iter().zip(&b[1..]).map(|(x, c)| x * c).sum::<f64>();
                }
            }
            from_phi(phi)
        })
        .collect()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (head, tail) = a.split_at_mut(col + 1);
        let pivot = &head[col];
        for (k, row) in tail.iter_mut().enumerate() {
            let f = row[col] / pivot[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot[col..]) {
                *x -= f * p;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn estimates(post: &[Dynamics]) -> Vec<Estimate> {
    let est = |name, meaning, f: &dyn Fn(&Dynamics) -> f64| {
        let mut v: Vec<f64> = post.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        Estimate {
            name,
            meaning,
            median: quantile(&v, 0.5),
            lo: quantile(&v, 0.025),
            hi: quantile(&v, 0.975),
        }
    };
    vec![
        est(
            "alpha",
            "economies of scale (1 = proportional; > 1 concentrates)",
            &|d| d.alpha,
        ),
        est(
            "turnover",
            "share of all weight that changes hands per day",
            &|d| d.turnover(),
        ),
        est("moves_per_day", "reallocation decisions per day", &|d| {
            d.moves_per_day
        }),
        est("chunk", "share of the total moved per decision", &|d| {
            d.chunk
        }),
        est(
            "entry",
            "probability that moved weight founds a new entity",
            &|d| d.entry,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_small_systems() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
    }

    #[test]
    fn summaries_see_trends_entry_and_exit() {
        let shares = vec![
            (vec![0.5, 0.5, 0.0], 0.0),
            (vec![0.6, 0.3, 0.1], 0.0),
            (vec![0.7, 0.0, 0.3], 0.0),
        ];
        let s = summaries(&[0, 365, 730], &shares);
        assert!((s[0] - 0.1).abs() < 1e-12, "{s:?}");
        assert!(s[5] > (1e-9f64).ln() && s[6] > (1e-9f64).ln());
    }
}

//! Change points in the mean of a series: PELT (Killick, Fearnhead & Eckley 2012, *JASA*
//! 107(500), "Optimal Detection of Changepoints With a Linear Computational Cost").
//!
//! * **Model.** Piecewise-constant mean plus Gaussian noise of common variance `σ²`. The cost
//!   of a segment is its residual sum of squares divided by `σ²` (twice the negative Gaussian
//!   log-likelihood up to a constant), so a segmentation's objective is
//!   `Σ RSS(segment)/σ² + β · (number of changes)`.
//! * **Search.** PELT finds the exact minimiser of that objective (the same answer as Jackson
//!   et al.'s O(n²) optimal partitioning, [`optimal_partitioning`], which the tests compare it
//!   with), pruning candidates that can never be optimal again. The Gaussian cost satisfies
//!   the paper's condition `C(a..c) ≥ C(a..b) + C(b..c)` with `K = 0`. With a minimum segment
//!   length `m`, a candidate pruned at time `t` is only dropped from `t + m` on, because the
//!   pruning argument needs the segment after `t` to be admissible.
//! * **Noise level.** `σ` is estimated robustly from the first differences:
//!   `σ̂ = 1.4826 · MAD(Δy) / √2`. Differencing removes the piecewise-constant mean except at
//!   the few change points, and the MAD ignores those outliers (Fryzlewicz 2014, WBS, uses the
//!   same estimator). If the MAD is 0 (a noise-free step), the standard deviation of the
//!   differences is used instead.
//! * **Penalty** `β` in units of `σ²` (see [`Penalty`]); the default [`Penalty::Bic`] is
//!   `2 ln n`: Schwarz's criterion counting a change's location and its new mean as two
//!   parameters.

use std::ops::Range;

use serde::Serialize;

use powermap_model::Analysis;

use crate::trend::mad;
use crate::StatsError;

/// Penalty per change point, in units of `σ²`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    /// `2 ln n` (default): BIC with two parameters per change (location and mean). This is
    /// twice R `changepoint`'s `"BIC"` for a mean change, which counts only the new mean;
    /// the larger value guards better against the mild autocorrelation of window series.
    #[default]
    Bic,
    /// `3 ln n`: the per-change term of Zhang & Siegmund's (2007) modified BIC, R
    /// `changepoint`'s `"MBIC"` `pen.value`. The MBIC's segment-length term is omitted (it is
    /// not additive per segment in the form PELT needs).
    Mbic,
    /// A given value, in units of `σ²`.
    Manual(f64),
}

impl Penalty {
    /// The penalty value for a series of `n` points.
    pub fn value(self, n: usize) -> f64 {
        let ln = (n.max(2) as f64).ln();
        match self {
            Penalty::Bic => 2.0 * ln,
            Penalty::Mbic => 3.0 * ln,
            Penalty::Manual(v) => v,
        }
    }
}

/// Options of [`pelt`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeltOptions {
    /// Penalty per change (default [`Penalty::Bic`]).
    pub penalty: Penalty,
    /// Minimum number of points in a segment (default 2, at least 1).
    pub min_segment: usize,
    /// Noise standard deviation; `None` (default) estimates it robustly from the data.
    pub sigma: Option<f64>,
}

impl Default for PeltOptions {
    fn default() -> Self {
        PeltOptions {
            penalty: Penalty::Bic,
            min_segment: 2,
            sigma: None,
        }
    }
}

/// The optimal segmentation of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segmentation {
    /// Change indices, increasing: a new segment starts at each (so `0 < c < n`).
    pub changes: Vec<usize>,
    /// Mean of each segment (`changes.len() + 1` values).
    pub means: Vec<f64>,
    /// The noise level used.
    pub sigma: f64,
    /// The penalty used, in units of `σ²`.
    pub penalty: f64,
    /// The minimised objective `Σ RSS/σ² + penalty · changes`.
    pub cost: f64,
    /// Number of points.
    pub n: usize,
}

impl Segmentation {
    /// The segments as index ranges, in order.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut bounds = vec![0];
        bounds.extend(&self.changes);
        bounds.push(self.n);
        bounds.windows(2).map(|w| w[0]..w[1]).collect()
    }
}

/// Robust noise level `1.4826 · MAD(Δy) / √2`, falling back to the standard deviation of
/// the differences when the MAD is 0. 0 for a constant series or fewer than 2 points.
pub fn robust_sigma(y: &[f64]) -> f64 {
    let d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return 0.0;
    }
    let s = 1.4826 * mad(&d) / std::f64::consts::SQRT_2;
    if s > 0.0 {
        return s;
    }
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / d.len() as f64;
    var.sqrt() / std::f64::consts::SQRT_2
}

/// Prefix sums for O(1) segment costs.
struct Costs {
    s1: Vec<f64>,
    s2: Vec<f64>,
    inv_var: f64,
}

impl Costs {
    fn new(y: &[f64], sigma: f64) -> Self {
        let mut s1 = vec![0.0; y.len() + 1];
        let mut s2 = vec![0.0; y.len() + 1];
        for (i, &v) in y.iter().enumerate() {
            s1[i + 1] = s1[i] + v;
            s2[i + 1] = s2[i] + v * v;
        }
        Costs {
            s1,
            s2,
            inv_var: 1.0 / (sigma * sigma),
        }
    }

    /// RSS of `y[a..b]` about its mean, over `σ²`.
    fn cost(&self, a: usize, b: usize) -> f64 {
        let len = (b - a) as f64;
        let sum = self.s1[b] - self.s1[a];
        let rss = (self.s2[b] - self.s2[a]) - sum * sum / len;
        rss.max(0.0) * self.inv_var
    }

    fn mean(&self, a: usize, b: usize) -> f64 {
        (self.s1[b] - self.s1[a]) / (b - a) as f64
    }
}

struct Prepared {
    costs: Costs,
    sigma: f64,
    beta: f64,
    m: usize,
}

fn prepare(y: &[f64], opts: &PeltOptions) -> Result<Option<Prepared>, StatsError> {
    if opts.min_segment == 0 {
        return Err(StatsError::BadParameter {
            name: "min_segment",
            reason: "must be at least 1".into(),
        });
    }
    if let Some(v) = y.iter().find(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite {
            what: "series value",
            value: *v,
        });
    }
    let beta = opts.penalty.value(y.len());
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(StatsError::BadParameter {
            name: "penalty",
            reason: format!("{beta} is not a finite value ≥ 0"),
        });
    }
    let sigma = match opts.sigma {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(StatsError::BadParameter {
                name: "sigma",
                reason: format!("{s} is not a finite value > 0"),
            })
        }
        Some(s) => s,
        None => robust_sigma(y),
    };
    if sigma == 0.0 || y.len() < 2 * opts.min_segment {
        // A constant series, or too short to hold two segments: no change.
        return Ok(None);
    }
    Ok(Some(Prepared {
        costs: Costs::new(y, sigma),
        sigma,
        beta,
        m: opts.min_segment,
    }))
}

fn no_change(y: &[f64], opts: &PeltOptions) -> Segmentation {
    let mean = if y.is_empty() {
        0.0
    } else {
        y.iter().sum::<f64>() / y.len() as f64
    };
    Segmentation {
        changes: vec![],
        means: if y.is_empty() { vec![] } else { vec![mean] },
        sigma: opts.sigma.unwrap_or_else(|| robust_sigma(y)),
        penalty: opts.penalty.value(y.len()),
        cost: 0.0,
        n: y.len(),
    }
}

fn backtrack(p: &Prepared, last: &[usize], f: &[f64], n: usize) -> Segmentation {
    let mut changes = Vec::new();
    let mut t = n;
    while t > 0 {
        let tau = last[t];
        if tau > 0 {
            changes.push(tau);
        }
        t = tau;
    }
    changes.reverse();
    let mut s = Segmentation {
        changes,
        means: vec![],
        sigma: p.sigma,
        penalty: p.beta,
        cost: f[n],
        n,
    };
    s.means = s
        .segments()
        .iter()
        .map(|r| p.costs.mean(r.start, r.end))
        .collect();
    s
}

/// PELT: the exact penalised optimal segmentation of `y` for changes in mean.
pub fn pelt(y: &[f64], opts: &PeltOptions) -> Result<Segmentation, StatsError> {
    let Some(p) = prepare(y, opts)? else {
        return Ok(no_change(y, opts));
    };
    let (n, m) = (y.len(), p.m);
    let mut f = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    f[0] = -p.beta;
    // (candidate τ, time at which it was found prunable).
    let mut cands: Vec<(usize, Option<usize>)> = vec![(0, None)];
    for t in m..=n {
        // Drop candidates whose pruning has become valid (pruned at s, now t ≥ s + m).
        cands.retain(|&(_, pruned)| pruned.is_none_or(|s| t < s + m));
        let mut best = f64::INFINITY;
        let mut arg = 0;
        for &(tau, _) in &cands {
            if tau + m > t {
                break; // candidates are increasing; the rest are too recent
            }
            let v = f[tau] + p.costs.cost(tau, t) + p.beta;
            if v < best {
                best = v;
                arg = tau;
            }
        }
        f[t] = best;
        last[t] = arg;
        for c in cands.iter_mut() {
            if c.0 + m > t {
                break;
            }
            if c.1.is_none() && f[c.0] + p.costs.cost(c.0, t) > f[t] {
                c.1 = Some(t);
            }
        }
        if t + m <= n {
            cands.push((t, None));
        }
    }
    Ok(backtrack(&p, &last, &f, n))
}

/// Optimal partitioning (Jackson et al. 2005): the same objective as [`pelt`] searched
/// without pruning in O(n²). The reference the property tests compare PELT against.
pub fn optimal_partitioning(y: &[f64], opts: &PeltOptions) -> Result<Segmentation, StatsError> {
    let Some(p) = prepare(y, opts)? else {
        return Ok(no_change(y, opts));
    };
    let (n, m) = (y.len(), p.m);
    let mut f = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    f[0] = -p.beta;
    for t in m..=n {
        for tau in (0..=t - m).filter(|&tau| tau == 0 || tau >= m) {
            let v = f[tau] + p.costs.cost(tau, t) + p.beta;
            if v < f[t] {
                f[t] = v;
                last[t] = tau;
            }
        }
    }
    Ok(backtrack(&p, &last, &f, n))
}

/// How one entity's mean share moved across a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityShift {
    /// Entity name.
    pub name: String,
    /// Mean share over the windows before.
    pub before: f64,
    /// Mean share over the windows after.
    pub after: f64,
    /// `after − before`.
    pub delta: f64,
}

/// Entities whose mean shares moved most between two ranges of windows of `a` (indices into
/// [`Analysis::windows`]; empty windows are skipped), largest `|delta|` first, ties by name.
///
/// Typically `before` and `after` are the segments on either side of a change point,
/// mapped from series indices to windows through [`Point::window`](crate::Point).
pub fn entity_shifts(a: &Analysis, before: Range<usize>, after: Range<usize>) -> Vec<EntityShift> {
    let mean_shares = |r: Range<usize>| -> (std::collections::BTreeMap<&str, f64>, usize) {
        let mut sums = std::collections::BTreeMap::new();
        let mut count = 0;
        for w in &a.windows[r] {
            let d = &w.distribution;
            if d.is_empty() {
                continue;
            }
            count += 1;
            for s in d.producers() {
                *sums.entry(s.name.as_str()).or_insert(0.0) += s.weight / d.total();
            }
        }
        (sums, count)
    };
    let (b, nb) = mean_shares(before);
    let (c, nc) = mean_shares(after);
    let mut names: Vec<&str> = b.keys().chain(c.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    let avg = |m: &std::collections::BTreeMap<&str, f64>, k: &str, n: usize| {
        if n == 0 {
            0.0
        } else {
            m.get(k).copied().unwrap_or(0.0) / n as f64
        }
    };
    let mut out: Vec<EntityShift> = names
        .into_iter()
        .map(|name| {
            let (x, y) = (avg(&b, name, nb), avg(&c, name, nc));
            EntityShift {
                name: name.to_string(),
                before: x,
                after: y,
                delta: y - x,
            }
        })
        .collect();
    out.sort_by(|p, q| {
        q.delta
            .abs()
            .total_cmp(&p.delta.abs())
            .then_with(|| p.name.cmp(&q.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SplitMix64;
    use proptest::prelude::*;

    /// Standard normal draws by Box–Muller from SplitMix64.
    fn gaussian(rng: &mut SplitMix64) -> f64 {
        let u = |r: &mut SplitMix64| ((r.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let (a, b) = (u(rng), u(rng));
        (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
    }

    #[test]
    fn noise_free_step() {
        let y: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 5.0 }).collect();
        let s = pelt(&y, &PeltOptions::default()).unwrap();
        assert_eq!(s.changes, [50]);
        assert_eq!(s.means, [0.0, 5.0]);
        assert_eq!(s.segments(), [0..50, 50..100]);
    }

    #[test]
    fn constant_series_has_no_change() {
        let s = pelt(&[3.0; 20], &PeltOptions::default()).unwrap();
        assert!(s.changes.is_empty());
        assert_eq!(s.means, [3.0]);
    }

    /// Killick et al.'s (2012, §4) and R `changepoint`'s `cpt.mean` demonstration shape:
    /// four segments of 100 points with unit-variance noise; the jumps here are 1.5–3 σ.
    #[test]
    fn classic_mean_shifts() {
        let mut rng = SplitMix64::new(2012);
        let means = [0.0, 3.0, 1.0, 2.5];
        let y: Vec<f64> = means
            .iter()
            .flat_map(|&m| (0..100).map(move |_| m))
            .map(|m| m + gaussian(&mut rng))
            .collect();
        for penalty in [Penalty::Bic, Penalty::Mbic] {
            let s = pelt(
                &y,
                &PeltOptions {
                    penalty,
                    ..PeltOptions::default()
                },
            )
            .unwrap();
            assert_eq!(s.changes.len(), 3, "{penalty:?}: {:?}", s.changes);
            for (got, want) in s.changes.iter().zip([100, 200, 300]) {
                assert!(got.abs_diff(want) <= 3, "{penalty:?}: {:?}", s.changes);
            }
            for (got, want) in s.means.iter().zip(means) {
                assert!((got - want).abs() < 0.3, "{:?}", s.means);
            }
            assert!((s.sigma - 1.0).abs() < 0.15, "sigma {}", s.sigma);
        }
        // Pure noise: no change.
        let noise: Vec<f64> = (0..400).map(|_| gaussian(&mut rng)).collect();
        assert!(pelt(&noise, &PeltOptions::default())
            .unwrap()
            .changes
            .is_empty());
    }

    #[test]
    fn min_segment_is_respected() {
        // A one-point spike cannot be its own segment with m = 3.
        let mut y = vec![0.0; 30];
        y[10] = 50.0;
        let o = PeltOptions {
            min_segment: 3,
            sigma: Some(1.0),
            ..PeltOptions::default()
        };
        let s = pelt(&y, &o).unwrap();
        assert!(s.segments().iter().all(|r| r.len() >= 3), "{s:?}");
        assert_eq!(s, optimal_partitioning(&y, &o).unwrap());
    }

    #[test]
    fn rejects_bad_options() {
        let zero = PeltOptions {
            min_segment: 0,
            ..PeltOptions::default()
        };
        assert!(pelt(&[1.0, 2.0], &zero).is_err());
        assert!(pelt(&[1.0, f64::NAN], &PeltOptions::default()).is_err());
        let neg = PeltOptions {
            penalty: Penalty::Manual(-1.0),
            ..PeltOptions::default()
        };
        assert!(pelt(&[1.0, 2.0, 3.0, 4.0], &neg).is_err());
    }

    proptest! {
        #[test]
        fn pelt_equals_optimal_partitioning(
            base in prop::collection::vec(0u8..6, 2..40),
            steps in prop::collection::vec((0usize..40, -8i8..8), 0..4),
            m in 1usize..5,
            pen in 0.0f64..12.0,
        ) {
            let mut y: Vec<f64> = base.iter().map(|&v| v as f64).collect();
            for (at, by) in steps {
                for v in y.iter_mut().skip(at) {
                    *v += by as f64;
                }
            }
            for penalty in [Penalty::Manual(pen), Penalty::Bic] {
                let o = PeltOptions { penalty, min_segment: m, sigma: None };
                let fast = pelt(&y, &o).unwrap();
                let slow = optimal_partitioning(&y, &o).unwrap();
                prop_assert!((fast.cost - slow.cost).abs() <= 1e-9 * (1.0 + slow.cost.abs()),
                    "{fast:?} vs {slow:?}");
                prop_assert_eq!(&fast.changes, &slow.changes);
                prop_assert!(fast.changes.is_empty() || fast.segments().iter().all(|r| r.len() >= m));
            }
        }
    }
}

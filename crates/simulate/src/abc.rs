//! The machinery of approximate Bayesian computation: the prior, the population Monte Carlo
//! kernel (Beaumont, Cornuet, Marin & Robert, Biometrika 96, 2009), the regression adjustment
//! (Beaumont, Zhang & Balding, Genetics 162, 2002) and weighted resampling.
//!
//! Parameters are handled on the scale `φ = (alpha, ln moves, ln chunk, entry)`, where the
//! prior is uniform on a box.

use crate::random::Rng;
use crate::summary::NS;
use crate::Dynamics;

/// Prior box on φ's natural scale: `alpha` uniform, moves and chunk log-uniform, entry
/// uniform. Wide enough for a young validator set where a few percent move at once (dYdX's
/// first year).
pub(crate) const PRIOR: [(f64, f64); 4] = [(0.5, 1.5), (0.2, 50.0), (1e-5, 5e-2), (0.0, 0.5)];

/// Fewest accepted draws for the regression adjustment (8 coefficients per parameter);
/// with fewer, the posterior is the plain accepted sample.
const MIN_FOR_REGRESSION: usize = 40;

/// A parameter vector on the φ scale.
pub(crate) type Phi = [f64; 4];

/// The parameter set of φ, clamped into the prior box.
pub(crate) fn from_phi(p: Phi) -> Dynamics {
    let clamp = |x: f64, (lo, hi): (f64, f64)| x.clamp(lo, hi);
    Dynamics {
        alpha: clamp(p[0], PRIOR[0]),
        moves_per_day: clamp(p[1].exp(), PRIOR[1]),
        inflows_per_day: 0.0,
        chunk: clamp(p[2].exp(), PRIOR[2]),
        entry: clamp(p[3], PRIOR[3]),
    }
}

/// The prior box on the φ scale.
fn bounds() -> [(f64, f64); 4] {
    [
        PRIOR[0],
        (PRIOR[1].0.ln(), PRIOR[1].1.ln()),
        (PRIOR[2].0.ln(), PRIOR[2].1.ln()),
        PRIOR[3],
    ]
}

/// A draw from the prior.
pub(crate) fn draw_prior(rng: &mut Rng) -> Phi {
    bounds().map(|(lo, hi)| lo + (hi - lo) * rng.uniform())
}

/// The PMC proposal: a Gaussian around each weighted parent, covariance twice the parents'
/// weighted covariance.
pub(crate) struct Kernel {
    parents: Vec<Phi>,
    /// Normalised parent weights and their running sums (for drawing a parent).
    weights: Vec<f64>,
    cumulative: Vec<f64>,
    /// Lower Cholesky factor of the covariance.
    chol: [[f64; 4]; 4],
}

impl Kernel {
    /// The kernel around `parents` with their importance weights.
    pub(crate) fn new(parents: Vec<(Phi, f64)>) -> Kernel {
        let total: f64 = parents.iter().map(|p| p.1).sum::<f64>().max(1e-300);
        let weights: Vec<f64> = parents.iter().map(|p| p.1 / total).collect();
        let parents: Vec<Phi> = parents.into_iter().map(|p| p.0).collect();
        let mean: Phi =
            std::array::from_fn(|k| parents.iter().zip(&weights).map(|(p, w)| w * p[k]).sum());
        let mut cov = [[0.0; 4]; 4];
        for (p, w) in parents.iter().zip(&weights) {
            for r in 0..4 {
                for c in 0..4 {
                    cov[r][c] += 2.0 * w * (p[r] - mean[r]) * (p[c] - mean[c]);
                }
            }
        }
        // A floor on each variance (1 % of the prior's width, squared) keeps the kernel
        // proper when the parents agree on a coordinate.
        for (k, (lo, hi)) in bounds().iter().enumerate() {
            cov[k][k] += (0.01 * (hi - lo)).powi(2);
        }
        let cumulative = weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        Kernel {
            parents,
            weights,
            cumulative,
            chol: cholesky(cov),
        }
    }

    /// A proposal inside the prior box (a prior draw after 100 misses).
    pub(crate) fn propose(&self, rng: &mut Rng) -> Phi {
        let b = bounds();
        for _ in 0..100 {
            let u = rng.uniform();
            let k = self
                .cumulative
                .partition_point(|&c| c < u)
                .min(self.parents.len() - 1);
            let p = self.parents[k];
            let z: [f64; 4] = std::array::from_fn(|_| rng.normal());
            let x: Phi = std::array::from_fn(|r| {
                p[r] + (0..=r).map(|c| self.chol[r][c] * z[c]).sum::<f64>()
            });
            if x.iter().zip(b).all(|(v, (lo, hi))| (lo..=hi).contains(v)) {
                return x;
            }
        }
        draw_prior(rng)
    }

    /// The proposal density at `x`, up to a constant factor.
    pub(crate) fn density(&self, x: &Phi) -> f64 {
        self.parents
            .iter()
            .zip(&self.weights)
            .map(|(p, w)| {
                // Solve L y = x − p; the density is exp(−|y|²/2).
                let mut y = [0.0; 4];
                for r in 0..4 {
                    let s: f64 = (0..r).map(|c| self.chol[r][c] * y[c]).sum();
                    y[r] = (x[r] - p[r] - s) / self.chol[r][r];
                }
                w * (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
            })
            .sum()
    }
}

fn cholesky(a: [[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut l = [[0.0; 4]; 4];
    for r in 0..4 {
        for c in 0..=r {
            let s: f64 = (0..c).map(|k| l[r][k] * l[c][k]).sum();
            if r == c {
                l[r][c] = (a[r][r] - s).max(1e-18).sqrt();
            } else {
                l[r][c] = (a[r][c] - s) / l[c][c];
            }
        }
    }
    l
}

/// One accepted draw: parameters, summaries, distance to the data, importance weight.
pub(crate) struct Draw {
    pub phi: Phi,
    pub summaries: [f64; NS],
    pub distance: f64,
    pub weight: f64,
}

/// Beaumont et al.'s adjustment: regress each parameter on the scaled summaries with
/// Epanechnikov × importance weights and move every draw along the fitted plane to the
/// observed summaries.
///
/// The plane is only trusted inside the accepted draws: where the data lies outside their
/// range on a summary (the model cannot reproduce it), the target is the nearest edge of
/// that range, so the adjustment never extrapolates.
pub(crate) fn adjust(accepted: &[Draw], s_obs: &[f64; NS], scale: &[f64]) -> Vec<Phi> {
    if accepted.len() < MIN_FOR_REGRESSION {
        return accepted.iter().map(|a| a.phi).collect();
    }
    let used: Vec<usize> = (0..NS).filter(|&k| scale[k] > 0.0).collect();
    let target: Vec<f64> = (0..NS)
        .map(|k| {
            let (lo, hi) = accepted
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), a| {
                    (lo.min(a.summaries[k]), hi.max(a.summaries[k]))
                });
            s_obs[k].clamp(lo, hi)
        })
        .collect();
    let h = accepted.iter().map(|a| a.distance).fold(1e-12, f64::max) * 1.0001;
    let z = |s: &[f64; NS]| -> Vec<f64> {
        used.iter()
            .map(|&k| (s[k] - target[k]) / scale[k])
            .collect()
    };
    let p = used.len() + 1;
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![[0.0; 4]; p];
    for a in accepted {
        let wgt = a.weight * (1.0 - (a.distance / h).powi(2));
        let mut x = vec![1.0];
        x.extend(z(&a.summaries));
        for r in 0..p {
            for c in 0..p {
                xtx[r][c] += wgt * x[r] * x[c];
            }
            for (t, ph) in a.phi.iter().enumerate() {
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
            let zs = z(&a.summaries);
            let mut phi = a.phi;
            for (t, b) in beta.iter().enumerate() {
                if let Some(b) = b {
                    phi[t] -= zs.iter().zip(&b[1..]).map(|(x, c)| x * c).sum::<f64>();
                }
            }
            phi
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

/// `m` equally weighted draws from `items` with `weights` (systematic resampling).
pub(crate) fn resample<T: Copy>(items: &[T], weights: &[f64], m: usize, rng: &mut Rng) -> Vec<T> {
    let total: f64 = weights.iter().sum();
    if items.is_empty() || total.is_nan() || total <= 0.0 {
        return items.to_vec();
    }
    let step = total / m as f64;
    let mut u = rng.uniform() * step;
    let (mut acc, mut i) = (weights[0], 0);
    let mut out = Vec::with_capacity(m);
    for _ in 0..m {
        while u > acc && i + 1 < items.len() {
            i += 1;
            acc += weights[i];
        }
        out.push(items[i]);
        u += step;
    }
    out
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
    fn kernel_proposes_inside_the_prior_and_its_density_peaks_at_parents() {
        let mut rng = Rng::for_run(1, 0, 0);
        let parents: Vec<Phi> = (0..10).map(|_| draw_prior(&mut rng)).collect();
        let k = Kernel::new(parents.iter().map(|&p| (p, 1.0)).collect());
        let b = bounds();
        for _ in 0..200 {
            let x = k.propose(&mut rng);
            assert!(x.iter().zip(b).all(|(v, (lo, hi))| (lo..=hi).contains(v)));
        }
        let far: Phi = [10.0, 10.0, 10.0, 10.0];
        assert!(k.density(&parents[0]) > k.density(&far));
    }

    #[test]
    fn resampling_follows_the_weights() {
        let mut rng = Rng::for_run(2, 0, 0);
        let out = resample(&[1, 2, 3], &[0.0, 3.0, 1.0], 400, &mut rng);
        assert!(!out.contains(&1));
        assert_eq!(out.iter().filter(|&&x| x == 2).count(), 300);
    }
}

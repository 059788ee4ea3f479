//! The machinery of approximate Bayesian computation: the prior, the population Monte Carlo
//! kernel (Beaumont, Cornuet, Marin & Robert, Biometrika 96, 2009) and weighted resampling.
//!
//! Parameters are handled on the scale `φ = (alpha, ln chunk, entry)`, where the prior is
//! uniform on a box. Moves per day are fixed ([`MOVES_PER_DAY`]): share series identify the
//! diffusion (∝ moves × chunk²) and the drift (∝ moves × chunk × (alpha − 1)), not moves and
//! chunk separately, and leaving both free made the posterior wander between seeds.

use crate::random::Rng;
use crate::summary::NS;
use crate::Dynamics;

/// Reallocation decisions per day in every fitted model (see the module docs).
pub(crate) const MOVES_PER_DAY: f64 = 1.0;

/// Dimensions of φ.
const D: usize = 3;

/// Prior box on φ's natural scale: `alpha` uniform, chunk log-uniform, entry uniform. Wide
/// enough for a young validator set where several percent move at once (dYdX's first year).
pub(crate) const PRIOR: [(f64, f64); D] = [(0.5, 1.5), (1e-5, 0.1), (0.0, 0.5)];

/// A parameter vector on the φ scale.
pub(crate) type Phi = [f64; D];

/// The parameter set of φ, clamped into the prior box.
pub(crate) fn from_phi(p: Phi) -> Dynamics {
    let clamp = |x: f64, (lo, hi): (f64, f64)| x.clamp(lo, hi);
    Dynamics {
        alpha: clamp(p[0], PRIOR[0]),
        moves_per_day: MOVES_PER_DAY,
        inflows_per_day: 0.0,
        chunk: clamp(p[1].exp(), PRIOR[1]),
        entry: clamp(p[2], PRIOR[2]),
    }
}

/// The prior box on the φ scale.
fn bounds() -> [(f64, f64); D] {
    [PRIOR[0], (PRIOR[1].0.ln(), PRIOR[1].1.ln()), PRIOR[2]]
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
    chol: [[f64; D]; D],
}

impl Kernel {
    /// The kernel around `parents` with their importance weights.
    pub(crate) fn new(parents: Vec<(Phi, f64)>) -> Kernel {
        let total: f64 = parents.iter().map(|p| p.1).sum::<f64>().max(1e-300);
        let weights: Vec<f64> = parents.iter().map(|p| p.1 / total).collect();
        let parents: Vec<Phi> = parents.into_iter().map(|p| p.0).collect();
        let mean: Phi =
            std::array::from_fn(|k| parents.iter().zip(&weights).map(|(p, w)| w * p[k]).sum());
        let mut cov = [[0.0; D]; D];
        for (p, w) in parents.iter().zip(&weights) {
            for r in 0..D {
                for c in 0..D {
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
            let z: [f64; D] = std::array::from_fn(|_| rng.normal());
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
                let mut y = [0.0; D];
                for r in 0..D {
                    let s: f64 = (0..r).map(|c| self.chol[r][c] * y[c]).sum();
                    y[r] = (x[r] - p[r] - s) / self.chol[r][r];
                }
                w * (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
            })
            .sum()
    }
}

fn cholesky(a: [[f64; D]; D]) -> [[f64; D]; D] {
    let mut l = [[0.0; D]; D];
    for r in 0..D {
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
    fn kernel_proposes_inside_the_prior_and_its_density_peaks_at_parents() {
        let mut rng = Rng::for_run(1, 0, 0);
        let parents: Vec<Phi> = (0..10).map(|_| draw_prior(&mut rng)).collect();
        let k = Kernel::new(parents.iter().map(|&p| (p, 1.0)).collect());
        let b = bounds();
        for _ in 0..200 {
            let x = k.propose(&mut rng);
            assert!(x.iter().zip(b).all(|(v, (lo, hi))| (lo..=hi).contains(v)));
        }
        let far: Phi = [10.0; D];
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

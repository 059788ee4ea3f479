//! An interval for the Nakamoto coefficient of a block-count window, by parametric
//! bootstrap.
//!
//! **Model.** Each block in a window is won by entity `i` with probability `pᵢ`, its share of
//! the hash power, independently of the other blocks; the `n` blocks of a window are thus one
//! multinomial sample `Multinomial(n, p)`. The observed counts estimate `p` by `kᵢ/n`.
//!
//! **Method.** Draw `B` (default 1000) windows of `n` blocks from `Multinomial(n, k/n)` with a
//! seeded [`SplitMix64`](crate::SplitMix64), compute the Nakamoto coefficient of each with
//! the same exact threshold rule as `powermap-metrics`, and report the 2.5 % and 97.5 %
//! quantiles (inverse empirical CDF, `sorted[⌈qB⌉ − 1]`) and the fractions of replicates whose
//! coefficient is at most, and below, the observed one. The same seed always gives the same result.
//!
//! **Why a bootstrap.** The coefficient is a step function of the order statistics of the
//! shares; it has no usable closed-form sampling distribution, and the binomial test of one
//! coalition share (is the top-k share above t?) only answers for one fixed k. Resampling
//! answers "how often would sampling noise alone have produced a different coefficient?"
//! directly, including near-ties at the threshold where it matters most.
//!
//! **Limits.** The bootstrap is conditional on the observed shares: entities that found no
//! block in the window are never drawn, and with a coalition share sitting right on the
//! threshold the interval reflects that (it spans both sides). It measures sampling noise
//! only, not attribution error.

use serde::Serialize;

use powermap_model::{Boundary, Distribution, Threshold};

use crate::error::check_level;
use crate::interval::counts_total;
use crate::{SplitMix64, StatsError};

/// Options of [`nakamoto_interval`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapOptions {
    /// Number of bootstrap replicates `B` (default 1000).
    pub replicates: u32,
    /// Seed of the SplitMix64 generator (default [`BootstrapOptions::DEFAULT_SEED`]).
    pub seed: u64,
    /// Two-sided confidence level (default 0.95).
    pub level: f64,
}

impl BootstrapOptions {
    /// The default seed, fixed so published numbers can be reproduced.
    pub const DEFAULT_SEED: u64 = 0x706f_7765_726d_6170; // "powermap"
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 1000,
            seed: Self::DEFAULT_SEED,
            level: 0.95,
        }
    }
}

/// A Nakamoto coefficient with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NakamotoInterval {
    /// The observed coefficient.
    pub point: u64,
    /// Lower quantile (`(1 − level)/2`) of the replicates.
    pub lo: u64,
    /// Upper quantile (`(1 + level)/2`) of the replicates.
    pub hi: u64,
    /// Fraction of replicates whose coefficient is ≤ `point`.
    pub p_at_most_point: f64,
    /// Fraction of replicates whose coefficient is < `point`: how often sampling noise alone
    /// makes a smaller coalition decisive.
    pub p_below_point: f64,
    /// The options used (replicates, seed, level).
    pub options: BootstrapOptions,
}

/// Largest total the bootstrap resamples: a year of Bitcoin blocks is ~53 000 and 30 days of
/// Ethereum slots ~216 000; larger whole-number totals are stake or token amounts, not block
/// counts, and 1 000 replicates of them would take minutes.
pub const MAX_BOOTSTRAP_UNITS: u64 = 250_000;

/// Bootstrap interval for the Nakamoto coefficient of `d` at `t` under boundary `b`.
///
/// `Ok(None)` when the coefficient is undefined (empty window, or `t` unreachable). Fails on
/// fractional weights ([`StatsError::NotCounts`]), totals above [`MAX_BOOTSTRAP_UNITS`], a bad
/// level or zero replicates.
pub fn nakamoto_interval(
    d: &Distribution,
    t: Threshold,
    b: Boundary,
    opts: &BootstrapOptions,
) -> Result<Option<NakamotoInterval>, StatsError> {
    check_level(opts.level)?;
    if opts.replicates == 0 {
        return Err(StatsError::BadParameter {
            name: "replicates",
            reason: "must be at least 1".into(),
        });
    }
    if d.is_empty() {
        return Ok(None);
    }
    let n = counts_total(d)?;
    if n > MAX_BOOTSTRAP_UNITS {
        // Whole-number stake or token amounts are not a sample of blocks, and drawing that
        // many units per replicate would never finish.
        return Err(StatsError::BadParameter {
            name: "weights",
            reason: format!(
                "{n} units is more than the {MAX_BOOTSTRAP_UNITS} a block-count bootstrap draws; \
                 the interval applies to block counts, not stake"
            ),
        });
    }
    let counts: Vec<u64> = d.producers().iter().map(|s| s.weight as u64).collect();
    let Some(point) = coefficient(&counts, n, t, b) else {
        return Ok(None);
    };
    // cumulative[i] = blocks of entities 0..=i; a draw r in [0, n) belongs to the first i
    // with cumulative[i] > r, which samples entity i with probability kᵢ/n exactly.
    let cumulative: Vec<u64> = counts
        .iter()
        .scan(0u64, |acc, &k| {
            *acc += k;
            Some(*acc)
        })
        .collect();
    let mut rng = SplitMix64::new(opts.seed);
    let mut sample = vec![0u64; counts.len()];
    let mut results = Vec::with_capacity(opts.replicates as usize);
    for _ in 0..opts.replicates {
        sample.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            let r = rng.below(n);
            sample[cumulative.partition_point(|&c| c <= r)] += 1;
        }
        sample.sort_unstable_by(|a, b| b.cmp(a));
        // Every replicate has total n > 0 and t ≤ 1 reachable as for the point estimate.
        results.push(coefficient(&sample, n, t, b).unwrap_or(point));
    }
    results.sort_unstable();
    let alpha = 1.0 - opts.level;
    let quantile = |q: f64| {
        let idx = ((q * results.len() as f64).ceil() as usize).clamp(1, results.len()) - 1;
        results[idx]
    };
    let at_most = results.iter().filter(|&&v| v <= point).count();
    let below = results.iter().filter(|&&v| v < point).count();
    Ok(Some(NakamotoInterval {
        point,
        lo: quantile(alpha / 2.0),
        hi: quantile(1.0 - alpha / 2.0),
        p_at_most_point: at_most as f64 / results.len() as f64,
        p_below_point: below as f64 / results.len() as f64,
        options: *opts,
    }))
}

/// Nakamoto coefficient of counts sorted descending, with `powermap-metrics`' exact rule.
fn coefficient(sorted: &[u64], total: u64, t: Threshold, b: Boundary) -> Option<u64> {
    let mut covered = 0u64;
    for (i, &k) in sorted.iter().enumerate() {
        covered += k;
        if t.reached(covered as f64, total as f64, true, b) {
            return Some(i as u64 + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_model::MetricValue;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    const GE: Boundary = Boundary::AtLeast;

    #[test]
    fn point_matches_metrics_crate() {
        for w in [
            vec![1.0, 2.0, 3.0],
            vec![5.0, 5.0],
            vec![30.0, 25.0, 20.0, 15.0, 10.0],
        ] {
            let d = dist(&w);
            for t in [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS] {
                for b in [Boundary::AtLeast, Boundary::Greater] {
                    let got = nakamoto_interval(&d, t, b, &BootstrapOptions::default())
                        .unwrap()
                        .map(|i| MetricValue::Int(i.point))
                        .unwrap_or(MetricValue::Undefined);
                    assert_eq!(got, powermap_metrics::nakamoto(&d, t, b), "{w:?} {t} {b:?}");
                }
            }
        }
    }

    #[test]
    fn deterministic_with_seed() {
        let d = dist(&[300.0, 280.0, 250.0, 200.0, 100.0, 50.0]);
        let o = BootstrapOptions::default();
        let a = nakamoto_interval(&d, Threshold::HALF, GE, &o).unwrap();
        let b = nakamoto_interval(&d, Threshold::HALF, GE, &o).unwrap();
        assert_eq!(a, b);
        let a = a.unwrap();
        assert!(a.lo <= a.point && a.point <= a.hi);
    }

    #[test]
    fn single_entity_and_empty() {
        let o = BootstrapOptions::default();
        let one = nakamoto_interval(&dist(&[10.0]), Threshold::HALF, GE, &o)
            .unwrap()
            .unwrap();
        assert_eq!(
            (one.point, one.lo, one.hi, one.p_at_most_point),
            (1, 1, 1, 1.0)
        );
        assert_eq!(
            nakamoto_interval(&Distribution::default(), Threshold::HALF, GE, &o).unwrap(),
            None
        );
    }

    #[test]
    fn tie_at_threshold_spans_both_sides() {
        // 50/50 at t = 1/2 with ≥: one of the two always holds at least half, so every
        // replicate has NC = 1.
        let o = BootstrapOptions::default();
        let tie = nakamoto_interval(&dist(&[500.0, 500.0]), Threshold::HALF, GE, &o)
            .unwrap()
            .unwrap();
        assert_eq!((tie.point, tie.lo, tie.hi), (1, 1, 1));
        let strict = nakamoto_interval(
            &dist(&[500.0, 500.0]),
            Threshold::HALF,
            Boundary::Greater,
            &o,
        )
        .unwrap()
        .unwrap();
        // Strictly more than half: the exact tie needs both (2); any other draw needs one.
        // P(exact 500/500 tie) = 2.5 %, right at the upper quantile.
        assert_eq!((strict.point, strict.lo), (2, 1));
        assert_eq!(strict.p_at_most_point, 1.0);
        assert!(strict.p_below_point > 0.95);
        // Near the threshold with few blocks: 52/28/20 at 1/2. The top entity falls below
        // half in about a third of the resamples (P(Bin(100, .52) < 50) ≈ 0.31).
        let near = nakamoto_interval(&dist(&[52.0, 28.0, 20.0]), Threshold::HALF, GE, &o)
            .unwrap()
            .unwrap();
        assert_eq!(near.point, 1);
        assert_eq!((near.lo, near.hi), (1, 2));
        assert!((0.6..0.78).contains(&near.p_at_most_point), "{near:?}");
    }

    #[test]
    fn rejects_stake_and_zero_replicates() {
        let o = BootstrapOptions::default();
        assert!(nakamoto_interval(&dist(&[1.5, 2.0]), Threshold::HALF, GE, &o).is_err());
        let zero = BootstrapOptions { replicates: 0, ..o };
        assert!(nakamoto_interval(&dist(&[1.0, 2.0]), Threshold::HALF, GE, &zero).is_err());
    }
}

#[cfg(test)]
mod stake_sized_weights {
    use super::*;

    #[test]
    fn stake_sized_whole_numbers_are_refused_not_resampled() {
        let d = Distribution::from_weights([("a", 4.0e13), ("b", 3.0e13)]).unwrap();
        let r = nakamoto_interval(
            &d,
            Threshold::HALF,
            Boundary::AtLeast,
            &BootstrapOptions::default(),
        );
        assert!(r.is_err());
    }
}

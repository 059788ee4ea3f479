//! Voting-power indices of a weighted voting game: Banzhaf (normalised and raw swing
//! probability) and Shapley–Shubik.
//!
//! * **Exact** (dynamic programming over integer weights): weights are rounded to multiples of
//!   a unit `u` (1 when they are already integers with a small total, else `total / resolution`)
//!   by cumulative rounding (the rounded weights add up to the rounded total, so the combined
//!   weight of voters smaller than a unit is kept), and the indices are exact for that rounded
//!   game. Banzhaf: the distribution of a random
//!   coalition's weight (each player in with probability 1/2) is built in `O(n·W)`, and each
//!   distinct weight is removed again by deconvolution (`p₋ᵢ[s] = 2p[s] − p₋ᵢ[s − wᵢ]`).
//!   Shapley–Shubik: counts of coalitions by size and weight, each player removed by the
//!   same recursion run upwards for small sizes and downwards for large ones (numerically
//!   stable both ways); `O(n²·W)` time, `O(n·W)` memory, so only for small games.
//! * **Sampled** (Monte Carlo, seeded): Banzhaf from random coalitions, Shapley–Shubik from
//!   random orderings (the pivot of each ordering scores). The standard error of every estimate
//!   is `√(p(1−p)/N)`; the largest is reported. Sampled *normalised* Banzhaf is less reliable
//!   than that error suggests when a long tail of small holders exists: their swings come in
//!   rare bursts, so the normalising sum converges slowly (raw values are fine). `auto`
//!   therefore prefers the exact DP, which stays cheap because only voters with a non-zero
//!   rounded weight cost work.

use serde::Serialize;

use crate::game::WeightedGame;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

/// How to compute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact when the budget allows, sampled otherwise.
    Auto,
    /// Exact (DP over integer-rounded weights); falls back to sampling when too large.
    Exact,
    /// Monte Carlo.
    Sampled,
}

impl std::str::FromStr for Method {
    type Err = String;
    /// `auto`, `exact` or `sampled`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Method::Auto),
            "exact" => Ok(Method::Exact),
            "sampled" => Ok(Method::Sampled),
            s => Err(format!("expected auto, exact or sampled, got `{s}`")),
        }
    }
}

/// Options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndexOptions {
    /// Method.
    pub method: Method,
    /// Total weight in units after rounding (the DP's width).
    pub resolution: u32,
    /// Samples (coalitions for Banzhaf, orderings for Shapley–Shubik).
    pub samples: u32,
    /// RNG seed.
    pub seed: u64,
    /// Work budget (≈ operations) above which exact falls back to sampling.
    pub budget: f64,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            method: Method::Auto,
            resolution: 20_000,
            samples: 2_000,
            seed: 42,
            budget: 1e9,
        }
    }
}

/// One index vector with how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    /// Per player, in the game's order; normalised to sum to 1 (0s when nobody is ever pivotal).
    pub values: Vec<f64>,
    /// `exact` or `sampled`.
    pub method: &'static str,
    /// Rounding unit of the exact DP (`None` for sampled or unrounded).
    pub unit: Option<f64>,
    /// Samples used (sampled only).
    pub samples: Option<u32>,
    /// Largest standard error of a (raw) estimate (sampled only).
    pub std_error: Option<f64>,
}

/// Banzhaf and Shapley–Shubik indices of a game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indices {
    /// Normalised Banzhaf index.
    pub banzhaf: Index,
    /// Raw Banzhaf: probability of being a swing in a random coalition of the others.
    pub banzhaf_raw: Vec<f64>,
    /// Shapley–Shubik index.
    pub shapley_shubik: Index,
}

/// Computes both indices.
pub fn indices(game: &WeightedGame, opts: &IndexOptions) -> Indices {
    let n = game.len();
    let rounded = Rounded::new(game, opts.resolution);
    let w = rounded.total as f64;
    let exact_ok = |cost: f64| opts.method != Method::Sampled && cost <= opts.budget;
    // Only players with a non-zero rounded weight cost DP work.
    let active = rounded.weights.iter().filter(|&&x| x > 0).count() as f64;
    let (banzhaf, banzhaf_raw) = if exact_ok(active * w) {
        let raw = banzhaf_exact_rounded(&rounded);
        (
            Index {
                values: normalise(&raw),
                method: "exact",
                unit: rounded.unit_if_rounded(),
                samples: None,
                std_error: None,
            },
            raw,
        )
    } else {
        let (raw, se) = banzhaf_sampled(game, opts.samples, opts.seed);
        (
            Index {
                values: normalise(&raw),
                method: "sampled",
                unit: None,
                samples: Some(opts.samples),
                std_error: Some(se),
            },
            raw,
        )
    };
    let ss_cost = (n as f64) * active * w;
    let shapley_shubik = if exact_ok(ss_cost) && ss_cost <= 2e7 {
        Index {
            values: shapley_exact_rounded(&rounded),
            method: "exact",
            unit: rounded.unit_if_rounded(),
            samples: None,
            std_error: None,
        }
    } else {
        let (v, se) = shapley_sampled(game, opts.samples, opts.seed ^ 0x5555);
        Index {
            values: v,
            method: "sampled",
            unit: None,
            samples: Some(opts.samples),
            std_error: Some(se),
        }
    };
    Indices {
        banzhaf,
        banzhaf_raw,
        shapley_shubik,
    }
}

fn normalise(raw: &[f64]) -> Vec<f64> {
    let s: f64 = raw.iter().sum();
    if s > 0.0 {
        raw.iter().map(|r| r / s).collect()
    } else {
        vec![0.0; raw.len()]
    }
}

/// A game with integer weights.
struct Rounded {
    weights: Vec<usize>,
    /// Smallest winning integer weight (`usize::MAX` when unreachable).
    quota: usize,
    total: usize,
    unit: f64,
}

impl Rounded {
    fn new(game: &WeightedGame, resolution: u32) -> Self {
        let total = game.total();
        let integral = game.weights.iter().all(|w| w.fract() == 0.0) && total <= resolution as f64;
        let unit = if integral || total <= 0.0 {
            1.0
        } else {
            total / resolution as f64
        };
        // Cumulative rounding: each weight is the step of the rounded running total, so the
        // rounded weights add up to the rounded total and the mass of voters smaller than a
        // unit is kept (some of them get one unit, the rest none).
        let mut acc = 0.0;
        let mut prev = 0usize;
        let weights: Vec<usize> = game
            .weights
            .iter()
            .map(|w| {
                acc += w.max(0.0);
                let now = (acc / unit).round() as usize;
                let step = now.saturating_sub(prev);
                prev = now.max(prev);
                step
            })
            .collect();
        let total_i: usize = weights.iter().sum();
        let q = game.quota / unit;
        let quota = if !q.is_finite() {
            usize::MAX
        } else if game.strict {
            (q.floor() as usize).saturating_add(1)
        } else {
            q.ceil().max(0.0) as usize
        };
        Rounded {
            weights,
            quota,
            total: total_i,
            unit,
        }
    }

    fn unit_if_rounded(&self) -> Option<f64> {
        (self.unit != 1.0).then_some(self.unit)
    }
}

/// Raw Banzhaf (swing probabilities) of an integer game, exact.
fn banzhaf_exact_rounded(g: &Rounded) -> Vec<f64> {
    let n = g.weights.len();
    if g.quota == 0 || g.quota > g.total {
        return vec![0.0; n];
    }
    let q = g.quota;
    // p[s]: probability that a random coalition (each player in w.p. 1/2) weighs s.
    let mut p = vec![0.0f64; g.total + 1];
    p[0] = 1.0;
    let mut reach = 0usize;
    for &w in &g.weights {
        if w == 0 {
            continue;
        }
        reach += w;
        for s in (w..=reach).rev() {
            p[s] = 0.5 * (p[s] + p[s - w]);
        }
        for v in p[..w.min(reach + 1)].iter_mut() {
            *v *= 0.5;
        }
    }
    let mut by_weight = std::collections::HashMap::new();
    let mut minus = vec![0.0f64; q];
    g.weights
        .iter()
        .map(|&w| {
            if w == 0 {
                return 0.0;
            }
            *by_weight.entry(w).or_insert_with(|| {
                // p₋ᵢ[s] = 2 p[s] − p₋ᵢ[s − w], for s < q.
                for s in 0..q {
                    let prev = if s >= w { minus[s - w] } else { 0.0 };
                    minus[s] = (2.0 * p[s] - prev).max(0.0);
                }
                minus[q.saturating_sub(w)..q].iter().sum::<f64>()
            })
        })
        .collect()
}

/// Shapley–Shubik of an integer game, exact.
fn shapley_exact_rounded(g: &Rounded) -> Vec<f64> {
    let n = g.weights.len();
    if n == 0 || g.quota == 0 || g.quota > g.total {
        return vec![0.0; n];
    }
    let q = g.quota;
    let width = g.total + 1;
    // c[k][s]: number of coalitions of size k and weight s (all players).
    let mut c = vec![0.0f64; (n + 1) * width];
    c[0] = 1.0;
    for (m, &w) in g.weights.iter().enumerate() {
        for k in (1..=m + 1).rev() {
            for s in (w..width).rev() {
                let add = c[(k - 1) * width + s - w];
                if add != 0.0 {
                    c[k * width + s] += add;
                }
            }
        }
    }
    // Weight of a size-k coalition of the others in the formula: k!(n−1−k)!/n!.
    let mut coef = vec![0.0f64; n];
    {
        // coef[k] = 1 / (n · C(n−1, k)), computed in logs.
        let ln_fact = |x: usize| (1..=x).map(|i| (i as f64).ln()).sum::<f64>();
        let lf: Vec<f64> = (0..=n).map(ln_fact).collect();
        for (k, cf) in coef.iter_mut().enumerate() {
            *cf = (lf[k] + lf[n - 1 - k] - lf[n]).exp();
        }
    }
    let mid = (n - 1) / 2;
    let mut by_weight = std::collections::HashMap::new();
    let mut minus = vec![0.0f64; n * width];
    let out: Vec<f64> = g
        .weights
        .iter()
        .map(|&w| {
            if w == 0 {
                return 0.0;
            }
            *by_weight.entry(w).or_insert_with(|| {
                // Upwards for k ≤ mid: c₋ᵢ[k][s] = c[k][s] − c₋ᵢ[k−1][s−w].
                for k in 0..=mid.min(n - 1) {
                    for s in 0..width {
                        let prev = if k > 0 && s >= w {
                            minus[(k - 1) * width + s - w]
                        } else {
                            0.0
                        };
                        minus[k * width + s] = (c[k * width + s] - prev).max(0.0);
                    }
                }
                // Downwards for k > mid: c₋ᵢ[k][s] = c[k+1][s+w] − c₋ᵢ[k+1][s+w].
                for k in (mid + 1..n).rev() {
                    for s in 0..width {
                        let v = if s + w < width {
                            let next = if k + 1 < n {
                                minus[(k + 1) * width + s + w]
                            } else {
                                0.0
                            };
                            c[(k + 1) * width + s + w] - next
                        } else {
                            0.0
                        };
                        minus[k * width + s] = v.max(0.0);
                    }
                }
                let lo = q.saturating_sub(w);
                (0..n)
                    .map(|k| coef[k] * minus[k * width + lo..k * width + q].iter().sum::<f64>())
                    .sum::<f64>()
            })
        })
        .collect();
    out
}

/// Sampled raw Banzhaf and the largest standard error.
fn banzhaf_sampled(game: &WeightedGame, samples: u32, seed: u64) -> (Vec<f64>, f64) {
    let n = game.len();
    let mut rng = SplitMix64::seed_from_u64(seed);
    let mut swings = vec![0u32; n];
    let mut member = vec![false; n];
    for _ in 0..samples {
        let mut total = 0.0;
        let mut bits = 0u64;
        for (i, m) in member.iter_mut().enumerate() {
            if i % 64 == 0 {
                bits = rng.next_u64();
            }
            *m = bits & 1 == 1;
            bits >>= 1;
            if *m {
                total += game.weights[i];
            }
        }
        let wins = game.wins(total);
        for i in 0..n {
            let w = game.weights[i];
            let swing = if member[i] {
                wins && !game.wins(total - w)
            } else {
                !wins && game.wins(total + w)
            };
            swings[i] += swing as u32;
        }
    }
    let nf = samples.max(1) as f64;
    let raw: Vec<f64> = swings.iter().map(|&s| s as f64 / nf).collect();
    let se = raw
        .iter()
        .map(|p| (p * (1.0 - p) / nf).sqrt())
        .fold(0.0, f64::max);
    (raw, se)
}

/// Sampled Shapley–Shubik and the largest standard error.
fn shapley_sampled(game: &WeightedGame, samples: u32, seed: u64) -> (Vec<f64>, f64) {
    let n = game.len();
    let mut rng = SplitMix64::seed_from_u64(seed);
    let mut pivots = vec![0u32; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut counted = 0u32;
    for _ in 0..samples {
        let mut acc = 0.0;
        // Incremental Fisher–Yates: draw the next player only until the pivot is found.
        for pos in 0..n {
            let j = pos + below(&mut rng, n - pos);
            order.swap(pos, j);
            let i = order[pos];
            acc += game.weights[i];
            if game.wins(acc) {
                pivots[i] += 1;
                counted += 1;
                break;
            }
        }
    }
    if counted == 0 {
        return (vec![0.0; n], 0.0);
    }
    let nf = samples as f64;
    let v: Vec<f64> = pivots.iter().map(|&p| p as f64 / nf).collect();
    let se = v
        .iter()
        .map(|p| (p * (1.0 - p) / nf).sqrt())
        .fold(0.0, f64::max);
    (v, se)
}

/// Brute force over all coalitions / orderings, for tests (n ≤ 12).
pub fn brute_force(game: &WeightedGame) -> (Vec<f64>, Vec<f64>) {
    let n = game.len();
    assert!(n <= 12, "brute force is for tiny games");
    let mut swings = vec![0f64; n];
    for mask in 0u32..(1 << n) {
        let total: f64 = (0..n)
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| game.weights[i])
            .sum();
        if !game.wins(total) {
            continue;
        }
        for (i, sw) in swings.iter_mut().enumerate() {
            if mask >> i & 1 == 1 && !game.wins(total - game.weights[i]) {
                *sw += 1.0;
            }
        }
    }
    let raw: Vec<f64> = swings
        .iter()
        .map(|s| s / (1u64 << (n - 1)) as f64)
        .collect();
    // Shapley–Shubik by all orderings (Heap's algorithm).
    let mut piv = vec![0f64; n];
    let mut perm: Vec<usize> = (0..n).collect();
    let mut count = 0f64;
    let mut c = vec![0usize; n];
    let visit = |perm: &[usize], piv: &mut Vec<f64>| {
        let mut acc = 0.0;
        for &i in perm {
            acc += game.weights[i];
            if game.wins(acc) {
                piv[i] += 1.0;
                break;
            }
        }
    };
    visit(&perm, &mut piv);
    count += 1.0;
    let mut k = 0;
    while k < n {
        if c[k] < k {
            if k % 2 == 0 {
                perm.swap(0, k);
            } else {
                perm.swap(c[k], k);
            }
            visit(&perm, &mut piv);
            count += 1.0;
            c[k] += 1;
            k = 0;
        } else {
            c[k] = 0;
            k += 1;
        }
    }
    (raw, piv.iter().map(|p| p / count).collect())
}

/// Uniform in `0..n` (Lemire's multiply-shift on 32 bits; the bias is below 2^-32 for the
/// sizes used).
fn below(rng: &mut SplitMix64, n: usize) -> usize {
    ((rng.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_game() {
        // [51; 50, 49, 1]: Banzhaf swings 3,1,1 → 3/5,1/5,1/5; Shapley–Shubik 2/3,1/6,1/6.
        let g = WeightedGame::new(vec![50.0, 49.0, 1.0], 51.0, false);
        let ix = indices(&g, &IndexOptions::default());
        let b = &ix.banzhaf.values;
        assert!((b[0] - 0.6).abs() < 1e-12 && (b[1] - 0.2).abs() < 1e-12);
        let s = &ix.shapley_shubik.values;
        assert!((s[0] - 2.0 / 3.0).abs() < 1e-12 && (s[2] - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(ix.banzhaf.method, "exact");
        assert_eq!(ix.shapley_shubik.method, "exact");
        let (raw, ss) = brute_force(&g);
        assert!((raw[0] - 0.75).abs() < 1e-12);
        assert!((ss[1] - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn sampled_close_to_exact() {
        let w: Vec<f64> = (1..=30).map(|i| (i * i % 17 + 1) as f64).collect();
        let total: f64 = w.iter().sum();
        let g = WeightedGame::new(w, total / 2.0, true);
        let exact = indices(&g, &IndexOptions::default());
        let sampled = indices(
            &g,
            &IndexOptions {
                method: Method::Sampled,
                samples: 20_000,
                ..IndexOptions::default()
            },
        );
        for i in 0..30 {
            assert!((exact.banzhaf_raw[i] - sampled.banzhaf_raw[i]).abs() < 0.02);
            assert!(
                (exact.shapley_shubik.values[i] - sampled.shapley_shubik.values[i]).abs() < 0.01
            );
        }
    }
}

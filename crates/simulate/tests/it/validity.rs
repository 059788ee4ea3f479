//! The model against theory: a Pólya urn converges to the Beta/Dirichlet limit; economies of
//! scale (alpha > 1) tend to monopoly; saturation with parameter k drives towards k equal
//! pools (Brünjes, Kiayias, Koutsoupias & Stouka 2020). Fixed seeds; every tolerance is
//! derived from theory in the comment next to it.

use chrono::NaiveDate;
use powermap_simulate::{Dynamics, Mechanism, Rule, RunOptions, Scenario, Simulation};
use powermap_stats::special::inc_beta;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Final shares of `runs` paths of `days` days.
fn finals(sim: &Simulation, d: Dynamics, days: u32, runs: u64) -> Vec<Vec<f64>> {
    (0..runs)
        .map(|run| {
            let mut last = Vec::new();
            sim.path(d, days, 42, run, &mut |day, shares, _, _| {
                if day == days {
                    last = shares.to_vec();
                }
            });
            last
        })
        .collect()
}

/// Kolmogorov–Smirnov distance between a sample and a continuous CDF.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

/// One ball per day, drawn ∝ the urn's content (alpha = 1, no moves, no entry).
fn urn(balls: f64) -> Dynamics {
    Dynamics {
        alpha: 1.0,
        moves_per_day: 0.0,
        inflows_per_day: 1.0,
        chunk: 1.0 / balls,
        entry: 0.0,
    }
}

#[test]
fn polya_urn_converges_to_the_beta_limit() {
    // Urn with 1 red and 2 blue balls: the red share converges to Beta(1, 2). After 1,000
    // draws it is (1 + X)/1003 with X ~ BetaBinomial(1000, 1, 2), within 1/1003 of the limit
    // in distribution. KS: P(√n·D > 1.95) ≈ 0.001 under the limit, so D ≤ 1.95/√n + 1/1003.
    let sim = Simulation::new(&[("red", 1.0), ("blue", 2.0)], 0.0, None, start()).unwrap();
    let n = 2000;
    let red: Vec<f64> = finals(&sim, urn(3.0), 1000, n)
        .iter()
        .map(|s| s[0])
        .collect();
    let d = ks(red.clone(), |x| inc_beta(x, 1.0, 2.0));
    let tol = 1.95 / (n as f64).sqrt() + 1.0 / 1003.0;
    assert!(d < tol, "KS distance {d:.4} ≥ {tol:.4}");
    // Mean 1/3, variance ab/((a+b)²(a+b+1)) = 2/36; standard error of the mean √(2/36/n).
    let mean = red.iter().sum::<f64>() / n as f64;
    assert!(
        (mean - 1.0 / 3.0).abs() < 4.0 * (2.0 / 36.0 / n as f64).sqrt(),
        "{mean}"
    );
}

#[test]
fn three_colour_urn_has_dirichlet_marginals() {
    // Dirichlet(2, 1, 1): the first colour's share is Beta(2, 2), the second's Beta(1, 3).
    let sim = Simulation::new(&[("a", 2.0), ("b", 1.0), ("c", 1.0)], 0.0, None, start()).unwrap();
    let n = 1500;
    let f = finals(&sim, urn(4.0), 800, n);
    let tol = 1.95 / (n as f64).sqrt() + 1.0 / 804.0;
    let a = ks(f.iter().map(|s| s[0]).collect(), |x| inc_beta(x, 2.0, 2.0));
    let b = ks(f.iter().map(|s| s[1]).collect(), |x| inc_beta(x, 1.0, 3.0));
    assert!(a < tol && b < tol, "KS {a:.4}, {b:.4} vs {tol:.4}");
}

fn movers(alpha: f64) -> Dynamics {
    Dynamics {
        alpha,
        moves_per_day: 20.0,
        inflows_per_day: 0.0,
        chunk: 1e-3,
        entry: 0.0,
    }
}

#[test]
fn economies_of_scale_tend_to_monopoly() {
    // Ten equal entities, 36,500 moves of 0.1 % over five years. Neutral drift (alpha = 1)
    // moves a share by about √(2·36500·0.001²·0.09) ≈ 0.08; with alpha = 1.5 the largest
    // gains s^1.5/Σs^1.5 − s per move, which compounds into monopoly.
    let names: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    let w: Vec<(&str, f64)> = names.iter().map(|n| (n.as_str(), 1.0)).collect();
    let sim = Simulation::new(&w, 0.0, None, start()).unwrap();
    let top = |alpha| -> Vec<f64> {
        finals(&sim, movers(alpha), 1825, 40)
            .iter()
            .map(|s| s.iter().copied().fold(0.0, f64::max))
            .collect()
    };
    let scale = top(1.5);
    let neutral = top(1.0);
    let monopolies = scale.iter().filter(|&&t| t > 0.9).count();
    assert!(
        monopolies >= 36,
        "alpha 1.5: {monopolies}/40 paths above 90 %: {scale:?}"
    );
    let concentrated = neutral.iter().filter(|&&t| t > 0.5).count();
    assert!(
        concentrated <= 4,
        "alpha 1: {concentrated}/40 paths above 50 %: {neutral:?}"
    );
}

#[test]
fn diseconomies_of_scale_tend_to_equality() {
    // alpha = 0.6 pulls shares together: from 50 % + 5 × 10 %, the top share falls towards 1/6.
    let sim = Simulation::new(
        &[
            ("a", 5.0),
            ("b", 1.0),
            ("c", 1.0),
            ("d", 1.0),
            ("e", 1.0),
            ("f", 1.0),
        ],
        0.0,
        None,
        start(),
    )
    .unwrap();
    let tops: Vec<f64> = finals(&sim, movers(0.6), 1825, 20)
        .iter()
        .map(|s| s.iter().copied().fold(0.0, f64::max))
        .collect();
    assert!(tops.iter().all(|&t| t < 0.3), "{tops:?}");
}

#[test]
fn saturation_drives_towards_k_equal_pools() {
    // Brünjes et al. (2020): with rewards capped at 1/k and economies of scale, equilibria
    // have k pools of size 1/k. 30 unequal pools, alpha = 1.3, k = 5, β = 20: after five
    // years the five largest hold ≈ 20 % each and the rest next to nothing.
    let names: Vec<String> = (0..30).map(|i| format!("p{i}")).collect();
    let w: Vec<(&str, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), 1.0 / (1.0 + i as f64)))
        .collect();
    let scenario = Scenario {
        id: "k5".into(),
        title: "k = 5".into(),
        description: String::new(),
        rules: vec![Rule {
            mechanism: Mechanism::RewardCurve {
                knee: 0.2,
                exponent: 1.0,
            },
            from: None,
            source: "Brünjes et al. 2020".into(),
        }],
    };
    let sim = Simulation::new(&w, 0.0, Some((&scenario, 20.0)), start()).unwrap();
    let d = Dynamics {
        alpha: 1.3,
        moves_per_day: 40.0,
        inflows_per_day: 0.0,
        chunk: 2e-3,
        entry: 0.0,
    };
    for shares in finals(&sim, d, 1825, 12) {
        let mut s = shares.clone();
        s.sort_by(|a, b| b.total_cmp(a));
        let hhi: f64 = s.iter().map(|x| x * x * 10_000.0).sum();
        // Five pools at 1/5 give HHI 2000; each pool sits within a few chunks of 1/5.
        assert!(
            s[..5].iter().all(|&x| (x - 0.2).abs() < 0.03),
            "{:?}",
            &s[..7]
        );
        assert!(s[5] < 0.03, "{:?}", &s[..7]);
        assert!((hhi - 2000.0).abs() < 150.0, "HHI {hhi}");
    }
}

#[test]
fn seeded_runs_are_reproducible_on_any_thread_count() {
    let sim = Simulation::new(&[("a", 3.0), ("b", 2.0), ("c", 1.0)], 1.0, None, start()).unwrap();
    let d = [movers(1.1), movers(0.9)];
    let days = vec![0, 30, 90, 365];
    let one = sim.ensemble(
        &d,
        days.clone(),
        &RunOptions {
            runs: 64,
            seed: 9,
            threads: 1,
        },
    );
    let four = sim.ensemble(
        &d,
        days.clone(),
        &RunOptions {
            runs: 64,
            seed: 9,
            threads: 4,
        },
    );
    let other = sim.ensemble(
        &d,
        days,
        &RunOptions {
            runs: 64,
            seed: 10,
            threads: 4,
        },
    );
    assert_eq!(one, four);
    assert_ne!(one, other);
}

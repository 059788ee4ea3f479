//! Benchmark: coalitions and voting-power indices for 100,000 holders (issue #6 goal: < 5 s).
//!
//! `cargo run --release -p powermap-governance --example bench [HOLDERS]`
//!
//! Holders get Zipf weights (s = 1.1, deterministic); the rules are the shipped Uniswap ones
//! (quorum 40M For votes, For > Against) with the total scaled to 218M (the voting power seen
//! in the real Uniswap votes). Prints each phase's time.

use std::time::Instant;

use powermap_governance::coalition::{smallest_blocking, smallest_winning};
use powermap_governance::game::{DecisionRule, Turnout, WeightedGame};
use powermap_governance::indices::{indices, IndexOptions, Method};
use powermap_governance::mechanism::{weights, Mechanism, MechanismParams};
use powermap_governance::power::PowerTable;
use powermap_governance::rules;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let raw: Vec<f64> = (1..=n).map(|i| 1.0 / (i as f64).powf(1.1)).collect();
    let scale = 218e6 / raw.iter().sum::<f64>();
    let table = PowerTable::from_weights(
        raw.iter()
            .enumerate()
            .map(|(i, w)| (format!("h{i}"), w * scale)),
    );
    let rules = rules::builtin("uniswap").unwrap().unwrap();
    let rule = DecisionRule::from_rules(&rules, table.total());
    let t0 = Instant::now();

    let t = Instant::now();
    let win = smallest_winning(&table, &rule, Turnout::Full);
    let block = smallest_blocking(&table, &rule);
    println!(
        "coalitions: winning {:?}, blocking {:?}   {:.3} s",
        win.size,
        block.size,
        t.elapsed().as_secs_f64()
    );

    let game = WeightedGame::from_rule(table.weights(), &rule, Turnout::Full);
    for (label, method) in [("auto", Method::Auto), ("sampled", Method::Sampled)] {
        let t = Instant::now();
        let ix = indices(
            &game,
            &IndexOptions {
                method,
                ..IndexOptions::default()
            },
        );
        println!(
            "indices ({label}): Banzhaf {} (top {:.4}), Shapley–Shubik {} (top {:.4}, s.e. {:.4})   {:.3} s",
            ix.banzhaf.method,
            ix.banzhaf.values[0],
            ix.shapley_shubik.method,
            ix.shapley_shubik.values[0],
            ix.shapley_shubik.std_error.unwrap_or(0.0),
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let ix = indices(
        &game,
        &IndexOptions {
            method: Method::Exact,
            budget: 1e10,
            ..IndexOptions::default()
        },
    );
    println!(
        "Banzhaf exact (DP, weights rounded to {:.0}): top {:.4}   {:.3} s",
        ix.banzhaf.unit.unwrap_or(1.0),
        ix.banzhaf.values[0],
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    for m in Mechanism::ALL {
        let w = weights(&table, m, &MechanismParams::default());
        let total: f64 = w.iter().sum();
        let mut sorted = w.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let g = WeightedGame::from_rule(sorted, &rule.scaled(total / table.total()), Turnout::Full);
        let _ = indices(&g, &IndexOptions::default());
    }
    println!(
        "six mechanisms (weights, indices): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    println!("total {:.3} s for {n} holders", t0.elapsed().as_secs_f64());
}

//! Throughput of the simulator: `runs` paths × `years` of daily steps × `entities`, recording
//! the standard metrics at the CLI's default checkpoints (weekly, or ~104 over the horizon
//! when coarser: every 17 days over 5 years), on every core.
//!
//! ```text
//! cargo run --release -p powermap-simulate --example simulate_throughput -- 10000 5 1000
//! cargo run --release -p powermap-simulate --example simulate_throughput -- 10000 5 1000 1   # one thread
//! # runs years entities threads moves_per_day chunk alpha entry:
//! cargo run --release -p powermap-simulate --example simulate_throughput -- 10000 5 1000 2 0.66 0.0048 1.2 0.45
//! ```
//!
//! Starting shares follow Zipf's law (share ∝ 1/rank). Default dynamics: α = 1.05, 10 moves of
//! 0.05 % a day, 2 % entry — a stress case: the shipped series fit 0.2–6 moves a day (Solana's
//! posterior median: 0.66 moves of 0.48 %, α = 1.2, entry 0.45).

use std::time::Instant;

use chrono::NaiveDate;
use powermap_simulate::{checkpoint_step, default_threads, Dynamics, RunOptions, Simulation};

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("arguments: runs years entities [threads moves chunk alpha entry]")
        })
        .collect();
    let arg = |i: usize, default: f64| args.get(i).copied().unwrap_or(default);
    let runs = arg(0, 10_000.0) as usize;
    let years = arg(1, 5.0) as usize;
    let entities = arg(2, 1_000.0) as usize;
    let threads = args.get(3).map_or_else(default_threads, |&t| t as usize);
    let names: Vec<String> = (0..entities).map(|i| format!("e{i}")).collect();
    let weights: Vec<(&str, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), 1.0 / (i + 1) as f64))
        .collect();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
    let sim = Simulation::new(&weights, 0.0, None, start).expect("valid weights");
    let d = Dynamics {
        alpha: arg(6, 1.05),
        moves_per_day: arg(4, 10.0),
        inflows_per_day: 0.0,
        chunk: arg(5, 5e-4),
        entry: arg(7, 0.02),
    };
    let horizon = (years * 365) as u32;
    let days: Vec<u32> = (0..=horizon)
        .step_by(checkpoint_step(horizon) as usize)
        .collect();
    let t = Instant::now();
    let ens = sim.ensemble(
        &[d],
        days,
        &RunOptions {
            runs,
            seed: 1,
            threads,
        },
    );
    let secs = t.elapsed().as_secs_f64();
    let last = ens.days.len() - 1;
    let med = powermap_simulate::quantile(&ens.sorted(1, last), 0.5);
    println!(
        "{runs} runs × {horizon} days × {entities} entities, {threads} threads, {d:?}: {secs:.2} s \
         ({:.0} path-days/s; {} checkpoints; median NC 1/2 at the end {med})",
        runs as f64 * horizon as f64 / secs,
        ens.days.len()
    );
}

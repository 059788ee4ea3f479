//! `powermap`: measure where power concentrates in decentralized networks.
//!
//! This binary only parses flags and dispatches; the work lives in the library crates.

mod analyze;
mod args;
mod bench;
mod capture;
mod check;
mod datasets;
mod drift;
mod entities;
mod import;
mod output;
mod report;
mod simulate;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Measure where power concentrates in decentralized networks: shares per real-world entity,
/// decisive coalitions, and concentration metrics over time (EDI-compatible).
///
/// Run `powermap analyze` with no arguments to analyse the built-in dataset (every Bitcoin
/// block 2021–2026, attributed to pools and their owners).
#[derive(Debug, Parser)]
#[command(name = "powermap", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute concentration metrics per window (default: the built-in Bitcoin dataset).
    Analyze(analyze::Args),
    /// Check a policy of declared limits (constraints as code); exit 1 when a `fail` one is
    /// violated.
    Check(check::Args),
    /// How fast is concentration moving? Trends, change points and threshold forecasts.
    Drift(drift::Args),
    /// Why is a subject attributed to an entity? Inspect the attribution registry.
    #[command(subcommand)]
    Entities(entities::Command),
    /// Convert a real dataset (staking, clients, validators, votes, node crawls) into observations.
    Import(import::Args),
    /// Balance-of-Power report of a network (every layer, decisive coalitions, single points of
    /// failure, cross-layer control, uncertainty) as self-contained HTML, Markdown and JSON.
    Report(report::Args),
    /// How hard is governance to capture? Coalitions, power indices, capture cost, exit windows,
    /// mechanism comparison.
    Capture(capture::Args),
    /// Where does concentration go if nobody acts, and which counter-mechanism stops it?
    /// Calibrated on the shipped series, backtested, with mechanisms as data.
    Simulate(simulate::Args),
    /// List the built-in datasets.
    Datasets(datasets::Args),
    /// Run the watch service: sources → store → analyses → alerts, API, /metrics, dashboard.
    Watch(watch::Args),
    /// Benchmark parsing and analysis on generated data (build with --release).
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Check(args) => check::run(args),
        Command::Entities(cmd) => entities::run(cmd),
        Command::Drift(args) => drift::run(args),
        Command::Datasets(args) => datasets::run(args),
        Command::Import(args) => import::run(args),
        Command::Report(args) => report::run(args),
        Command::Capture(args) => capture::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed stdout (`powermap … | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(broken)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if broken(io)))
    })
}

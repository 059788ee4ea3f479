//! `powermap check`: evaluate a policy of declared limits on the analyses, like a test run.
//!
//! Exit codes: 0 when every constraint in effect passes (warnings, pending, not evaluated
//! and not applicable allowed), 1 when a `fail` constraint is violated, 2 when the policy or
//! the input is invalid (the message names file, line and field).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use powermap_findings::Stage;
use powermap_policy::{render, Policy};

use crate::args::{AnalysisArgs, Defaults};

/// Report encodings of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    // Readable, most severe first, with a tally.
    Text,
    // The full report as JSON.
    Json,
    // JUnit XML for CI systems.
    #[value(alias = "xml")]
    Junit,
}

/// Arguments of `powermap check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 all constraints in effect pass (warnings allowed), 1 a `fail` \
constraint is violated, 2 the policy or the input is invalid.

Examples:
  powermap check examples/bitcoin.toml                  # built-in Bitcoin data
  powermap check examples/bitcoin.toml --format junit > powermap.xml
  powermap check policy.toml obs.parquet --window 7d    # your observations, weekly windows

The policy format is documented in docs/policy.md."
)]
pub struct Args {
    /// The policy file (TOML; see docs/policy.md).
    policy: PathBuf,

    #[command(flatten)]
    analysis: AnalysisArgs,

    /// The day `effective_from` dates are compared with (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<NaiveDate>,

    /// Report: `text` (readable, most severe first), `json`, or `junit` (JUnit XML).
    #[arg(long, short, default_value = "text")]
    format: CheckFormat,
}

/// Runs `powermap check`.
pub fn run(args: Args) -> Result<ExitCode> {
    // The policy first: a broken policy should not cost a full analysis.
    let policy = Policy::load(&args.policy)?;

    let analysis = args.analysis.resolve(
        Defaults {
            policy: Some((&policy.analysis, &policy.file)),
        },
        false,
    )?;
    let out = analysis.run(&mut |_| {}).context("analysing the input")?;

    let today = args
        .today
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    // Forecast constraints use a Theil–Sen trend with a 95 % slope interval (docs/vigilance.md).
    let report = Stage::builtin()
        .with_policy(policy)
        .run(&out.analyses, today)
        .policy
        .context("the findings stage evaluates its policy")?;
    let text = match args.format {
        CheckFormat::Text => render::text(
            &report,
            std::io::IsTerminal::is_terminal(&std::io::stdout()),
        ),
        CheckFormat::Json => render::json(&report),
        CheckFormat::Junit => render::junit(&report),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    if report.tally.not_applicable == report.results.len() {
        let have: Vec<String> = out
            .analyses
            .iter()
            .map(|a| format!("{}/{}", a.network, a.layer))
            .collect();
        eprintln!(
            "warning: no constraint of {} applies to the input ({}); nothing was checked",
            report.file,
            if have.is_empty() {
                "no analyses".to_string()
            } else {
                have.join(", ")
            }
        );
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

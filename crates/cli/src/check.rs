//! `powermap check`: evaluate a policy of declared limits on the analyses, like a test run.
//!
//! Exit codes: 0 when every constraint in effect passes (warnings, pending, not evaluated
//! and not applicable allowed), 1 when a `fail` constraint is violated, 2 when the policy or
//! the input is invalid (the message names file, line and field).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use powermap_attribution::{ResolveOptions, Unattributed};
use powermap_findings::Stage;
use powermap_metrics::default_metrics;
use powermap_pipeline::AnalyzeOptions;
use powermap_policy::{render, Policy};
use powermap_windows::{Alignment, Population, WindowSpec};

use crate::analyze::{default_registries, InputArgs};

/// Report encodings of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// Readable, most severe first, with a tally.
    Text,
    /// The full report as JSON.
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

impl FromStr for CheckFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(CheckFormat::Text),
            "json" => Ok(CheckFormat::Json),
            "junit" | "xml" => Ok(CheckFormat::Junit),
            _ => Err(format!(
                "unknown format `{s}` (expected text, json or junit)"
            )),
        }
    }
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
    input: InputArgs,

    /// Windows (as for `analyze`). Default: the policy's `[analysis] window`, else `30d`.
    #[arg(long, short, value_name = "SPEC")]
    window: Option<WindowSpec>,

    /// Anchor day windows at the `start` or `end` of the data. Default: the policy's
    /// `[analysis] align`, else `end`.
    #[arg(long, value_parser = ["start", "end"])]
    align: Option<String>,

    /// First day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,

    /// Last day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,

    /// EDI population windows (as for `analyze`).
    #[arg(long, default_value = "1", value_name = "N|all")]
    population: Population,

    /// Roll pools up to their owners (default: the policy's `[analysis] clustering`, else on).
    #[arg(long, overrides_with = "no_cluster")]
    cluster: bool,

    /// Count each pool/brand as its own entity.
    #[arg(long)]
    no_cluster: bool,

    /// Weight no rule attributes: `separate`, `unknown` or `exclude`. Default: the policy's
    /// `[analysis] unattributed`, else as for `analyze`.
    #[arg(long, value_name = "MODE")]
    unattributed: Option<Unattributed>,

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
    let defaults = &policy.analysis;

    let (input, builtin) = args.input.build()?;
    let registries = default_registries()?;
    let unattributed = match (args.unattributed, defaults.unattributed.as_deref()) {
        (Some(u), _) => u,
        (None, Some(u)) => u
            .parse()
            .map_err(|e| anyhow::anyhow!("{}: [analysis] unattributed: {e}", policy.file))?,
        (None, None) if builtin => Unattributed::Bucket,
        (None, None) => Unattributed::Separate,
    };
    let clustering = if args.no_cluster {
        false
    } else if args.cluster {
        true
    } else {
        defaults.clustering.unwrap_or(true)
    };
    let resolve = ResolveOptions {
        clustering,
        unattributed,
    };
    let mut window = args
        .window
        .clone()
        .or_else(|| defaults.window.clone())
        .unwrap_or_else(|| WindowSpec::days(30, 30));
    if let WindowSpec::Days { align, .. } = &mut window {
        *align = match args.align.as_deref() {
            Some("start") => Alignment::Start,
            Some(_) => Alignment::End,
            None => defaults.align.unwrap_or(Alignment::End),
        };
    }
    let opts = AnalyzeOptions {
        window,
        population: args.population,
        metrics: default_metrics(),
        clustering,
        from: args.from,
        to: args.to,
    };
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})
        .context("analysing the input")?;

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

//! `powermap analyze`: observations → attribution → windows → metrics → summary / files.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use powermap_metrics::{default_metrics, Metric};
use powermap_model::{Boundary, Threshold};
use powermap_pipeline::{MergeGroup, WhatIf};
use powermap_render::summary;

use crate::args::{Analysis, AnalysisArgs, Defaults};
use crate::output::{self, OutputFormat};

/// Arguments of `powermap analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap analyze                                   # built-in Bitcoin data, 30-day windows
  powermap analyze --window 30d/7d --plot --out out  # weekly steps, CSV + plots in out/
  powermap analyze --window month --format csv       # monthly windows, EDI-style CSV to stdout
  powermap analyze obs.parquet --unattributed exclude
  powermap analyze --unattributed range               # metrics as ranges over 3 treatments
  powermap analyze --merge \"Foundry USA,Bitmain\"      # what if these two are the same owner?
  powermap analyze --compare-mapping my-fork/mapping_information   # a second registry, side by side
  powermap analyze --mapping data/edi-mapping/mapping_information --align start \\
      --from 2018-01-01 --to 2025-03-01 bitcoin_raw_data.json   # EDI's raw block data")]
pub struct Args {
    #[command(flatten)]
    analysis: AnalysisArgs,

    /// Comma-separated metric ids (default: all). E.g. `gini,hhi,nakamoto_coefficient=1/3`.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    metrics: Option<Vec<String>>,

    /// What if these entities are the same owner? `A,B[,…]` counts them as one entity named
    /// `A + B` (after ownership clustering: name owners, e.g. `Bitmain`, not brands); the
    /// summary notes how the decisive coalitions change. Repeatable.
    #[arg(long, value_name = "A,B")]
    merge: Vec<MergeGroup>,

    /// Also attribute with a second registry and show the differences side by side: an EDI
    /// `mapping_information/` directory or a bitcoin-data `pools/` directory. Prints metrics
    /// (latest window, A, B, B − A), the entities whose share moves most, and every subject
    /// the two attribute differently; `--out` writes compare.csv (see docs/attribution.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["merge", "policy", "plot"])]
    compare_mapping: Option<PathBuf>,

    /// Coalition boundary in the summary: `at_least` (share ≥ t, EDI) or `greater` (> t).
    #[arg(long, default_value = "at_least")]
    boundary: Boundary,

    /// Output: `table` (readable summary), `csv` (EDI-compatible), `json` (JSON Lines),
    /// `parquet` (needs --out).
    #[arg(long, short, default_value = "table")]
    format: OutputFormat,

    /// Directory for output files (written atomically). Without it, csv/json go to stdout.
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Also write plots (SVG and PNG) into --out (default `./powermap-out`).
    #[arg(long)]
    plot: bool,

    /// Also evaluate this policy (see `powermap check`) and list its results among the
    /// findings: violated `fail` constraints as critical, violated `warn` as warnings,
    /// pending ones as information. The exit code stays 0; use `check` to gate a build.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,

    /// Security models (failure-mode thresholds with citations) to lay over the built-in
    /// `registry/security-models.toml`: same (network, layer, failure_mode) replaces, others
    /// add. See docs/security-models.md.
    #[arg(long, value_name = "FILE")]
    security_models: Option<PathBuf>,

    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs `powermap analyze`.
pub fn run(args: Args) -> Result<ExitCode> {
    let metrics = match &args.metrics {
        None => default_metrics(),
        Some(ids) => ids
            .iter()
            .map(|id| Metric::parse(id.trim()).with_context(|| format!("--metrics: `{id}`")))
            .collect::<Result<_>>()?,
    };
    let mut analysis = args.analysis.resolve(Defaults::default(), true)?;
    analysis.opts.metrics = metrics;
    let stage =
        powermap_findings::Stage::load(args.security_models.as_deref(), args.policy.as_deref())?;
    let Analysis {
        input,
        registries,
        resolve,
        range,
        opts,
    } = &analysis;
    let treatment = resolve.unattributed;
    if *range && args.compare_mapping.is_some() {
        anyhow::bail!("--unattributed range and --compare-mapping cannot be combined: compare under one treatment (e.g. --unattributed exclude)");
    }

    if let Some(dir) = &args.compare_mapping {
        let other = powermap_pipeline::MappingSource::detect(dir)
            .with_context(|| format!("--compare-mapping {}", dir.display()))?;
        let comparison =
            powermap_pipeline::compare_mappings(input, registries, &other, *resolve, opts.clone())?;
        output::emit_comparison(&comparison, args.format, args.out.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }

    let what_if = WhatIf {
        merges: args.merge.clone(),
    };
    let bar = progress_bar(args.quiet);
    let (out, ranges) = if *range {
        let ranges = powermap_pipeline::treatment_range(
            input,
            registries,
            resolve.clustering,
            &what_if,
            opts.clone(),
        )?;
        let chosen = ranges.run(treatment);
        let out = powermap_pipeline::RunOutput {
            analyses: chosen.analyses.clone(),
            stats: chosen.stats.clone(),
        };
        (out, Some(ranges))
    } else {
        let out = powermap_pipeline::run_with(
            input,
            registries,
            *resolve,
            &what_if,
            opts.clone(),
            &mut |n| bar.set_position(n),
        )
        .context(merge_context(&args.merge))?;
        (out, None)
    };
    bar.finish_and_clear();
    let merge_notes = if what_if.is_empty() {
        Vec::new()
    } else {
        let baseline = analysis.run(&mut |_| {})?;
        summary::merge_notes(&what_if, &baseline.analyses, &out.analyses, args.boundary)
    };

    let findings = stage
        .run(&out.analyses, chrono::Utc::now().date_naive())
        .findings;
    let mut notes: Vec<String> = findings
        .iter()
        .map(|f| format!("[{}] {}: {}", f.severity.id(), f.scope, f.message))
        .collect();
    notes.extend(merge_notes);
    notes.extend(summary::attribution_notes(&out.stats, *resolve, *range));
    output::emit(
        &out.analyses,
        &output::Options {
            format: args.format,
            out: args.out,
            plot: args.plot,
            boundary: args.boundary,
            thresholds: vec![Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS],
            notes,
            findings,
            ranges: ranges.map(|r| (r, treatment)),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Context for a failed run: which `--merge` flags were given.
fn merge_context(merges: &[MergeGroup]) -> String {
    let flags: Vec<String> = merges
        .iter()
        .map(|m| format!("--merge {:?}", m.names().join(",")))
        .collect();
    if flags.is_empty() {
        "analysis failed".into()
    } else {
        flags.join(" ")
    }
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading observations: {human_pos} ({per_sec})")
            .expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

//! `powermap analyze`: observations → attribution → windows → metrics → summary / files.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use powermap_attribution::{Registry, ResolveOptions, Unattributed};
use powermap_metrics::{default_metrics, Metric};
use powermap_model::{Boundary, Threshold};
use powermap_pipeline::{AnalyzeOptions, Input, Registries};
use powermap_windows::{Alignment, Population, WindowSpec};

use crate::output::{self, OutputFormat};

/// Arguments of `powermap analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap analyze                                   # built-in Bitcoin data, 30-day windows
  powermap analyze --window 30d/7d --plot --out out  # weekly steps, CSV + plots in out/
  powermap analyze --window month --format csv       # monthly windows, EDI-style CSV to stdout
  powermap analyze obs.parquet --unattributed exclude
  powermap analyze --mapping data/edi-mapping/mapping_information --align start \\
      --from 2018-01-01 --to 2025-03-01 bitcoin_raw_data.json   # EDI's raw block data")]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Windows: `30d` (30-day windows every 30 days), `30d/1d` (stepping daily),
    /// `1000blocks[/step]`, `month`, or `all` (one window over everything).
    #[arg(long, short, default_value = "30d", value_name = "SPEC")]
    window: WindowSpec,

    /// Anchor day windows at the `start` of the data (EDI) or its `end` (the newest window
    /// ends on the last day).
    #[arg(long, default_value = "end", value_parser = ["start", "end"])]
    align: String,

    /// First day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,

    /// Last day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,

    /// EDI population windows: entities active within N neighbouring windows count with 0
    /// weight (changes Gini and Theil only); `all` = every entity seen.
    #[arg(long, default_value = "1", value_name = "N|all")]
    population: Population,

    /// Comma-separated metric ids (default: all). E.g. `gini,hhi,nakamoto_coefficient=1/3`.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    metrics: Option<Vec<String>>,

    /// Roll pools up to their owners through dated ownership links (default).
    #[arg(long, overrides_with = "no_cluster")]
    cluster: bool,

    /// Count each pool/brand as its own entity.
    #[arg(long)]
    no_cluster: bool,

    /// Weight no rule attributes: `separate` (each subject its own entity, EDI's rule),
    /// `unknown` (one bucket) or `exclude`. Default: `unknown` for the built-in dataset
    /// (its unattributed blocks carry no subject to separate them), `separate` otherwise.
    #[arg(long, value_name = "MODE")]
    unattributed: Option<Unattributed>,

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
    let (input, builtin) = args.input.build()?;
    let registries = default_registries()?;
    let resolve = ResolveOptions {
        clustering: !args.no_cluster,
        unattributed: args.unattributed.unwrap_or(if builtin {
            Unattributed::Bucket
        } else {
            Unattributed::Separate
        }),
    };
    let mut window = args.window.clone();
    if let WindowSpec::Days { align, .. } = &mut window {
        *align = if args.align == "start" {
            Alignment::Start
        } else {
            Alignment::End
        };
    }
    let opts = AnalyzeOptions {
        window,
        population: args.population,
        metrics,
        clustering: resolve.clustering,
        from: args.from,
        to: args.to,
    };

    let bar = progress_bar(args.quiet);
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |n| {
        bar.set_position(n)
    })?;
    bar.finish_and_clear();

    let mut findings: Vec<powermap_model::Finding> = out
        .analyses
        .iter()
        .flat_map(powermap_stats::findings)
        .collect();
    let models = match &args.security_models {
        Some(path) => powermap_security::SecurityModels::load(path)?,
        None => powermap_security::SecurityModels::builtin(),
    };
    for a in &out.analyses {
        findings.extend(security_findings(&models, a));
    }
    if let Some(path) = &args.policy {
        findings.extend(policy_findings(path, &out.analyses)?);
    }
    findings.sort_by_key(|f| f.severity);
    let mut notes: Vec<String> = findings
        .iter()
        .map(|f| format!("[{}] {}: {}", f.severity.id(), f.scope, f.message))
        .collect();
    notes.extend(attribution_notes(&out.stats, resolve));
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
        },
    )?;
    Ok(ExitCode::SUCCESS)
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

/// Where observations come from, shared by every command that reads data.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Observation files in the open format (.csv, .jsonl, .parquet), or EDI raw block data
    /// (`<ledger>_raw_data.json`). Without files, the built-in dataset is used.
    files: Vec<PathBuf>,

    /// EDI's `mapping_information/` directory. Needed for EDI raw block data (recognised by
    /// name); this repository ships one at `data/edi-mapping/mapping_information`.
    #[arg(long, value_name = "DIR")]
    mapping: Option<PathBuf>,

    /// Built-in dataset to use when no files are given (see `powermap datasets`).
    #[arg(long, default_value = "bitcoin-pools")]
    dataset: String,
}

impl InputArgs {
    /// The input these flags name; the flag says whether it is the built-in dataset.
    pub fn build(&self) -> Result<(Input, bool)> {
        let (files, mapping) = (&self.files, self.mapping.as_deref());
        if files.is_empty() {
            return Ok((Input::Builtin(self.dataset.clone()), true));
        }
        if files.iter().all(|p| is_edi_raw(p)) {
            let mapping = mapping.context(
                "EDI raw block data needs --mapping DIR (EDI's mapping_information/; this repository ships one at data/edi-mapping/mapping_information)",
            )?;
            return Ok((Input::edi(files, mapping.to_path_buf())?, false));
        }
        if let Some(p) = files.iter().find(|p| is_edi_raw(p)) {
            anyhow::bail!(
                "{}: EDI raw block data cannot be mixed with observation files in one run",
                p.display()
            );
        }
        Ok((Input::Observations(files.clone()), false))
    }
}

/// The registries every command uses: the built-in Bitcoin registry.
pub fn default_registries() -> Result<Registries> {
    let mut registries = Registries::default();
    registries.insert(
        Registry::bitcoin_builtin().context("loading the built-in registry")?,
        "bitcoin-builtin (pool slugs → names, EDI legal_links.json → owners; see docs/attribution.md)",
    );
    Ok(registries)
}

/// Single points of failure and the decisive coalition of every failure mode of the
/// network's security model, for the latest window.
fn security_findings(
    models: &powermap_security::SecurityModels,
    a: &powermap_model::Analysis,
) -> Vec<powermap_model::Finding> {
    use powermap_model::{Finding, Severity};
    let scope = format!("{}/{}", a.network, a.layer);
    let mut out: Vec<Finding> = models
        .single_points_of_failure(a)
        .into_iter()
        .map(|spof| {
            let modes: Vec<String> = spof
                .crossed
                .iter()
                .map(|c| format!("{} ({:?}, {})", c.failure_mode, c.property, c.threshold))
                .collect();
            Finding {
                severity: if spof.breaks_safety() {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                kind: "single_point_of_failure",
                scope: scope.clone(),
                message: format!(
                    "{} alone ({:.1} %) crosses {}",
                    spof.entity,
                    spof.share * 100.0,
                    modes.join(", ")
                ),
            }
        })
        .collect();
    out.extend(models.decisive_coalitions(a).into_iter().map(|c| Finding {
        severity: Severity::Info,
        kind: "failure_mode",
        scope: scope.clone(),
        message: c.statement(),
    }));
    out
}

/// Results of a policy as findings (passes and not-applicable constraints are left out).
fn policy_findings(
    path: &std::path::Path,
    analyses: &[powermap_model::Analysis],
) -> Result<Vec<powermap_model::Finding>> {
    use powermap_model::{Finding, Severity};
    use powermap_policy::{Outcome, Severity as Declared};
    let policy = powermap_policy::Policy::load(path)?;
    let today = chrono::Utc::now().date_naive();
    let report = powermap_policy::evaluate_with(
        &policy,
        analyses,
        today,
        Some(&powermap_policy::TheilSenForecaster),
    );
    Ok(report
        .results
        .iter()
        .filter_map(|r| {
            let severity = match (r.outcome, r.severity) {
                (Outcome::Violated, Declared::Fail) => Severity::Critical,
                (Outcome::Violated, Declared::Warn) => Severity::Warning,
                (Outcome::Pending, _) => Severity::Info,
                _ => return None,
            };
            Some(Finding {
                severity,
                kind: "constraint",
                scope: format!("{}:{}", policy.file, r.id),
                message: format!("{} ({}): {}", r.description, r.outcome.id(), r.explanation),
            })
        })
        .collect())
}

/// EDI raw block data files are named `<ledger>_raw_data.json`.
fn is_edi_raw(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("_raw_data.json"))
}

/// Lines about attribution quality shown with the summary.
fn attribution_notes(
    stats: &powermap_pipeline::AttributionStats,
    r: ResolveOptions,
) -> Vec<String> {
    let mut notes = Vec::new();
    let share = stats.unattributed_share();
    if share > 0.0 {
        notes.push(format!(
            "{:.1}% of weight is unattributed (treated as `{}`; try --unattributed separate|unknown|exclude to see the range)",
            share * 100.0,
            r.unattributed
        ));
    }
    if stats.excluded > 0 {
        notes.push(format!(
            "{} observations excluded as unattributed",
            stats.excluded
        ));
    }
    notes
}

//! `powermap report`: the Balance-of-Power report of a network as HTML, Markdown and JSON.

use std::io::IsTerminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use powermap_report::spec;

/// Arguments of `powermap report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap report ethereum                      # writes powermap-report/ethereum.{html,md,json}
  powermap report bitcoin --out site --format html
  powermap report solana --format md --out -    # Markdown to stdout (charts are not written)
  powermap report --spec my-network.toml --facts my-facts.toml --data /path/to/repo

Built-in reports: bitcoin, ethereum, solana, sui, uniswap (registry/reports/<network>.toml lists
their layers;
registry/facts/<network>.toml their declared facts). Datasets are read from DATA/data/….")]
pub struct Args {
    /// Network with a built-in report (bitcoin, ethereum, solana, sui, uniswap). Not needed with
    /// --spec.
    #[arg(required_unless_present = "spec")]
    network: Option<String>,

    /// A report spec (TOML) instead of the built-in one; see docs/report.md.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,

    /// Declared facts (TOML) instead of the built-in ones for the network.
    #[arg(long, value_name = "FILE")]
    facts: Option<PathBuf>,

    /// Folder that holds `data/` (the repository root).
    #[arg(long, default_value = ".", value_name = "DIR")]
    data: PathBuf,

    /// Security models to lay over `registry/security-models.toml` (see docs/security-models.md).
    #[arg(long, value_name = "FILE")]
    security_models: Option<PathBuf>,

    /// What to write: `all` (HTML, Markdown with SVG charts, JSON), `html`, `md` or `json`.
    #[arg(long, short, default_value = "all")]
    format: ReportFormat,

    /// Output directory (written atomically), or `-` for stdout (one format only).
    #[arg(long, short, default_value = "powermap-report", value_name = "DIR")]
    out: PathBuf,

    /// No progress messages.
    #[arg(long)]
    quiet: bool,
}

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    // HTML, Markdown with SVG charts, and JSON.
    All,
    // One self-contained HTML page.
    Html,
    // Markdown (charts as SVG files beside it).
    Md,
    // JSON.
    Json,
}

/// Runs `powermap report`.
pub fn run(args: Args) -> Result<ExitCode> {
    let (spec, builtin_facts) = match (&args.spec, &args.network) {
        (Some(path), _) => (spec::load_spec(path)?, None),
        (None, Some(network)) => {
            let (s, f) = spec::builtin(network)?;
            (s, Some(f))
        }
        (None, None) => unreachable!("clap requires a network without --spec"),
    };
    let facts = match (&args.facts, builtin_facts) {
        (Some(path), _) => spec::load_facts(path)?,
        (None, Some(f)) => f,
        (None, None) => spec::Facts::default(),
    };
    let stage = powermap_findings::Stage::load(args.security_models.as_deref(), None)?;
    let bar = progress(args.quiet);
    let report = powermap_report::build(&spec, &facts, &stage, &args.data, &mut |l| {
        bar.set_message(format!("layer {l}"))
    })?;
    bar.finish_and_clear();

    let stem = report.network.clone();
    if args.out == Path::new("-") {
        let text = match args.format {
            ReportFormat::Html => powermap_report::html::render(&report)?,
            ReportFormat::Md => powermap_report::markdown::render(&report, &stem)?.text,
            ReportFormat::Json => json(&report)?,
            ReportFormat::All => {
                anyhow::bail!("--out - writes one format: pass --format html, md or json")
            }
        };
        std::io::stdout().lock().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut written = Vec::new();
    let all = args.format == ReportFormat::All;
    if all || args.format == ReportFormat::Html {
        let path = args.out.join(format!("{stem}.html"));
        write(&path, &powermap_report::html::render(&report)?)?;
        written.push(path);
    }
    if all || args.format == ReportFormat::Md {
        let md = powermap_report::markdown::render(&report, &stem)?;
        for (name, svg) in &md.charts {
            write(&args.out.join(name), svg)?;
        }
        let path = args.out.join(format!("{stem}.md"));
        write(&path, &md.text)?;
        written.push(path);
    }
    if all || args.format == ReportFormat::Json {
        let path = args.out.join(format!("{stem}.json"));
        write(&path, &json(&report)?)?;
        written.push(path);
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn json(report: &powermap_report::Report) -> Result<String> {
    Ok(serde_json::to_string_pretty(report)? + "\n")
}

fn write(path: &Path, text: &str) -> Result<()> {
    powermap_ingest::atomic_write(path, |w| -> Result<(), powermap_ingest::IngestError> {
        w.write_all(text.as_bytes())
            .map_err(|e| powermap_ingest::IngestError::io(path, e))
    })
    .with_context(|| format!("writing {}", path.display()))
}

fn progress(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

//! Writing analyses: the terminal summary, or files in the chosen format.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result};
use powermap_model::{Analysis, Boundary, Threshold};
use powermap_render::{csv_files, edi_value, jsonl, parquet_table, summary};

/// Output encodings of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// The readable summary.
    Table,
    /// EDI-compatible CSV.
    Csv,
    /// JSON Lines.
    Json,
    /// Parquet.
    Parquet,
}

impl FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(OutputFormat::Table),
            "csv" => Ok(OutputFormat::Csv),
            "json" | "jsonl" => Ok(OutputFormat::Json),
            "parquet" => Ok(OutputFormat::Parquet),
            _ => Err(format!(
                "unknown format `{s}` (expected table, csv, json or parquet)"
            )),
        }
    }
}

/// How to emit.
#[derive(Debug)]
pub struct Options {
    /// Encoding.
    pub format: OutputFormat,
    /// Output directory, if any.
    pub out: Option<PathBuf>,
    /// Write plots too.
    pub plot: bool,
    /// Coalition boundary for the summary.
    pub boundary: Boundary,
    /// Thresholds whose coalitions the summary names.
    pub thresholds: Vec<Threshold>,
    /// Lines printed at the top of the summary.
    pub notes: Vec<String>,
    /// Findings, also written as JSON records.
    pub findings: Vec<powermap_model::Finding>,
}

/// Emits analyses as asked.
pub fn emit(analyses: &[Analysis], opts: &Options) -> Result<()> {
    let stdout = std::io::stdout();
    match (opts.format, &opts.out) {
        (OutputFormat::Table, _) => {
            let text = summary::render(
                analyses,
                &summary::SummaryOptions {
                    color: std::io::IsTerminal::is_terminal(&stdout),
                    boundary: opts.boundary,
                    thresholds: opts.thresholds.clone(),
                    findings: opts.notes.clone(),
                    ..Default::default()
                },
            );
            stdout.lock().write_all(text.as_bytes())?;
        }
        (OutputFormat::Csv, None) => csv_files::write_long(analyses, edi_value, stdout.lock())?,
        (OutputFormat::Json, None) => {
            let mut lock = stdout.lock();
            jsonl::write_jsonl(analyses, &mut lock)?;
            jsonl::write_findings(&opts.findings, &mut lock)?;
        }
        (OutputFormat::Parquet, None) => {
            anyhow::bail!("--format parquet needs --out DIR (Parquet is not written to a terminal)")
        }
        (OutputFormat::Csv, Some(dir)) => {
            for (name, bytes) in csv_files::all_files(analyses, edi_value)? {
                place(dir, &name, &bytes)?;
            }
        }
        (OutputFormat::Json, Some(dir)) => {
            let mut buf = Vec::new();
            jsonl::write_jsonl(analyses, &mut buf)?;
            jsonl::write_findings(&opts.findings, &mut buf)?;
            place(dir, "analysis.jsonl", &buf)?;
        }
        (OutputFormat::Parquet, Some(dir)) => {
            let mut buf = Vec::new();
            parquet_table::write_parquet(analyses, &mut buf)?;
            place(dir, "metrics.parquet", &buf)?;
        }
    }
    if opts.plot {
        let dir = opts
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("powermap-out"));
        plots(analyses, &dir, &opts.thresholds)?;
    }
    Ok(())
}

fn place(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(name);
    powermap_ingest::atomic_write(&path, |w| {
        std::io::Write::write_all(w, bytes).map_err(|e| powermap_ingest::IngestError::io(&path, e))
    })
    .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Writes the plots of every analysis into `dir`: one chart per metric (all networks as
/// lines, decisive thresholds drawn) and one stacked-share chart per network layer, each as
/// SVG and PNG.
fn plots(analyses: &[Analysis], dir: &Path, _thresholds: &[Threshold]) -> Result<()> {
    use powermap_render::plot::{metric_series, share_area, ImageFormat, PlotOptions};
    let opts = PlotOptions::default();
    for format in [ImageFormat::Svg, ImageFormat::Png] {
        let ext = format.extension();
        for metric in csv_files::metric_union(analyses) {
            let bytes = metric_series(analyses, &metric, format, &opts)?;
            let stem = csv_files::metric_file_name(&metric);
            let stem = stem.trim_end_matches(".csv");
            place(dir, &format!("{stem}.{ext}"), &bytes)?;
        }
        for a in analyses {
            let bytes = share_area(a, format, &opts)?;
            place(
                dir,
                &format!("shares_{}_{}.{ext}", a.network, a.layer),
                &bytes,
            )?;
        }
    }
    Ok(())
}

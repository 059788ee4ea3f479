//! Writing analyses: the terminal summary, or files in the chosen format.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use powermap_attribution::Unattributed;
use powermap_model::{Analysis, Boundary, Threshold};
use powermap_pipeline::{Comparison, TreatmentRange};
use powermap_render::{comparison, csv_files, edi_value, jsonl, parquet_table, ranges, summary};

/// Output encodings of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    // The readable summary.
    Table,
    // EDI-compatible CSV.
    Csv,
    // JSON Lines.
    #[value(alias = "jsonl")]
    Json,
    // Parquet.
    Parquet,
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
    /// `--unattributed range`: the runs under every treatment, and the one the values are
    /// shown under.
    pub ranges: Option<(TreatmentRange, Unattributed)>,
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
            if let Some((ranges, shown)) = &opts.ranges {
                stdout
                    .lock()
                    .write_all(ranges::range_table(ranges, *shown).as_bytes())?;
            }
        }
        (OutputFormat::Csv, None) => csv_files::write_long(analyses, edi_value, stdout.lock())?,
        (OutputFormat::Json, None) => {
            let mut lock = stdout.lock();
            jsonl::write_jsonl(analyses, &mut lock)?;
            jsonl::write_findings(&opts.findings, &mut lock)?;
            if let Some((ranges, _)) = &opts.ranges {
                ranges::write_range_jsonl(&ranges.rows, &mut lock)?;
            }
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
            if let Some((ranges, _)) = &opts.ranges {
                ranges::write_range_jsonl(&ranges.rows, &mut buf)?;
            }
            place(dir, "analysis.jsonl", &buf)?;
        }
        (OutputFormat::Parquet, Some(dir)) => {
            let mut buf = Vec::new();
            parquet_table::write_parquet(analyses, &mut buf)?;
            place(dir, "metrics.parquet", &buf)?;
        }
    }
    if let (Some((ranges, _)), Some(dir)) = (&opts.ranges, &opts.out) {
        let mut buf = Vec::new();
        ranges::write_ranges_csv(&ranges.rows, &mut buf)?;
        place(dir, "ranges.csv", &buf)?;
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

// ---------------------------------------------------------------------------------------
// `--compare-mapping`

/// Emits a comparison: a table, JSON Lines (`compare.jsonl` under `--out`) or CSV
/// (`compare.csv`); a table with `--out` also writes `compare.csv`.
pub fn emit_comparison(c: &Comparison, format: OutputFormat, out: Option<&Path>) -> Result<()> {
    let stdout = std::io::stdout();
    match format {
        OutputFormat::Table => {
            stdout
                .lock()
                .write_all(comparison::comparison_table(c).as_bytes())?;
        }
        OutputFormat::Json => {
            let mut buf = Vec::new();
            comparison::write_comparison_jsonl(c, &mut buf)?;
            match out {
                Some(dir) => place(dir, "compare.jsonl", &buf)?,
                None => stdout.lock().write_all(&buf)?,
            }
        }
        OutputFormat::Csv => {
            if out.is_none() {
                comparison::write_comparison_csv(c, &mut stdout.lock())?;
            }
        }
        OutputFormat::Parquet => {
            anyhow::bail!("--compare-mapping writes table, json or csv (not parquet)")
        }
    }
    if let (Some(dir), OutputFormat::Table | OutputFormat::Csv) = (out, format) {
        let mut buf = Vec::new();
        comparison::write_comparison_csv(c, &mut buf)?;
        place(dir, "compare.csv", &buf)?;
    }
    Ok(())
}

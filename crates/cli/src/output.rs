//! Writing analyses: the terminal summary, or files in the chosen format.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use powermap_attribution::Unattributed;
use powermap_model::{Analysis, Boundary, MetricValue, Threshold, Window};
use powermap_pipeline::{Comparison, RangeRow, TreatmentRange};
use powermap_render::{csv_files, edi_value, jsonl, parquet_table, summary};

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
                    .write_all(range_table(ranges, *shown).as_bytes())?;
            }
        }
        (OutputFormat::Csv, None) => csv_files::write_long(analyses, edi_value, stdout.lock())?,
        (OutputFormat::Json, None) => {
            let mut lock = stdout.lock();
            jsonl::write_jsonl(analyses, &mut lock)?;
            jsonl::write_findings(&opts.findings, &mut lock)?;
            if let Some((ranges, _)) = &opts.ranges {
                write_range_jsonl(&ranges.rows, &mut lock)?;
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
                write_range_jsonl(&ranges.rows, &mut buf)?;
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
        write_ranges_csv(&ranges.rows, &mut buf)?;
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
// `--unattributed range`

/// A metric value as a number for CSV and JSON: integers as integers, reals in Rust's
/// shortest round-trip form; empty (`None`) when undefined or not finite.
fn number(v: Option<MetricValue>) -> Option<String> {
    match v? {
        MetricValue::Undefined => None,
        MetricValue::Int(i) => Some(i.to_string()),
        MetricValue::Float(f) => real(f),
    }
}

fn real(f: f64) -> Option<String> {
    f.is_finite().then(|| f.to_string())
}

/// One JSON object, written by hand: the CLI has no serde_json.
struct Json(String);

impl Json {
    fn new(kind: &str) -> Self {
        let mut j = Json("{".into());
        j.str("type", kind);
        j
    }
    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&quote(k));
        self.0.push(':');
    }
    fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.0.push_str(&quote(v));
        self
    }
    fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }
    fn num(&mut self, k: &str, v: Option<String>) -> &mut Self {
        self.raw(k, v.as_deref().unwrap_or("null"))
    }
    fn raw(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.0.push_str(v);
        self
    }
    fn window(&mut self, w: &Window) -> &mut Self {
        self.str("date", &w.representative.to_string())
            .str("start", &w.start.to_string())
            .str("end", &w.end.to_string())
    }
    fn line(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        self.0.push('}');
        writeln!(out, "{}", self.0)
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `{"type":"range","network","layer","date","start","end","metric","separate","unknown",
/// "exclude","min","max"}` per row.
fn write_range_jsonl(rows: &[RangeRow], out: &mut dyn Write) -> Result<()> {
    for r in rows {
        let mut j = Json::new("range");
        j.str("network", &r.network)
            .str("layer", r.layer.id())
            .window(&r.window)
            .str("metric", &r.metric);
        for (t, v) in Unattributed::ALL.iter().zip(r.values) {
            j.num(t.id(), number(v));
        }
        j.num("min", r.min.and_then(real))
            .num("max", r.max.and_then(real))
            .line(out)?;
    }
    Ok(())
}

/// `ranges.csv`: every window and metric under the three treatments.
fn write_ranges_csv(rows: &[RangeRow], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "network", "layer", "date", "start", "end", "metric", "separate", "unknown", "exclude",
        "min", "max",
    ])?;
    for r in rows {
        let mut rec = vec![
            r.network.clone(),
            r.layer.id().to_string(),
            r.window.representative.to_string(),
            r.window.start.to_string(),
            r.window.end.to_string(),
            r.metric.clone(),
        ];
        rec.extend(r.values.iter().map(|v| number(*v).unwrap_or_default()));
        rec.push(r.min.and_then(real).unwrap_or_default());
        rec.push(r.max.and_then(real).unwrap_or_default());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The value of `row` that equals `x` (so integers print as integers).
fn value_at(row: &RangeRow, x: Option<f64>) -> String {
    let v = row
        .values
        .iter()
        .flatten()
        .find(|v| v.as_f64() == x)
        .copied()
        .unwrap_or(MetricValue::Undefined);
    summary::format_metric(&row.metric, v)
}

/// For the latest window of each network layer, every metric as `value (lo – hi)` with the
/// value under each treatment.
fn range_table(ranges: &TreatmentRange, shown: Unattributed) -> String {
    use std::fmt::Write as _;
    let latest = ranges.latest();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nRange over the treatments of unattributed weight (value under `{shown}`; separate: each unattributed subject its own producer, each `unknown` block its own)"
    );
    let mut groups: Vec<(&str, powermap_model::Layer, &Window)> = Vec::new();
    for r in &latest {
        if !groups
            .iter()
            .any(|(n, l, _)| *n == r.network && *l == r.layer)
        {
            groups.push((&r.network, r.layer, &r.window));
        }
    }
    for (network, layer, window) in groups {
        let total = |t: Unattributed| {
            ranges
                .run(t)
                .analyses
                .iter()
                .find(|a| a.network == network && a.layer == layer)
                .and_then(|a| a.windows.iter().find(|w| w.window == *window))
                .map_or(0.0, |w| w.distribution.total())
        };
        let (all, kept) = (total(Unattributed::Bucket), total(Unattributed::Exclude));
        let share = if all > 0.0 { (all - kept) / all } else { 0.0 };
        let _ = writeln!(
            out,
            "\n{network} · {layer} · latest window {} .. {} · {} of weight {} unattributed",
            window.start,
            window.end,
            summary::percent(share),
            if all.fract() == 0.0 && kept.fract() == 0.0 {
                format!("({} of {})", all - kept, all)
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "  {:<26} {:>10}  {:<22} {:>10} {:>10} {:>10}",
            "Metric", "value", "range (lo – hi)", "separate", "unknown", "exclude"
        );
        for r in latest
            .iter()
            .filter(|r| r.network == network && r.layer == layer)
        {
            let value =
                summary::format_metric(&r.metric, r.value(shown).unwrap_or(MetricValue::Undefined));
            let range = format!("({} – {})", value_at(r, r.min), value_at(r, r.max));
            let cell = |t: Unattributed| {
                summary::format_metric(&r.metric, r.value(t).unwrap_or(MetricValue::Undefined))
            };
            let _ = writeln!(
                out,
                "  {:<26} {:>10}  {:<22} {:>10} {:>10} {:>10}",
                r.metric,
                value,
                range,
                cell(Unattributed::Separate),
                cell(Unattributed::Bucket),
                cell(Unattributed::Exclude)
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// `--compare-mapping`

/// Rows of the comparison table shown per section before `… and N more`.
const COMPARE_ROWS: usize = 15;

/// Emits a comparison: a table, JSON Lines (`compare.jsonl` under `--out`) or CSV
/// (`compare.csv`); a table with `--out` also writes `compare.csv`.
pub fn emit_comparison(c: &Comparison, format: OutputFormat, out: Option<&Path>) -> Result<()> {
    let stdout = std::io::stdout();
    match format {
        OutputFormat::Table => {
            stdout.lock().write_all(comparison_table(c).as_bytes())?;
        }
        OutputFormat::Json => {
            let mut buf = Vec::new();
            write_comparison_jsonl(c, &mut buf)?;
            match out {
                Some(dir) => place(dir, "compare.jsonl", &buf)?,
                None => stdout.lock().write_all(&buf)?,
            }
        }
        OutputFormat::Csv => {
            if out.is_none() {
                write_comparison_csv(c, &mut stdout.lock())?;
            }
        }
        OutputFormat::Parquet => {
            anyhow::bail!("--compare-mapping writes table, json or csv (not parquet)")
        }
    }
    if let (Some(dir), OutputFormat::Table | OutputFormat::Csv) = (out, format) {
        let mut buf = Vec::new();
        write_comparison_csv(c, &mut buf)?;
        place(dir, "compare.csv", &buf)?;
    }
    Ok(())
}

fn entity_or_excluded(e: Option<&str>) -> &str {
    e.unwrap_or("(excluded)")
}

fn comparison_table(c: &Comparison) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "Attribution under two registries");
    let _ = writeln!(out, "  A  {}", c.a_label);
    let _ = writeln!(out, "  B  {}", c.b_label);
    let mut groups: Vec<(&str, powermap_model::Layer, &Window)> = Vec::new();
    for m in &c.metrics {
        if !groups
            .iter()
            .any(|(n, l, _)| *n == m.network && *l == m.layer)
        {
            groups.push((&m.network, m.layer, &m.window));
        }
    }
    for (network, layer, window) in groups {
        let _ = writeln!(
            out,
            "\n{network} · {layer} · latest window {} .. {}",
            window.start, window.end
        );
        let _ = writeln!(
            out,
            "  {:<26} {:>10} {:>10} {:>10}",
            "Metric", "A", "B", "B − A"
        );
        for m in c
            .metrics
            .iter()
            .filter(|m| m.network == network && m.layer == layer)
        {
            let b = m.b.unwrap_or(MetricValue::Undefined);
            let _ = writeln!(
                out,
                "  {:<26} {:>10} {:>10} {:>10}",
                m.metric,
                summary::format_metric(&m.metric, m.a),
                summary::format_metric(&m.metric, b),
                summary::format_change(&m.metric, b, m.a)
            );
        }
        let shares: Vec<_> = c
            .shares
            .iter()
            .filter(|s| s.network == network && s.layer == layer)
            .collect();
        if shares.is_empty() {
            let _ = writeln!(out, "\n  Every entity has the same share under A and B.");
        } else {
            let _ = writeln!(
                out,
                "\n  {:<32} {:>9} {:>9} {:>8}",
                "Entities whose share differs most", "A", "B", "points"
            );
            for s in shares.iter().take(COMPARE_ROWS) {
                let _ = writeln!(
                    out,
                    "  {:<32} {:>9} {:>9} {:>8}",
                    truncate(&s.entity, 32),
                    summary::percent(s.a),
                    summary::percent(s.b),
                    summary::points(s.difference())
                );
            }
            if shares.len() > COMPARE_ROWS {
                let _ = writeln!(out, "  … and {} more", shares.len() - COMPARE_ROWS);
            }
        }
    }
    let weight: f64 = c.subjects.iter().map(|s| s.weight).sum();
    if c.subjects.is_empty() {
        let _ = writeln!(
            out,
            "\nEvery subject is attributed to the same entity by A and B."
        );
    } else {
        let _ = writeln!(
            out,
            "\nSubjects attributed differently ({} rows, weight {weight}; whole timeframe)",
            c.subjects.len()
        );
        let _ = writeln!(
            out,
            "  {:<24} {:<22} {:<22} {:>9} {:>10}  {:<10} last",
            "subject", "entity under A", "entity under B", "weight", "obs.", "first"
        );
        for s in c.subjects.iter().take(COMPARE_ROWS) {
            let _ = writeln!(
                out,
                "  {:<24} {:<22} {:<22} {:>9} {:>10}  {:<10} {}",
                truncate(&s.subject, 24),
                truncate(entity_or_excluded(s.a.as_deref()), 22),
                truncate(entity_or_excluded(s.b.as_deref()), 22),
                s.weight,
                s.observations,
                s.first,
                s.last
            );
        }
        if c.subjects.len() > COMPARE_ROWS {
            let _ = writeln!(
                out,
                "  … and {} more (all in --format json / compare.csv)",
                c.subjects.len() - COMPARE_ROWS
            );
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Records: `{"type":"comparison","a","b"}`, then per metric
/// `{"type":"compare_metric","network","layer","date","start","end","metric","a","b","difference"}`,
/// per entity `{"type":"compare_share",…,"entity","a","b","difference"}` and per subject
/// `{"type":"compare_subject","network","subject","a","b","observations","weight","first","last"}`
/// (`a`/`b` of a subject: the entity, `null` when excluded).
fn write_comparison_jsonl(c: &Comparison, out: &mut dyn Write) -> Result<()> {
    Json::new("comparison")
        .str("a", &c.a_label)
        .str("b", &c.b_label)
        .line(out)?;
    for m in &c.metrics {
        Json::new("compare_metric")
            .str("network", &m.network)
            .str("layer", m.layer.id())
            .window(&m.window)
            .str("metric", &m.metric)
            .num("a", number(Some(m.a)))
            .num("b", number(m.b))
            .num("difference", m.difference().and_then(real))
            .line(out)?;
    }
    for s in &c.shares {
        let w = c
            .metrics
            .iter()
            .find(|m| m.network == s.network && m.layer == s.layer)
            .map(|m| &m.window);
        let mut j = Json::new("compare_share");
        j.str("network", &s.network).str("layer", s.layer.id());
        if let Some(w) = w {
            j.window(w);
        }
        j.str("entity", &s.entity)
            .num("a", real(s.a))
            .num("b", real(s.b))
            .num("difference", real(s.difference()))
            .line(out)?;
    }
    for s in &c.subjects {
        Json::new("compare_subject")
            .str("network", &s.network)
            .str("subject", &s.subject)
            .opt_str("a", s.a.as_deref())
            .opt_str("b", s.b.as_deref())
            .num("observations", Some(s.observations.to_string()))
            .num("weight", real(s.weight))
            .str("first", &s.first.to_string())
            .str("last", &s.last.to_string())
            .line(out)?;
    }
    Ok(())
}

/// `compare.csv`: one long table, `kind` = `metric`, `share` or `subject`. For metrics and
/// shares `a`/`b` are values and `difference` is B − A (latest window); for subjects `name`
/// is the subject, `a`/`b` the entities (empty when excluded) over the whole timeframe.
fn write_comparison_csv(c: &Comparison, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "network",
        "layer",
        "date",
        "start",
        "end",
        "name",
        "a",
        "b",
        "difference",
        "observations",
        "weight",
        "first",
        "last",
    ])?;
    let window = |w: Option<&Window>| -> [String; 3] {
        match w {
            Some(w) => [
                w.representative.to_string(),
                w.start.to_string(),
                w.end.to_string(),
            ],
            None => Default::default(),
        }
    };
    for m in &c.metrics {
        let [d, s, e] = window(Some(&m.window));
        w.write_record([
            "metric".to_string(),
            m.network.clone(),
            m.layer.id().to_string(),
            d,
            s,
            e,
            m.metric.clone(),
            number(Some(m.a)).unwrap_or_default(),
            number(m.b).unwrap_or_default(),
            m.difference().and_then(real).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for sh in &c.shares {
        let win = c
            .metrics
            .iter()
            .find(|m| m.network == sh.network && m.layer == sh.layer)
            .map(|m| &m.window);
        let [d, s, e] = window(win);
        w.write_record([
            "share".to_string(),
            sh.network.clone(),
            sh.layer.id().to_string(),
            d,
            s,
            e,
            sh.entity.clone(),
            real(sh.a).unwrap_or_default(),
            real(sh.b).unwrap_or_default(),
            real(sh.difference()).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for s in &c.subjects {
        w.write_record([
            "subject".to_string(),
            s.network.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s.subject.clone(),
            s.a.clone().unwrap_or_default(),
            s.b.clone().unwrap_or_default(),
            String::new(),
            s.observations.to_string(),
            real(s.weight).unwrap_or_default(),
            s.first.to_string(),
            s.last.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

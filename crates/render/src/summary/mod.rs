//! The terminal summary: what a person reads first after `powermap analyze`.
//!
//! For the latest window of each analysis it shows the window and provenance, the decisive
//! coalitions by name at 1/3, 1/2 and 2/3 (with the boundary rule stated), every metric with
//! its change over the look-back period, and the top entities with their change in points.
//! Caller-supplied findings, most severe first, head the whole report.
//!
//! The change is measured against the window whose representative date is closest to
//! `latest − lookback_days` (the earlier one on a tie); its date is printed, so a short series
//! says honestly how far back it actually compares.
//!
//! ```
//! use powermap_render::summary::{render, SummaryOptions};
//! let text = render(&[], &SummaryOptions::default());
//! assert!(text.contains("no analyses"));
//! ```

mod coalition;
mod notes;
mod numbers;

use std::fmt::Write as _;

use powermap_model::{Analysis, Boundary, MetricValue, Threshold, WindowResult};

pub use coalition::{decisive_coalition, Coalition, Member};
pub use notes::{attribution_notes, merge_notes};
pub use numbers::{format_change, format_metric, percent, points};

/// What the summary shows and how.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    /// Use ANSI styling (bold headings, dim provenance, yellow findings). Off for pipes.
    pub color: bool,
    /// How many top entities to list.
    pub top: usize,
    /// Look-back for the change columns, in days.
    pub lookback_days: i64,
    /// Boundary rule for coalitions (`≥` by default, as EDI).
    pub boundary: Boundary,
    /// Thresholds whose decisive coalitions are shown.
    pub thresholds: Vec<Threshold>,
    /// Statements printed at the top, most severe first.
    pub findings: Vec<String>,
    /// Most coalition members named before `… and N more`.
    pub max_named: usize,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            color: false,
            top: 10,
            lookback_days: 90,
            boundary: Boundary::AtLeast,
            thresholds: vec![Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS],
            findings: Vec::new(),
            max_named: 8,
        }
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn warn(&self, s: &str) -> String {
        self.wrap("33", s)
    }
}

/// Whether a summary printed to stdout should be coloured: stdout is a terminal and
/// `NO_COLOR` is unset (<https://no-color.org>). For callers filling [`SummaryOptions::color`].
pub fn color_for_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Index of the window to compare the latest one with: representative date closest to
/// `latest − days`, excluding the latest itself; `None` with fewer than two windows.
pub fn reference_window(windows: &[WindowResult], days: i64) -> Option<usize> {
    let (last, earlier) = windows.split_last()?;
    let target = last.window.representative - chrono::Duration::days(days);
    earlier
        .iter()
        .enumerate()
        .min_by_key(|(_, w)| (w.window.representative - target).num_days().abs())
        .map(|(i, _)| i)
}

fn symbol(b: Boundary) -> &'static str {
    match b {
        Boundary::AtLeast => "≥",
        Boundary::Greater => ">",
    }
}

/// `s` cut to `max` characters, the last one `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

fn rpad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{}{s}", " ".repeat(width.saturating_sub(n)))
}

/// Renders the summary of `analyses` (see the module docs).
pub fn render(analyses: &[Analysis], opts: &SummaryOptions) -> String {
    let st = Style { on: opts.color };
    let mut out = String::new();
    if !opts.findings.is_empty() {
        out.push_str(&st.bold("Findings (most severe first)"));
        out.push('\n');
        for f in &opts.findings {
            let _ = writeln!(out, "  {}", st.warn(&format!("! {f}")));
        }
        out.push('\n');
    }
    if analyses.is_empty() {
        out.push_str("no analyses to summarise\n");
        return out;
    }
    for (i, a) in analyses.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, a, opts, &st);
    }
    out
}

fn render_one(out: &mut String, a: &Analysis, opts: &SummaryOptions, st: &Style) {
    let cl = if a.clustering {
        "ownership clustered"
    } else {
        "not clustered"
    };
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!("{} · {} · {cl}", a.network, a.layer))
    );
    let Some(latest) = a.windows.last() else {
        out.push_str("  no windows\n");
        return;
    };
    let w = &latest.window;
    let mut win = format!(
        "{} .. {} (labelled {}, {} window{})",
        w.start,
        w.end,
        w.representative,
        a.windows.len(),
        if a.windows.len() == 1 { "" } else { "s" }
    );
    if let Some((h0, h1)) = w.heights {
        let _ = write!(win, ", heights {h0}-{h1}");
    }
    let _ = writeln!(out, "  latest window  {win}");
    let p = &a.provenance;
    let prov = format!(
        "dataset={}; windows={}; registry={}; unattributed={}",
        p.dataset, p.window_spec, p.registry, p.unattributed
    );
    let _ = writeln!(out, "  {}", st.dim(&format!("provenance     {prov}")));
    let reference = reference_window(&a.windows, opts.lookback_days).map(|i| &a.windows[i]);

    coalitions(out, latest, opts, st);
    metrics(out, a, latest, reference, opts, st);
    top_entities(out, latest, reference, opts, st);
}

fn coalitions(out: &mut String, latest: &WindowResult, opts: &SummaryOptions, st: &Style) {
    let sym = symbol(opts.boundary);
    let _ = writeln!(
        out,
        "\n  {}",
        st.bold(&format!(
            "Decisive coalitions (fewest heaviest entities with combined share {sym} threshold)"
        ))
    );
    let d = &latest.distribution;
    for t in &opts.thresholds {
        let label = format!("{sym} {t}");
        match decisive_coalition(d, *t, opts.boundary) {
            None => {
                let _ = writeln!(out, "    {}  none", pad(&label, 6));
            }
            Some(c) => {
                let n = c.members.len();
                let count = format!("{n} {}", if n == 1 { "entity" } else { "entities" });
                let mut names: Vec<String> = c
                    .members
                    .iter()
                    .take(opts.max_named)
                    .map(|m| format!("{} {}", m.name, percent(m.share)))
                    .collect();
                if n > opts.max_named {
                    names.push(format!("… and {} more", n - opts.max_named));
                }
                let _ = writeln!(
                    out,
                    "    {}  {}  = {}  {}",
                    pad(&label, 6),
                    pad(&count, 12),
                    rpad(&percent(c.share), 7),
                    names.join(" + ")
                );
            }
        }
    }
}

fn metrics(
    out: &mut String,
    a: &Analysis,
    latest: &WindowResult,
    reference: Option<&WindowResult>,
    opts: &SummaryOptions,
    st: &Style,
) {
    if a.metrics.is_empty() {
        return;
    }
    let width = a
        .metrics
        .iter()
        .map(|m| m.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let change = match reference {
        Some(r) => format!(
            "change {}d (vs {})",
            opts.lookback_days, r.window.representative
        ),
        None => format!("change {}d", opts.lookback_days),
    };
    let _ = writeln!(
        out,
        "\n  {}",
        st.bold(&format!(
            "{}  {}  {change}",
            pad("Metric", width),
            rpad("latest", 10)
        ))
    );
    for (i, id) in a.metrics.iter().enumerate() {
        let now = latest
            .values
            .get(i)
            .copied()
            .unwrap_or(MetricValue::Undefined);
        let delta = match reference {
            Some(r) => {
                let then = r.values.get(i).copied().unwrap_or(MetricValue::Undefined);
                format_change(id, now, then)
            }
            None => "n/a".into(),
        };
        let _ = writeln!(
            out,
            "  {}  {}  {}",
            pad(id, width),
            rpad(&format_metric(id, now), 10),
            rpad(&delta, 8)
        );
    }
}

fn top_entities(
    out: &mut String,
    latest: &WindowResult,
    reference: Option<&WindowResult>,
    opts: &SummaryOptions,
    st: &Style,
) {
    let d = &latest.distribution;
    let producers = d.producers();
    if producers.is_empty() {
        let _ = writeln!(out, "\n  no weight in the latest window");
        return;
    }
    let shown = producers.len().min(opts.top);
    let names: Vec<String> = producers[..shown]
        .iter()
        .map(|s| truncate(&s.name, 32))
        .collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let head = format!(
        "Top {shown} entities{}",
        " ".repeat((width + 4).saturating_sub(format!("Top {shown} entities").len()))
    );
    let change = match reference {
        Some(_) => format!("change {}d (points)", opts.lookback_days),
        None => format!("change {}d", opts.lookback_days),
    };
    let _ = writeln!(
        out,
        "\n  {}",
        st.bold(&format!("{head}  {}  {change}", rpad("share", 7)))
    );
    let total_then = reference.map(|r| r.distribution.total());
    for (i, name) in names.iter().enumerate() {
        let share = d.share(i);
        let delta = match (reference, total_then) {
            (Some(r), Some(t)) if t > 0.0 => {
                points(share - r.distribution.weight_of(&producers[i].name) / t)
            }
            _ => "n/a".into(),
        };
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            rpad(&(i + 1).to_string(), 2),
            pad(name, width),
            rpad(&percent(share), 7),
            rpad(&delta, 7)
        );
    }
    if producers.len() > shown {
        let rest: f64 = (shown..producers.len()).map(|i| d.share(i)).sum();
        let label = format!("other ({} entities)", producers.len() - shown);
        let _ = writeln!(
            out,
            "      {}  {}",
            pad(&label, width),
            rpad(&percent(rest), 7)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use powermap_model::{Distribution, Window};

    fn wr(day: u32, month: u32) -> WindowResult {
        let d = NaiveDate::from_ymd_opt(2024, month, day).unwrap();
        WindowResult {
            window: Window::days(d, d),
            distribution: Distribution::default(),
            values: vec![],
        }
    }

    #[test]
    fn reference_is_closest_to_lookback() {
        let ws = vec![wr(1, 1), wr(1, 2), wr(1, 3), wr(1, 4), wr(1, 5)];
        // 2024-05-01 − 90d = 2024-02-01.
        assert_eq!(reference_window(&ws, 90), Some(1));
        assert_eq!(reference_window(&ws[..1], 90), None);
        assert_eq!(reference_window(&ws[3..], 90), Some(0));
    }
}

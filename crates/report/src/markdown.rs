//! The report as Markdown: the same sections as the HTML page; charts are written beside it as
//! SVG files and linked.

use powermap_attribution::Unattributed;
use std::fmt::Write as _;

use crate::cell::pct;
use crate::chart::{layer_charts, Chart};
use crate::layer::LayerReport;
use crate::{text, Report, ReportError};

/// A rendered Markdown report and the chart files it links (`(file name, SVG)`).
pub struct Markdown {
    /// The Markdown text.
    pub text: String,
    /// Chart files to write beside it.
    pub charts: Vec<(String, String)>,
}

/// Renders `r`; chart files are named `<stem>-<layer>-<n>.svg`.
pub fn render(r: &Report, stem: &str) -> Result<Markdown, ReportError> {
    let mut s = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(s, "# Balance of power: {}\n", r.title);
    let _ = writeln!(s, "{}\n", r.scope);
    let _ = writeln!(s, "{}\n", text::PROVENANCE_LINE);
    scorecard(&mut s, r);
    if !r.layers.is_empty() {
        let _ = writeln!(s, "## Layers\n");
    }
    for l in &r.layers {
        let files = layer(&mut s, l, stem)?;
        charts.extend(files);
    }
    if let Some(c) = &r.crosslayer {
        crosslayer(&mut s, c);
    }
    if let Some(g) = &r.governance {
        governance(&mut s, g);
    }
    sources(&mut s, r);
    Ok(Markdown { text: s, charts })
}

fn scorecard(s: &mut String, r: &Report) {
    let _ = writeln!(s, "## Scorecard\n");
    let _ = writeln!(s, "{}\n", text::SCORECARD_LEGEND);
    for g in &r.scorecard.groups {
        let _ = writeln!(s, "### {}\n", g.title);
        if !g.measured.is_empty() {
            let _ = writeln!(s, "Measured:\n");
            let _ = writeln!(
                s,
                "| layer | as of | decisive coalition size per failure mode | note |"
            );
            let _ = writeln!(s, "|---|---|---|---|");
            for row in &g.measured {
                let cells: Vec<String> = row
                    .cells
                    .iter()
                    .map(|c| format!("{} {}: **{}**", c.failure_mode, c.rule, c.text()))
                    .collect();
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    md(&row.title),
                    row.as_of.map(|d| d.to_string()).unwrap_or_default(),
                    if cells.is_empty() {
                        "no failure mode modelled".to_string()
                    } else {
                        cells.join("<br>")
                    },
                    md(row.note.as_deref().unwrap_or(""))
                );
            }
            let _ = writeln!(s);
        }
        if !g.declared.is_empty() {
            let _ = writeln!(s, "Declared (stated by the source, not measured here):\n");
            for f in &g.declared {
                let _ = writeln!(
                    s,
                    "- **{}**: {} — {} (as of {})",
                    md(&f.name),
                    md(&f.value),
                    f.source,
                    f.as_of
                );
            }
            let _ = writeln!(s);
        }
    }
}

fn layer(
    s: &mut String,
    l: &LayerReport,
    stem: &str,
) -> Result<Vec<(String, String)>, ReportError> {
    let _ = writeln!(s, "### {}\n", md(&l.spec.title));
    let _ = writeln!(s, "{}\n", md(&text::layer_source(l)));
    if let Some(note) = &l.spec.note {
        let _ = writeln!(s, "> {}\n", md(note));
    }
    let mut files = Vec::new();
    for (i, Chart { title, svg }) in layer_charts(l)?.into_iter().enumerate() {
        let name = format!("{stem}-{}-{}.svg", l.spec.id, i + 1);
        let _ = writeln!(s, "![{}]({name})\n", md(&title));
        files.push((name, svg));
    }
    if !l.concentration.is_empty() {
        let _ = writeln!(s, "{}\n", text::UNMODELLED);
        let _ = writeln!(
            s,
            "| share of {} | entities | who | trend |",
            md(&l.spec.weight)
        );
        let _ = writeln!(s, "|---|---|---|---|");
        for c in &l.concentration {
            let _ = writeln!(
                s,
                "| ≥ {} | {} | {} | {} |",
                c.threshold,
                c.size.map_or("not reachable".into(), |n| n.to_string()),
                md(&text::members(&c.members)),
                md(&text::trend(&c.before, c.trend))
            );
        }
        let _ = writeln!(s);
    }
    if !l.coalitions.is_empty() {
        let _ = writeln!(s, "Decisive coalitions in the latest window:\n");
        let _ = writeln!(
            s,
            "| failure mode | breaks | rule | size | who | trend | why |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for c in &l.coalitions {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} [source]({}) |",
                c.now.failure_mode,
                c.now.property,
                crate::cell::rule(c.now.boundary, c.now.threshold),
                c.now.size.map_or("not reachable".into(), |n| n.to_string()),
                md(&text::members(&c.now.members)),
                md(&text::trend(&c.before, c.trend)),
                md(&c.now.why),
                c.now.citation
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "Single points of failure: {}\n", md(&text::spofs(l)));
    }
    if let Some(u) = &l.uncertainty {
        let _ = writeln!(
            s,
            "{}\n",
            md(&text::uncertainty_intro(
                u,
                &l.spec.weight,
                l.spec.headline_why.as_deref()
            ))
        );
        let _ = writeln!(
            s,
            "| result | one bucket | each its own | excluded | range |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|");
        for r in &u.rows {
            let f = |v: Option<f64>| text::value(&r.what, v);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                r.what,
                f(r.value(Unattributed::Bucket)),
                f(r.value(Unattributed::Separate)),
                f(r.value(Unattributed::Exclude)),
                text::range(&r.what, r.range())
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "Top entities ({} in all):\n", l.latest.entities);
    let _ = writeln!(s, "| entity | share |");
    let _ = writeln!(s, "|---|---|");
    for (name, share) in &l.latest.top {
        let _ = writeln!(s, "| {} | {} |", md(name), pct(*share));
    }
    let _ = writeln!(s, "\n{}\n", text::metrics(l));
    Ok(files)
}

fn crosslayer(s: &mut String, c: &crate::CrossLayerReport) {
    let _ = writeln!(s, "## Cross-layer control\n");
    let _ = writeln!(s, "{}\n", md(&text::crosslayer_intro(c)));
    for a in &c.assumptions {
        let _ = writeln!(s, "- {}", md(a));
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| organisations of kind | failure mode | size | coalition | share | greedy |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for r in &c.rows {
        let _ = writeln!(
            s,
            "| {} | {} {} | {} | {} | {} | {} |",
            r.kinds,
            r.failure_mode,
            crate::cell::rule(r.result.boundary, r.result.threshold),
            text::cross_size(&r.result),
            md(&text::cross_members(&r.result)),
            pct(r.result.share()),
            r.result.greedy_size().map_or("–".into(), |n| n.to_string())
        );
    }
    let _ = writeln!(s);
}

fn governance(s: &mut String, g: &crate::governance::GovernanceReport) {
    let _ = writeln!(s, "## Governance capture\n");
    for line in g.summary() {
        let _ = writeln!(s, "{}\n", md(&line));
    }
    for t in g.tables() {
        let _ = writeln!(s, "{}:\n", md(&t.caption));
        let _ = writeln!(s, "| {} |", t.header.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(t.header.len()));
        for row in &t.rows {
            let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        let _ = writeln!(s);
    }
}

fn sources(s: &mut String, r: &Report) {
    let _ = writeln!(s, "## Sources\n");
    for d in &r.datasets {
        let _ = writeln!(
            s,
            "- **{}** (`{}`): {}. Licence: {}.",
            d.id,
            d.path,
            md(&d.origin),
            md(&d.licence)
        );
    }
    let _ = writeln!(
        s,
        "- **Failure-mode thresholds**: {}.",
        md(&r.models_origin)
    );
    let _ = writeln!(s, "\n{}", text::REPRODUCE);
}

/// Escapes the characters that break a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

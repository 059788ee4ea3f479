//! The report as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts,
//! no fonts or links to fetch, so it opens offline and prints.

use powermap_attribution::Unattributed;
use std::fmt::Write as _;

use crate::cell::pct;
use crate::chart::{esc, layer_charts};
use crate::layer::LayerReport;
use crate::{text, Report, ReportError};

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#fafbfc;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.8em;margin:.2em 0}h2{border-bottom:2px solid #d8dde6;padding-bottom:4px;margin-top:2em}
h3{margin-top:1.6em}table{border-collapse:collapse;width:100%;margin:.6em 0 1.2em;font-size:.92em;background:#fff}
th,td{border:1px solid #d8dde6;padding:5px 8px;text-align:left;vertical-align:top}th{background:#eef1f5}
.cell{white-space:nowrap}.size{font-weight:700;font-size:1.1em}
.up{color:#1e7d32}.down{color:#b3261e}.steady{color:#555}.declared{background:#fffbea}
.note{color:#555;font-size:.92em;border-left:3px solid #c9d1dd;padding-left:10px}
figure{margin:1em 0;background:#fff;border:1px solid #d8dde6;padding:8px}figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.88em;color:#555;margin-top:4px}caption{text-align:left;font-weight:600;padding:4px 0}nav a{margin-right:14px}
.spof{color:#b3261e}code{background:#eef1f5;padding:1px 4px;border-radius:3px}
";

/// Renders `r` as a complete HTML document.
pub fn render(r: &Report) -> Result<String, ReportError> {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Balance of power: {}</title><style>{CSS}</style></head><body><main>",
        esc(&r.title)
    );
    let _ = write!(
        s,
        "<h1>Balance of power: {}</h1><p>{}</p><p class=\"note\">{}</p>",
        esc(&r.title),
        esc(&r.scope),
        esc(text::PROVENANCE_LINE)
    );
    s.push_str("<nav><a href=\"#scorecard\">Scorecard</a>");
    if !r.layers.is_empty() {
        s.push_str("<a href=\"#layers\">Layers</a>");
    }
    if r.crosslayer.is_some() {
        s.push_str("<a href=\"#crosslayer\">Cross-layer</a>");
    }
    if r.governance.is_some() {
        s.push_str("<a href=\"#governance\">Governance capture</a>");
    }
    s.push_str("<a href=\"#sources\">Sources</a></nav>");
    scorecard(&mut s, r);
    if !r.layers.is_empty() {
        s.push_str("<h2 id=\"layers\">Layers</h2>");
    }
    for l in &r.layers {
        layer(&mut s, l)?;
    }
    if let Some(c) = &r.crosslayer {
        crosslayer(&mut s, c);
    }
    if let Some(g) = &r.governance {
        governance(&mut s, g);
    }
    sources(&mut s, r);
    s.push_str("</main></body></html>\n");
    Ok(s)
}

fn scorecard(s: &mut String, r: &Report) {
    let _ = write!(
        s,
        "<h2 id=\"scorecard\">Scorecard</h2><p class=\"note\">{}</p>",
        esc(text::SCORECARD_LEGEND)
    );
    for g in &r.scorecard.groups {
        let _ = write!(s, "<h3>{}</h3>", esc(&g.title));
        if !g.measured.is_empty() {
            s.push_str("<table class=\"measured\"><tr><th>Measured layer</th><th>as of</th><th>decisive coalition size per failure mode</th><th>note</th></tr>");
            for row in &g.measured {
                let cells: Vec<String> = row
                    .cells
                    .iter()
                    .map(|c| {
                        let class = match c.trend {
                            crate::Trend::Dispersing => "up",
                            crate::Trend::Concentrating => "down",
                            _ => "steady",
                        };
                        format!(
                            "<div class=\"cell\">{} {}: <span class=\"size {class}\">{}</span></div>",
                            esc(&c.failure_mode),
                            esc(&c.rule),
                            esc(&c.text())
                        )
                    })
                    .collect();
                let anchor = match row.layer.as_str() {
                    "cross-layer" => "crosslayer".to_string(),
                    "governance" => "governance".to_string(),
                    id => format!("layer-{id}"),
                };
                let _ = write!(
                    s,
                    "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&anchor),
                    esc(&row.title),
                    row.as_of.map(|d| d.to_string()).unwrap_or_default(),
                    if cells.is_empty() {
                        "no failure mode modelled".into()
                    } else {
                        cells.join("")
                    },
                    esc(row.note.as_deref().unwrap_or(""))
                );
            }
            s.push_str("</table>");
        }
        if !g.declared.is_empty() {
            s.push_str("<table class=\"declared\"><tr><th>Declared (stated by the source, not measured here)</th><th>value</th><th>source</th><th>as of</th></tr>");
            for f in &g.declared {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&f.name),
                    esc(&f.value),
                    esc(&f.source),
                    esc(&f.as_of)
                );
            }
            s.push_str("</table>");
        }
    }
}

fn layer(s: &mut String, l: &LayerReport) -> Result<(), ReportError> {
    let _ = write!(
        s,
        "<section id=\"layer-{}\"><h3>{}</h3><p class=\"note\">{}</p>",
        esc(&l.spec.id),
        esc(&l.spec.title),
        esc(&text::layer_source(l))
    );
    if let Some(note) = &l.spec.note {
        let _ = write!(s, "<p class=\"note\">{}</p>", esc(note));
    }
    for c in layer_charts(l)? {
        let _ = write!(
            s,
            "<figure class=\"chart\">{}<figcaption>{}</figcaption></figure>",
            strip_xml_declaration(&c.svg),
            esc(&c.title)
        );
    }
    if !l.concentration.is_empty() {
        let _ = write!(
            s,
            "<p>{}</p><table><tr><th>share of {}</th><th>entities</th><th>who</th><th>trend</th></tr>",
            esc(text::UNMODELLED),
            esc(&l.spec.weight)
        );
        for c in &l.concentration {
            let _ = write!(
                s,
                "<tr><td>≥ {}</td><td class=\"size\">{}</td><td>{}</td><td>{}</td></tr>",
                c.threshold,
                c.size.map_or("not reachable".into(), |n| n.to_string()),
                esc(&text::members(&c.members)),
                esc(&text::trend(&c.before, c.trend))
            );
        }
        s.push_str("</table>");
    }
    if !l.coalitions.is_empty() {
        s.push_str("<table><tr><th>failure mode</th><th>breaks</th><th>rule</th><th>size</th><th>who</th><th>trend</th><th>why</th></tr>");
        for c in &l.coalitions {
            let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"size\">{}</td><td>{}</td><td>{}</td><td>{} <a href=\"{}\">[source]</a>{}</td></tr>",
            esc(&c.now.failure_mode),
            c.now.property,
            esc(&crate::cell::rule(c.now.boundary, c.now.threshold)),
            c.now.size.map_or("not reachable".into(), |n| n.to_string()),
            esc(&text::members(&c.now.members)),
            esc(&text::trend(&c.before, c.trend)),
            esc(&c.now.why),
            esc(&c.now.citation),
            c.now
                .assumption
                .as_ref()
                .map(|a| format!("<br><em>assumes {}</em>", esc(a)))
                .unwrap_or_default()
        );
        }
        s.push_str("</table>");
        let _ = write!(
            s,
            "<p class=\"{}\"><strong>Single points of failure:</strong> {}</p>",
            if l.spofs.is_empty() { "" } else { "spof" },
            esc(&text::spofs(l))
        );
    }
    if let Some(u) = &l.uncertainty {
        let _ = write!(
            s,
            "<p>{}</p><table class=\"uncertainty\"><tr><th>result</th><th>one bucket</th><th>each its own</th><th>excluded</th><th>range</th></tr>",
            esc(&text::uncertainty_intro(u, &l.spec.weight, l.spec.headline_why.as_deref()))
        );
        for r in &u.rows {
            let f = |v: Option<f64>| esc(&text::value(&r.what, v));
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>",
                esc(&r.what),
                f(r.value(Unattributed::Bucket)),
                f(r.value(Unattributed::Separate)),
                f(r.value(Unattributed::Exclude)),
                esc(&text::range(&r.what, r.range()))
            );
        }
        s.push_str("</table>");
    }
    let _ = write!(
        s,
        "<details><summary>Top entities ({} in all) and metrics</summary><table><tr><th>entity</th><th>share</th></tr>",
        l.latest.entities
    );
    for (name, share) in &l.latest.top {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", esc(name), pct(*share));
    }
    let _ = write!(
        s,
        "</table><p>{}</p></details></section>",
        esc(&text::metrics(l))
    );
    Ok(())
}

fn crosslayer(s: &mut String, c: &crate::CrossLayerReport) {
    let _ = write!(
        s,
        "<h2 id=\"crosslayer\">Cross-layer control</h2><p>{}</p><ul>",
        esc(&text::crosslayer_intro(c))
    );
    for a in &c.assumptions {
        let _ = write!(s, "<li>{}</li>", esc(a));
    }
    s.push_str("</ul><table><tr><th>organisations of kind</th><th>failure mode</th><th>size</th><th>coalition</th><th>share</th><th>greedy</th></tr>");
    for r in &c.rows {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{} {}</td><td class=\"size\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.kinds),
            esc(&r.failure_mode),
            esc(&crate::cell::rule(r.result.boundary, r.result.threshold)),
            esc(&text::cross_size(&r.result)),
            esc(&text::cross_members(&r.result)),
            pct(r.result.share()),
            r.result.greedy_size().map_or("–".into(), |n| n.to_string())
        );
    }
    s.push_str("</table>");
}

fn governance(s: &mut String, g: &crate::governance::GovernanceReport) {
    s.push_str("<h2 id=\"governance\">Governance capture</h2>");
    for line in g.summary() {
        let _ = write!(s, "<p>{}</p>", esc(&line));
    }
    for t in g.tables() {
        let _ = write!(s, "<table><caption>{}</caption><tr>", esc(&t.caption));
        for h in &t.header {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr>");
        for row in &t.rows {
            s.push_str("<tr>");
            for c in row {
                let _ = write!(s, "<td>{}</td>", esc(c));
            }
            s.push_str("</tr>");
        }
        s.push_str("</table>");
    }
}

fn sources(s: &mut String, r: &Report) {
    s.push_str("<h2 id=\"sources\">Sources</h2><ul>");
    for d in &r.datasets {
        let _ = write!(
            s,
            "<li><strong>{}</strong> (<code>{}</code>): {}. Licence: {}.</li>",
            esc(&d.id),
            esc(&d.path),
            esc(&d.origin),
            esc(&d.licence)
        );
    }
    let _ = write!(
        s,
        "<li><strong>Failure-mode thresholds</strong>: {}.</li></ul><p class=\"note\">{}</p>",
        esc(&r.models_origin),
        esc(text::REPRODUCE)
    );
}

/// Inline SVG must not carry an XML declaration.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

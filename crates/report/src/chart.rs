//! Charts of a layer as SVG text, for embedding: shares and the Nakamoto coefficient over time
//! when the layer has a series, else a bar chart of the latest shares against the thresholds.

use powermap_render::plot::{metric_series, share_area, ImageFormat, PlotOptions};
use powermap_render::summary::truncate;
use serde::Serialize;

use crate::layer::LayerReport;
use crate::ReportError;

/// Windows with weight needed before a layer is drawn over time.
pub const MIN_SERIES: usize = 6;

/// One chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Caption.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// The charts of one layer.
pub fn layer_charts(l: &LayerReport) -> Result<Vec<Chart>, ReportError> {
    let err = |e: powermap_render::RenderError| ReportError::Chart {
        layer: l.spec.id.clone(),
        message: e.to_string(),
    };
    if l.windows < MIN_SERIES {
        return Ok(vec![bars(l)]);
    }
    // Days without data (sparse daily sources) would draw as drops to zero: leave them out.
    let mut analysis = l.analysis.clone();
    analysis.windows.retain(|w| w.distribution.total() > 0.0);
    let opts = PlotOptions {
        title: Some(format!("{}: shares over time", l.spec.title)),
        ..PlotOptions::default()
    };
    let shares = share_area(&analysis, ImageFormat::Svg, &opts).map_err(err)?;
    let opts = PlotOptions {
        title: Some(format!(
            "{}: Nakamoto coefficient (≥ 1/2) over time",
            l.spec.title
        )),
        ..PlotOptions::default()
    };
    let nc = metric_series(
        std::slice::from_ref(&analysis),
        "nakamoto_coefficient",
        ImageFormat::Svg,
        &opts,
    )
    .map_err(err)?;
    Ok(vec![
        Chart {
            title: format!("Shares of the top entities per window ({})", l.spec.window),
            svg: String::from_utf8_lossy(&shares).into_owned(),
        },
        Chart {
            title: "Entities needed to reach half of the weight, per window".into(),
            svg: String::from_utf8_lossy(&nc).into_owned(),
        },
    ])
}

/// Horizontal bars of the latest top shares, with the layer's thresholds as dashed lines.
fn bars(l: &LayerReport) -> Chart {
    const W: f64 = 960.0;
    const LEFT: f64 = 230.0;
    const RIGHT: f64 = 60.0;
    const ROW: f64 = 26.0;
    const TOP: f64 = 40.0;
    let top = &l.latest.top;
    let other: f64 = 1.0 - top.iter().map(|(_, s)| s).sum::<f64>();
    let mut rows: Vec<(String, f64)> = top.clone();
    if other > 1e-9 {
        rows.push((format!("{} others", l.latest.entities - top.len()), other));
    }
    let h = TOP + ROW * rows.len() as f64 + 40.0;
    let scale = W - LEFT - RIGHT;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" font-family="sans-serif" font-size="14">"#
    );
    s.push_str(&format!(
        r#"<title>{}</title><text x="10" y="24" font-weight="bold">{} — {}</text>"#,
        esc(&l.spec.title),
        esc(&l.spec.title),
        l.latest.window.end
    ));
    for (i, (name, share)) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let w = (share * scale).max(1.0);
        let grey = i == top.len();
        s.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect class="bar" x="{LEFT}" y="{}" width="{w:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{}">{:.1} %</text>"#,
            LEFT - 8.0,
            y + 17.0,
            esc(&truncate(name, 30)),
            y + 4.0,
            ROW - 8.0,
            if grey { "#b0b0b0" } else { "#3b6ea5" },
            LEFT + w + 6.0,
            y + 17.0,
            share * 100.0
        ));
    }
    let bottom = TOP + ROW * rows.len() as f64;
    let mut seen = Vec::new();
    for c in &l.coalitions {
        let t = c.now.threshold.as_f64();
        if seen.contains(&c.now.threshold) || t > 1.0 {
            continue;
        }
        seen.push(c.now.threshold);
        let x = LEFT + t * scale;
        s.push_str(&format!(
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" stroke="#c0392b" stroke-dasharray="6 4"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#c0392b">{}</text>"##,
            TOP - 6.0,
            bottom + 18.0,
            c.now.threshold
        ));
    }
    s.push_str("</svg>");
    Chart {
        title: format!(
            "Shares in the latest window (ending {}); dashed lines: failure-mode thresholds",
            l.latest.window.end
        ),
        svg: s,
    }
}

/// Escapes text for XML/HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}

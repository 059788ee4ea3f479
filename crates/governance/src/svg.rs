//! Minimal SVG bar charts for `powermap capture --plot` (no fonts or dependencies needed;
//! any browser renders them).

use std::fmt::Write as _;

const COLOURS: [&str; 6] = [
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
];

/// A grouped bar chart: one group per category, one bar per series.
pub fn grouped_bars(
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> String {
    let (w, h) = (960.0, 480.0);
    let (left, right, top, bottom) = (70.0, 20.0, 50.0, 120.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let max = if max > 0.0 { nice(max) } else { 1.0 };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="16">{}</text>"#,
        w / 2.0,
        esc(title)
    );
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let y = top + plot_h - plot_h * i as f64 / 4.0;
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            short(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text transform="translate(16,{:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        top + plot_h / 2.0,
        esc(y_label)
    );
    let n = categories.len().max(1) as f64;
    let group_w = plot_w / n;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    for (ci, cat) in categories.iter().enumerate() {
        let gx = left + group_w * ci as f64 + group_w * 0.1;
        for (si, (_, vals)) in series.iter().enumerate() {
            let v = vals.get(ci).copied().unwrap_or(0.0);
            if !v.is_finite() {
                continue;
            }
            let bh = plot_h * (v / max).clamp(0.0, 1.0);
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                gx + bar_w * si as f64,
                top + plot_h - bh,
                bar_w.max(1.0),
                COLOURS[si % COLOURS.len()],
                esc(cat),
                short(v)
            );
        }
        let cx = gx + group_w * 0.4;
        let _ = writeln!(
            s,
            r#"<text transform="translate({cx:.1},{:.1}) rotate(-45)" text-anchor="end">{}</text>"#,
            top + plot_h + 12.0,
            esc(cat)
        );
    }
    for (si, (name, _)) in series.iter().enumerate() {
        let x = left + 10.0 + 170.0 * si as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="32" width="10" height="10" fill="{}"/><text x="{}" y="41">{}</text>"#,
            COLOURS[si % COLOURS.len()],
            x + 14.0,
            esc(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn nice(x: f64) -> f64 {
    let e = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * e >= x {
            return m * e;
        }
    }
    10.0 * e
}

/// `1.2M`, `340k`, `0.25`.
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders() {
        let svg = super::grouped_bars(
            "t <x>",
            "y",
            &["a".into(), "b".into()],
            &[("s".into(), vec![1.0, 2.0])],
        );
        assert!(
            svg.starts_with("<svg")
                && svg.contains("t &lt;x&gt;")
                && svg.trim_end().ends_with("</svg>")
        );
    }
}

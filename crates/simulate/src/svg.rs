//! Fan charts as self-contained SVG (no fonts or dependencies; any browser renders them):
//! the observed history, then the median and the 80 % and 95 % bands of the paths.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use crate::{Fan, Metric};

/// A fan chart of `fan` after the observed `history` (`(date, value)`, NaN = not
/// determined), titled `title`.
pub fn fan_chart(fan: &Fan, history: &[(NaiveDate, f64)], title: &str) -> String {
    let (w, h) = (900.0, 420.0);
    let (left, right, top, bottom) = (70.0, 20.0, 44.0, 60.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let day = |d: NaiveDate| d.num_days_from_ce() as f64;
    let x0 = history
        .first()
        .map_or(fan.dates[0], |p| p.0)
        .min(fan.dates[0]);
    let x1 = *fan.dates.last().unwrap_or(&fan.dates[0]);
    let (dx0, dx1) = (day(x0), day(x1).max(day(x0) + 1.0));
    let values = history
        .iter()
        .map(|p| p.1)
        .chain(fan.quantiles.iter().flat_map(|q| [q[0], q[4]]))
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if fan.metric.is_count() {
        lo = (lo.floor() - 0.5).max(0.0);
        hi = hi.ceil() + 0.5;
    } else {
        let pad = ((hi - lo) * 0.08).max(1e-6);
        lo = (lo - pad).max(0.0);
        hi += pad;
    }
    let x = |d: NaiveDate| left + pw * (day(d) - dx0) / (dx1 - dx0);
    let y = |v: f64| top + ph - ph * (v - lo) / (hi - lo);
    // Header: canvas, white background, title flush with the plot's left edge.
    let mut s = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#,
            "\n",
            r#"<rect width="100%" height="100%" fill="white"/><text x="{x}" y="26" font-size="15">{t}</text>"#,
            "\n"
        ),
        w = w,
        h = h,
        x = left,
        t = esc(title)
    );
    for i in 0..=5 {
        let v = lo + (hi - lo) * i as f64 / 5.0;
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            esc(&tick(&fan.metric, v))
        );
    }
    for year in x0.year()..=x1.year() + 1 {
        let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        if d < x0 || d > x1 {
            continue;
        }
        let xx = x(d);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#e5e5e5"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{year}</text>"##,
            top + ph,
            top + ph + 18.0
        );
    }
    let band = |a: usize, b: usize, fill: &str, s: &mut String| {
        let pts: Vec<(NaiveDate, [f64; 5])> = fan
            .dates
            .iter()
            .zip(&fan.quantiles)
            .filter(|(_, q)| q[a].is_finite() && q[b].is_finite())
            .map(|(d, q)| (*d, *q))
            .collect();
        if pts.is_empty() {
            return;
        }
        let mut path = String::new();
        for (d, q) in &pts {
            let _ = write!(path, "{:.1},{:.1} ", x(*d), y(q[b]));
        }
        for (d, q) in pts.iter().rev() {
            let _ = write!(path, "{:.1},{:.1} ", x(*d), y(q[a]));
        }
        let _ = writeln!(
            s,
            r#"<polygon points="{}" fill="{fill}" stroke="none"/>"#,
            path.trim_end()
        );
    };
    band(0, 4, "#c6dbef", &mut s);
    band(1, 3, "#6baed6", &mut s);
    let line = |pts: Vec<(NaiveDate, f64)>, stroke: &str, s: &mut String| {
        for run in pts.split(|p| !p.1.is_finite()).filter(|r| !r.is_empty()) {
            let p: Vec<String> = run
                .iter()
                .map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
                .collect();
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="1.8"/>"#,
                p.join(" ")
            );
        }
    };
    line(
        fan.dates
            .iter()
            .zip(&fan.quantiles)
            .map(|(d, q)| (*d, q[2]))
            .collect(),
        "#08306b",
        &mut s,
    );
    line(history.to_vec(), "#222222", &mut s);
    let xs = x(fan.dates[0]);
    let _ = writeln!(
        s,
        r##"<line x1="{xs:.1}" y1="{top}" x2="{xs:.1}" y2="{:.1}" stroke="#888" stroke-dasharray="4 3"/>"##,
        top + ph
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{:.1}">black: observed · dark blue: median · bands: 80 % and 95 % of paths · dashed: start of the simulation ({})</text>"##,
        h - 12.0,
        fan.dates[0]
    );
    s.push_str("</svg>\n");
    s
}

fn tick(m: &Metric, v: f64) -> String {
    match m {
        Metric::Nakamoto { .. } => format!("{v:.1}"),
        Metric::Hhi => format!("{v:.0}"),
        _ => format!("{:.0} %", v * 100.0),
    }
}

/// `s` safe inside SVG text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_history_bands_and_median() {
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let fan = Fan {
            metric: Metric::TopShare,
            dates: vec![d(3), d(6), d(9)],
            quantiles: vec![
                [0.3; 5],
                [0.25, 0.27, 0.3, 0.33, 0.35],
                [0.2, 0.24, 0.3, 0.36, 0.4],
            ],
            undetermined: vec![0.0; 3],
        };
        let svg = fan_chart(&fan, &[(d(1), 0.29), (d(3), 0.3)], "top share <x>");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("top share &lt;x&gt;"));
    }
}

//! Colours, fonts and axis helpers shared by the charts.

use chrono::NaiveDate;
use plotters::prelude::*;

/// Qualitative palette (Tableau 10 without its grey, plus two), readable on white.
const PALETTE: [(u8, u8, u8); 12] = [
    (0x4E, 0x79, 0xA7),
    (0xF2, 0x8E, 0x2B),
    (0xE1, 0x57, 0x59),
    (0x76, 0xB7, 0xB2),
    (0x59, 0xA1, 0x4F),
    (0xED, 0xC9, 0x48),
    (0xB0, 0x7A, 0xA1),
    (0xFF, 0x9D, 0xA7),
    (0x9C, 0x75, 0x5F),
    (0x49, 0x98, 0x94),
    (0xD3, 0x72, 0x95),
    (0x8C, 0xD1, 0x7D),
];

/// The `i`-th series colour.
pub(crate) fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// Colour of the `other` band.
pub(crate) const OTHER: RGBColor = RGBColor(0xC4, 0xC4, 0xC4);
/// Colour of reference lines.
pub(crate) const REFERENCE: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// A font of `size` pixels at scale `s`.
pub(crate) fn font(size: f64, s: f64) -> TextStyle<'static> {
    ("sans-serif", size * s).into_font().color(&INK)
}

/// A bold font of `size` pixels at scale `s`.
pub(crate) fn bold(size: f64, s: f64) -> TextStyle<'static> {
    ("sans-serif", size * s)
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK)
}

/// Scales a pixel length.
pub(crate) fn px(v: f64, s: f64) -> i32 {
    (v * s).round() as i32
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// A date as days since 1970-01-01 (the x coordinate).
pub(crate) fn day_number(d: NaiveDate) -> f64 {
    (d - EPOCH).num_days() as f64
}

/// The x coordinate back as a date label.
pub(crate) fn date_label(x: f64) -> String {
    let d = EPOCH + chrono::Duration::days(x.round() as i64);
    d.format("%Y-%m-%d").to_string()
}

/// An x range covering `days` with some air, at least a month wide.
pub(crate) fn x_range(days: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = days.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !lo.is_finite() {
        let today = day_number(NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"));
        (lo, hi) = (today, today);
    }
    let pad = ((hi - lo) * 0.03).max(15.0);
    (lo - pad)..(hi + pad)
}

/// One entry of a hand-drawn legend.
pub(crate) struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    /// A line swatch (dashed when `dashed`) instead of a filled box.
    pub line: bool,
    pub dashed: bool,
}

/// Draws a legend top-down in `area` (the right-hand column of a chart).
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    entries: &[LegendEntry],
    s: f64,
) -> Result<(), String> {
    let e = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let x0 = px(8.0, s);
    let mut y = px(56.0, s);
    area.draw(&Text::new(title.to_string(), (x0, y), bold(15.0, s)))
        .map_err(e)?;
    y += px(24.0, s);
    let sw = px(22.0, s);
    for en in entries {
        let mid = y + px(7.0, s);
        if en.line {
            let style = en.color.stroke_width(px(2.5, s).max(1) as u32);
            if en.dashed {
                let step = px(4.0, s).max(2);
                let mut x = x0;
                while x < x0 + sw {
                    area.draw(&PathElement::new(
                        vec![(x, mid), ((x + step).min(x0 + sw), mid)],
                        style,
                    ))
                    .map_err(e)?;
                    x += 2 * step;
                }
            } else {
                area.draw(&PathElement::new(vec![(x0, mid), (x0 + sw, mid)], style))
                    .map_err(e)?;
            }
        } else {
            area.draw(&Rectangle::new(
                [(x0, y + px(1.0, s)), (x0 + sw, y + px(13.0, s))],
                en.color.filled(),
            ))
            .map_err(e)?;
        }
        area.draw(&Text::new(
            en.label.clone(),
            (x0 + sw + px(8.0, s), y),
            font(14.5, s),
        ))
        .map_err(e)?;
        y += px(23.0, s);
    }
    Ok(())
}

/// Calendar-aligned x ticks for a range of day numbers: first days of months every 1, 2, 3
/// or 6 months (labelled `Mar 2024`), or of years (labelled `2024`), at most 8 of them.
/// `None` for spans under two months, where plotters' own day ticks are used.
pub(crate) fn month_ticks(r: &std::ops::Range<f64>) -> Option<(Vec<f64>, &'static str)> {
    use chrono::Datelike;
    let months = (r.end - r.start) / 30.44;
    if months < 2.0 {
        return None;
    }
    let step = [1, 2, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|st| months / (*st as f64) <= 8.0)
        .unwrap_or(120);
    let start = EPOCH + chrono::Duration::days(r.start.ceil() as i64);
    let mut idx = start.year() * 12 + start.month0() as i32;
    let mut ticks = Vec::new();
    loop {
        let (y, m) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
        let d = NaiveDate::from_ymd_opt(y, m, 1)?;
        let x = day_number(d);
        if x > r.end {
            break;
        }
        if x >= r.start && idx.rem_euclid(step) == 0 {
            ticks.push(x);
        }
        idx += 1;
    }
    Some((ticks, if step >= 12 { "%Y" } else { "%b %Y" }))
}

/// Draws vertical grid lines and bottom labels at `ticks` (see [`month_ticks`]).
pub(crate) fn draw_x_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    ticks: &[f64],
    fmt: &str,
    y: std::ops::Range<f64>,
    s: f64,
) -> Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let e = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    chart
        .draw_series(
            ticks.iter().map(|x| {
                PathElement::new(vec![(*x, y.start), (*x, y.end)], RGBColor(222, 222, 222))
            }),
        )
        .map_err(e)?;
    for x in ticks {
        let (bx, by) = chart.backend_coord(&(*x, y.start));
        root.draw(&PathElement::new(
            vec![(bx, by), (bx, by + px(5.0, s))],
            BLACK.stroke_width(1),
        ))
        .map_err(e)?;
        let d = EPOCH + chrono::Duration::days(x.round() as i64);
        root.draw(&Text::new(
            d.format(fmt).to_string(),
            (bx, by + px(8.0, s)),
            font(13.5, s).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(e)?;
    }
    Ok(())
}

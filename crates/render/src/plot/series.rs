//! One metric over time, one line per analysis, with decisive-threshold reference lines.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use powermap_model::{Analysis, MetricValue};

use super::style::{self, day_number, px, LegendEntry};
use super::{plot_err, render, Chart, ImageFormat, PlotOptions, ReferenceLine};
use crate::csv_files::series_labels;
use crate::Result;

/// Metrics that count entities (a smaller value means fewer entities hold the power).
fn is_count_metric(metric: &str) -> bool {
    let base = metric.split('=').next().unwrap_or(metric);
    matches!(
        base,
        "nakamoto_coefficient" | "tau_index" | "total_entities"
    )
}

/// The reference lines drawn by default for a metric id:
///
/// - Nakamoto-type counts (`nakamoto_coefficient*`, `tau_index*`): a line at 1, where a
///   single entity alone reaches the threshold;
/// - share metrics (`concentration_ratio*`, `max_power_ratio`): the decisive thresholds
///   1/3 (halts BFT finality), 1/2 (controls a PoW chain or LMD-GHOST head) and 2/3
///   (finalizes in BFT);
/// - none otherwise.
pub fn default_reference_lines(metric: &str) -> Vec<ReferenceLine> {
    let base = metric.split('=').next().unwrap_or(metric);
    let line = |value: f64, label: &str| ReferenceLine {
        value,
        label: label.to_string(),
    };
    match base {
        "nakamoto_coefficient" | "tau_index" => {
            vec![line(1.0, "1 = a single entity is decisive")]
        }
        "concentration_ratio" | "max_power_ratio" => vec![
            line(1.0 / 3.0, "1/3: halts BFT finality"),
            line(0.5, "1/2: controls a PoW chain"),
            line(2.0 / 3.0, "2/3: finalizes in BFT"),
        ],
        _ => Vec::new(),
    }
}

struct SeriesChart<'a> {
    analyses: &'a [Analysis],
    metric: &'a str,
    labels: Vec<String>,
    lines: Vec<ReferenceLine>,
    title: String,
}

/// Draws `metric` over time for each analysis that has it (SVG or PNG bytes).
///
/// Undefined values break the line. Reference lines are [`default_reference_lines`] plus
/// `opts.extra_lines`; each is dashed, labelled on the chart and listed in the legend.
pub fn metric_series(
    analyses: &[Analysis],
    metric: &str,
    format: ImageFormat,
    opts: &PlotOptions,
) -> Result<Vec<u8>> {
    let mut lines = default_reference_lines(metric);
    lines.extend(opts.extra_lines.iter().cloned());
    let chart = SeriesChart {
        analyses,
        metric,
        labels: series_labels(analyses),
        lines,
        title: opts
            .title
            .clone()
            .unwrap_or_else(|| format!("{metric} over time")),
    };
    render(&chart, format, opts)
}

/// For top-k share metrics, `k`: the band is then the 95 % Wilson interval of the top-k count.
fn top_k_of(metric: &str) -> Option<usize> {
    match metric {
        "max_power_ratio" => Some(1),
        m => m.strip_prefix("concentration_ratio=")?.parse().ok(),
    }
}

impl SeriesChart<'_> {
    /// The 95 % sampling band `(x, lo, hi)` per window of a top-k share metric on block
    /// counts (block production as a binomial sample); empty for other metrics.
    fn band(&self, a: &Analysis) -> Vec<(f64, f64, f64)> {
        let Some(k) = top_k_of(self.metric) else {
            return Vec::new();
        };
        a.windows
            .iter()
            .filter(|w| {
                let d = &w.distribution;
                d.is_integral()
                    && !d.is_empty()
                    && d.total() <= powermap_stats::MAX_BOOTSTRAP_UNITS as f64
            })
            .filter_map(|w| {
                let d = &w.distribution;
                let top: f64 = d.producers().iter().take(k).map(|e| e.weight).sum();
                let i = powermap_stats::proportion_interval(
                    top as u64,
                    d.total() as u64,
                    0.95,
                    powermap_stats::IntervalMethod::Wilson,
                )
                .ok()?;
                Some((day_number(w.window.representative), i.lo, i.hi))
            })
            .collect()
    }

    /// Runs of consecutive defined values, per analysis.
    fn segments(&self, a: &Analysis) -> Vec<Vec<(f64, f64)>> {
        let Some(i) = a.metric_index(self.metric) else {
            return Vec::new();
        };
        let mut runs = vec![Vec::new()];
        for w in &a.windows {
            match w.values.get(i).copied().and_then(MetricValue::as_f64) {
                Some(v) if v.is_finite() => runs
                    .last_mut()
                    .expect("never empty")
                    .push((day_number(w.window.representative), v)),
                _ => runs.push(Vec::new()),
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    }
}

impl Chart for SeriesChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: f64) -> Result<()> {
        root.fill(&WHITE).map_err(plot_err)?;
        let (w, _) = root.dim_in_pixel();
        let (plot_area, legend_area) = root.split_horizontally(w as i32 - px(250.0, s));
        let segs: Vec<_> = self.analyses.iter().map(|a| self.segments(a)).collect();
        let points = || segs.iter().flatten().flatten();
        let xr = style::x_range(points().map(|p| p.0));
        let count = is_count_metric(self.metric);
        let (mut lo, mut hi) = points()
            .map(|p| p.1)
            .chain(self.lines.iter().map(|l| l.value))
            .fold((0.0f64, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if !hi.is_finite() || hi <= lo {
            hi = lo + 1.0;
        }
        let y_labels;
        if count {
            lo = lo.floor();
            hi = hi.ceil() + 1.0;
            y_labels = ((hi - lo) as usize + 1).min(11);
        } else {
            hi += (hi - lo) * 0.08;
            y_labels = 8;
        }
        let span = hi - lo;
        let decimals = (1 - span.log10().floor() as i32).clamp(0, 4) as usize;
        let y_fmt = move |v: &f64| {
            if count {
                format!("{v:.0}")
            } else {
                format!("{v:.decimals$}")
            }
        };
        let x_fmt = |x: &f64| style::date_label(*x);
        let ticks = style::month_ticks(&xr);

        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&self.title, style::bold(20.0, s))
            .margin(px(14.0, s))
            .x_label_area_size(px(44.0, s))
            .y_label_area_size(px(64.0, s))
            .build_cartesian_2d(xr.clone(), lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_labels(if ticks.is_some() { 0 } else { 6 })
            .y_labels(y_labels)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(style::font(13.5, s))
            .axis_desc_style(style::font(14.5, s))
            .x_desc("window (representative date)")
            .y_desc(self.metric)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(222, 222, 222))
            .draw()
            .map_err(plot_err)?;
        if let Some((t, fmt)) = &ticks {
            style::draw_x_ticks(root, &mut chart, t, fmt, lo..hi, s)
                .map_err(crate::RenderError::Plot)?;
        }

        let mut labelled_at = Vec::new();
        for line in &self.lines {
            let stroke = style::REFERENCE.stroke_width(px(1.5, s).max(1) as u32);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(xr.start, line.value), (xr.end, line.value)],
                    px(7.0, s),
                    px(5.0, s),
                    stroke,
                ))
                .map_err(plot_err)?;
            // Labels of lines closer than a text height would overprint; the legend has them all.
            let (_, py) = chart.backend_coord(&(xr.end, line.value));
            if labelled_at
                .iter()
                .any(|y: &i32| (y - py).abs() < px(15.0, s))
            {
                continue;
            }
            labelled_at.push(py);
            let anchor = Pos::new(HPos::Right, VPos::Bottom);
            chart
                .draw_series(std::iter::once(Text::new(
                    line.label.clone(),
                    (xr.end - (xr.end - xr.start) * 0.01, line.value),
                    style::font(13.0, s).color(&style::REFERENCE).pos(anchor),
                )))
                .map_err(plot_err)?;
        }

        let mut legend = Vec::new();
        let mut banded = false;
        for (i, a) in self.analyses.iter().enumerate() {
            let band = self.band(a);
            if band.len() < 2 {
                continue;
            }
            banded = true;
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|&(x, lo, _)| (x, lo))
                .chain(band.iter().rev().map(|&(x, _, hi)| (x, hi)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    style::color(i).mix(0.18).filled(),
                )))
                .map_err(plot_err)?;
        }
        for (i, runs) in segs.iter().enumerate() {
            if runs.is_empty() {
                continue;
            }
            let c = style::color(i);
            for run in runs {
                chart
                    .draw_series(LineSeries::new(
                        run.iter().copied(),
                        c.stroke_width(px(2.5, s) as u32),
                    ))
                    .map_err(plot_err)?;
                chart
                    .draw_series(
                        run.iter()
                            .map(|p| Circle::new(*p, px(3.0, s) as u32, c.filled())),
                    )
                    .map_err(plot_err)?;
            }
            legend.push(LegendEntry {
                label: self.labels[i].clone(),
                color: c,
                line: true,
                dashed: false,
            });
        }
        if legend.is_empty() {
            legend.push(LegendEntry {
                label: "no data".into(),
                color: style::OTHER,
                line: true,
                dashed: false,
            });
        }
        if banded {
            legend.push(LegendEntry {
                label: "95 % Wilson band".into(),
                color: {
                    // The band's colour as it looks on white.
                    let RGBColor(r, g, b) = style::color(0);
                    let tint = |c: u8| (f64::from(c) * 0.18 + 255.0 * 0.82) as u8;
                    RGBColor(tint(r), tint(g), tint(b))
                },
                line: false,
                dashed: false,
            });
        }
        legend.extend(self.lines.iter().map(|l| LegendEntry {
            label: l.label.clone(),
            color: style::REFERENCE,
            line: true,
            dashed: true,
        }));
        style::draw_legend(&legend_area, "Legend", &legend, s).map_err(crate::RenderError::Plot)
    }
}

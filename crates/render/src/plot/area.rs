//! Stacked area of the top-N entities' shares over time, the rest grouped as `other`.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use powermap_model::Analysis;

use super::style::{self, day_number, px, LegendEntry};
use super::{plot_err, render, Chart, ImageFormat, PlotOptions};
use crate::Result;

struct AreaChart {
    title: String,
    xs: Vec<f64>,
    /// Entity names, heaviest (by mean share over all windows) first.
    names: Vec<String>,
    /// `bands[k][t]`: share of entity `k` in window `t`; the last band is `other`.
    bands: Vec<Vec<f64>>,
    /// Latest-window share per band, for the legend.
    latest: Vec<f64>,
    others: usize,
}

/// Draws the shares of `analysis`'s top `opts.top_n` entities over time as stacked areas,
/// heaviest at the bottom, everyone else as a grey `other` band on top (SVG or PNG bytes).
///
/// Entities are ranked by their mean share across all windows, so the bands stay stable
/// through the series; the legend shows each band's share in the latest window.
pub fn share_area(analysis: &Analysis, format: ImageFormat, opts: &PlotOptions) -> Result<Vec<u8>> {
    let mut mean: HashMap<&str, f64> = HashMap::new();
    for w in &analysis.windows {
        let d = &w.distribution;
        for (i, e) in d.producers().iter().enumerate() {
            *mean.entry(e.name.as_str()).or_default() += d.share(i);
        }
    }
    let mut ranked: Vec<(&str, f64)> = mean.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let others = ranked.len().saturating_sub(opts.top_n);
    let names: Vec<String> = ranked
        .iter()
        .take(opts.top_n)
        .map(|(n, _)| n.to_string())
        .collect();

    let mut xs: Vec<f64> = analysis
        .windows
        .iter()
        .map(|w| day_number(w.window.representative))
        .collect();
    let mut bands = vec![Vec::new(); names.len() + 1];
    for w in &analysis.windows {
        let d = &w.distribution;
        let total = d.total();
        let mut top = 0.0;
        for (k, n) in names.iter().enumerate() {
            let sh = if total > 0.0 {
                d.weight_of(n) / total
            } else {
                0.0
            };
            top += sh;
            bands[k].push(sh);
        }
        let other = if total > 0.0 {
            (1.0 - top).max(0.0)
        } else {
            0.0
        };
        bands[names.len()].push(other);
    }
    let latest = bands
        .iter()
        .map(|b| b.last().copied().unwrap_or(0.0))
        .collect();
    if xs.len() == 1 {
        // A single window still gets a visible band.
        xs = vec![xs[0] - 10.0, xs[0] + 10.0];
        for b in &mut bands {
            b.push(b[0]);
        }
    }
    let title = opts.title.clone().unwrap_or_else(|| {
        format!(
            "Share of weight by entity: {} · {}",
            analysis.network, analysis.layer
        )
    });
    let chart = AreaChart {
        title,
        xs,
        names,
        bands,
        latest,
        others,
    };
    render(&chart, format, opts)
}

impl Chart for AreaChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: f64) -> Result<()> {
        root.fill(&WHITE).map_err(plot_err)?;
        let (w, _) = root.dim_in_pixel();
        let (plot_area, legend_area) = root.split_horizontally(w as i32 - px(250.0, s));
        let xr = style::x_range(self.xs.iter().copied());
        let x_fmt = |x: &f64| style::date_label(*x);
        let ticks = style::month_ticks(&xr);
        let y_fmt = |v: &f64| format!("{:.0}%", v * 100.0);
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&self.title, style::bold(20.0, s))
            .margin(px(14.0, s))
            .x_label_area_size(px(44.0, s))
            .y_label_area_size(px(64.0, s))
            .build_cartesian_2d(xr, 0.0..1.0)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_labels(if ticks.is_some() { 0 } else { 6 })
            .y_labels(11)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(style::font(13.5, s))
            .axis_desc_style(style::font(14.5, s))
            .x_desc("window (representative date)")
            .y_desc("share of total weight")
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(222, 222, 222))
            .draw()
            .map_err(plot_err)?;
        if let Some((t, fmt)) = &ticks {
            style::draw_x_ticks(root, &mut chart, t, fmt, 0.0..1.0, s)
                .map_err(crate::RenderError::Plot)?;
        }

        // Cumulative tops, drawn from the top band down so each fill covers the ones below.
        let n = self.bands.len();
        let mut cum: Vec<Vec<f64>> = Vec::with_capacity(n);
        for band in &self.bands {
            let next = match cum.last() {
                Some(below) => below.iter().zip(band).map(|(a, b)| a + b).collect(),
                None => band.clone(),
            };
            cum.push(next);
        }
        let band_color = |k: usize| {
            if k + 1 == n {
                style::OTHER
            } else {
                style::color(k)
            }
        };
        for k in (0..n).rev() {
            let pts: Vec<(f64, f64)> = self
                .xs
                .iter()
                .copied()
                .zip(cum[k].iter().copied())
                .collect();
            chart
                .draw_series(
                    AreaSeries::new(pts, 0.0, band_color(k).filled())
                        .border_style(WHITE.stroke_width(px(1.0, s).max(1) as u32)),
                )
                .map_err(plot_err)?;
        }

        let mut legend = Vec::new();
        for k in (0..n).rev() {
            if k + 1 == n && self.others == 0 {
                continue;
            }
            let name = if k + 1 == n {
                format!("other ({} entities)", self.others)
            } else {
                let name = &self.names[k];
                if name.chars().count() > 20 {
                    format!("{}…", name.chars().take(19).collect::<String>())
                } else {
                    name.clone()
                }
            };
            legend.push(LegendEntry {
                label: format!("{name}  {:.1}%", self.latest[k] * 100.0),
                color: band_color(k),
                line: false,
                dashed: false,
            });
        }
        style::draw_legend(&legend_area, "Latest share", &legend, s)
            .map_err(crate::RenderError::Plot)
    }
}

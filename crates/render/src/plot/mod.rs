//! Charts of analyses, as SVG or PNG, drawn once with plotters for both formats.
//!
//! - [`metric_series`]: one metric over time, one line per analysis, with horizontal
//!   decisive-threshold reference lines ([`default_reference_lines`]) and a legend;
//! - [`share_area`]: stacked area of the top-N entities' shares over time, the rest grouped
//!   as `other`.
//!
//! **PNG route.** PNG uses plotters' bitmap backend with its `ab_glyph` text rasteriser and
//! DejaVu Sans embedded in the binary (the `dejavu` crate), encoded by the `png` crate; no
//! system font is read. The chart is drawn at 2× and box-filtered down, which anti-aliases
//! lines (plotters' bitmap lines are aliased). Chosen over rendering the SVG with `resvg`
//! because it adds ~9 s and 18 crates to a clean build where resvg adds ~93 s and 56.
//!
//! Because `ab_glyph` resolves font families through a registry, every drawing path calls
//! [`register_fonts`] first; other crates drawing with plotters in the same build must too.
//!
//! ```
//! use powermap_render::plot::{metric_series, ImageFormat, PlotOptions};
//! let svg = metric_series(&[], "gini", ImageFormat::Svg, &PlotOptions::default()).unwrap();
//! assert!(svg.starts_with(b"<svg"));
//! ```

mod area;
mod raster;
mod series;
mod style;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use area::share_area;
pub use series::{default_reference_lines, metric_series};

use crate::{RenderError, Result};

/// Output image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable vector graphics (text as `<text>` elements).
    Svg,
    /// PNG, rasterised with an embedded font.
    Png,
}

impl ImageFormat {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// A horizontal reference line with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceLine {
    /// The y value.
    pub value: f64,
    /// What crossing it means, shown on the chart and in the legend.
    pub label: String,
}

/// Size and content options shared by the charts.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Width in pixels (of the PNG; the SVG's user units).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Entities shown individually in [`share_area`]; the rest are `other`.
    pub top_n: usize,
    /// Lines drawn in addition to [`default_reference_lines`] (e.g. a declared constraint).
    pub extra_lines: Vec<ReferenceLine>,
    /// Replaces the default chart title.
    pub title: Option<String>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            width: 960,
            height: 540,
            top_n: 8,
            extra_lines: Vec::new(),
            title: None,
        }
    }
}

/// Registers the embedded DejaVu Sans as plotters' `sans-serif` family (idempotent).
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped by the `dejavu` crate; a failure here
        // would surface as a FontUnavailable drawing error, not a panic.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A chart that can be drawn on any plotters backend at a pixel scale `s`.
pub(crate) trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: f64) -> Result<()>;
}

pub(crate) fn plot_err<E: std::fmt::Display>(e: E) -> RenderError {
    RenderError::Plot(e.to_string())
}

/// Supersampling factor of PNG output.
const PNG_SCALE: u32 = 2;

pub(crate) fn render(
    chart: &impl Chart,
    format: ImageFormat,
    opts: &PlotOptions,
) -> Result<Vec<u8>> {
    register_fonts();
    let (w, h) = (opts.width.max(200), opts.height.max(150));
    match format {
        ImageFormat::Svg => {
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
                chart.draw(&root, 1.0)?;
                root.present().map_err(plot_err)?;
            }
            Ok(out.into_bytes())
        }
        ImageFormat::Png => {
            let (bw, bh) = (w * PNG_SCALE, h * PNG_SCALE);
            let mut buf = vec![255u8; (bw as usize) * (bh as usize) * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (bw, bh)).into_drawing_area();
                chart.draw(&root, PNG_SCALE as f64)?;
                root.present().map_err(plot_err)?;
            }
            let small = raster::downsample(&buf, bw, bh, PNG_SCALE);
            raster::encode_png(&small, w, h)
        }
    }
}

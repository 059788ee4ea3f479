//! SVG and PNG charts. `PLOT_EXAMPLES_DIR=/some/dir` also saves every chart there to look at.

use powermap_render::plot::{metric_series, share_area, ImageFormat, PlotOptions, ReferenceLine};

use crate::fixture;

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("PLOT_EXAMPLES_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// True when the SVG has a `<text>` element with exactly `label` (plotters puts it on its own line).
fn has_text(svg: &str, label: &str) -> bool {
    svg.contains(&format!("\n{label}\n</text>"))
}

fn svg(bytes: Vec<u8>) -> String {
    let s = String::from_utf8(bytes).unwrap();
    assert!(s.starts_with("<svg"), "{}", &s[..s.len().min(200)]);
    assert!(s.trim_end().ends_with("</svg>"));
    s
}

#[test]
fn series_svg_has_series_and_threshold_labels() {
    let analyses = fixture::both();
    let opts = PlotOptions {
        extra_lines: vec![ReferenceLine {
            value: 4.0,
            label: "constraint: NC ≥ 4".into(),
        }],
        ..PlotOptions::default()
    };
    let out = metric_series(&analyses, "nakamoto_coefficient", ImageFormat::Svg, &opts).unwrap();
    keep("nakamoto_coefficient.svg", &out);
    let s = svg(out);
    assert!(has_text(&s, "bitcoin"), "series label in legend");
    assert!(has_text(&s, "1 = a single entity is decisive"));
    assert!(has_text(&s, "constraint: NC ≥ 4"));
    assert!(has_text(&s, "Feb 2024"), "month-aligned date axis labels");
    assert!(s.contains("<polyline"), "line drawn");

    let out = metric_series(
        &analyses,
        "max_power_ratio",
        ImageFormat::Svg,
        &PlotOptions::default(),
    )
    .unwrap();
    let s = svg(out);
    for label in [
        "1/3: halts BFT finality",
        "1/2: controls a PoW chain",
        "2/3: finalizes in BFT",
    ] {
        assert!(has_text(&s, label), "{label}");
    }
    // A metric only ethereum has: only its label in the legend.
    let s = svg(metric_series(
        &analyses,
        "entropy=2",
        ImageFormat::Svg,
        &PlotOptions::default(),
    )
    .unwrap());
    assert!(has_text(&s, "ethereum") && !has_text(&s, "bitcoin"));
}

#[test]
fn share_area_svg_groups_other() {
    let opts = PlotOptions {
        top_n: 5,
        ..PlotOptions::default()
    };
    let out = share_area(&fixture::bitcoin(), ImageFormat::Svg, &opts).unwrap();
    keep("shares.svg", &out);
    let s = svg(out);
    assert!(s.contains("Foundry USA  42.6%"), "legend with latest share");
    assert!(s.contains("other (3 entities)"));
    assert!(s.contains("<polygon"), "areas drawn");
}

fn check_png(bytes: &[u8], w: u32, h: u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        bytes.len() > 10_000,
        "non-trivial PNG: {} bytes",
        bytes.len()
    );
    // IHDR width and height.
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), w);
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), h);
}

#[test]
fn png_outputs_are_real_images() {
    let opts = PlotOptions::default();
    let analyses = fixture::both();
    for metric in ["nakamoto_coefficient", "hhi", "max_power_ratio"] {
        let png = metric_series(&analyses, metric, ImageFormat::Png, &opts).unwrap();
        check_png(&png, opts.width, opts.height);
        keep(&format!("{metric}.png"), &png);
    }
    let five = PlotOptions {
        top_n: 5,
        ..PlotOptions::default()
    };
    let png = share_area(&fixture::bitcoin(), ImageFormat::Png, &five).unwrap();
    check_png(&png, opts.width, opts.height);
    keep("shares.png", &png);
}

#[test]
fn empty_inputs_still_draw() {
    let s = svg(metric_series(&[], "gini", ImageFormat::Svg, &PlotOptions::default()).unwrap());
    assert!(s.contains("no data"));
    let mut one = fixture::bitcoin();
    one.windows.truncate(1);
    svg(share_area(&one, ImageFormat::Svg, &PlotOptions::default()).unwrap());
    one.windows.clear();
    svg(share_area(&one, ImageFormat::Svg, &PlotOptions::default()).unwrap());
}

#[test]
fn top_share_series_on_block_counts_draw_a_wilson_band() {
    let analyses = [fixture::bitcoin()];
    let with = svg(metric_series(
        &analyses,
        "max_power_ratio",
        ImageFormat::Svg,
        &PlotOptions::default(),
    )
    .unwrap());
    assert!(has_text(&with, "95 % Wilson band"), "no band legend");
    assert!(with.contains("<polygon"), "no band polygon");
    let without =
        svg(metric_series(&analyses, "gini", ImageFormat::Svg, &PlotOptions::default()).unwrap());
    assert!(!has_text(&without, "95 % Wilson band"));
}

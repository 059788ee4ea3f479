//! `powermap drift`: how fast is concentration moving? Trends, change points and threshold
//! forecasts for metric series and entity shares.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use powermap_model::{Analysis, Threshold};
use powermap_pipeline::AnalyzeOptions;
use powermap_stats::{forecast, pelt, trend, Crossing, ForecastOptions, PeltOptions, Series};
use powermap_windows::{Alignment, WindowSpec};

use crate::args::{AttributionArgs, Defaults, InputArgs};

/// Arguments of `powermap drift`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap drift                                  # top share, top-2, HHI and Nakamoto on the built-in data
  powermap drift --entity 'Foundry USA' --threshold 1/3 --horizon 365
  powermap drift --metric gini --metric entropy=1 --last 24

Trends are Theil–Sen slopes with a 95 % interval; change points are PELT (BIC penalty) on
non-overlapping windows; forecasts extend the trend of the last N windows (docs/vigilance.md).")]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    attribution: AttributionArgs,
    /// Window length in days (windows do not overlap, so trends are not over-confident).
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Metric series to examine (repeatable). Default: hhi and nakamoto_coefficient.
    #[arg(long = "metric", value_name = "ID")]
    metrics: Vec<String>,
    /// Entity shares to examine (repeatable). Default: the latest top entity and top two.
    #[arg(long = "entity", value_name = "NAME")]
    entities: Vec<String>,
    /// Threshold a share series is forecast to reach. Default: 1/3 for one entity, 1/2 for
    /// the top two.
    #[arg(long)]
    threshold: Option<Threshold>,
    /// Forecast horizon in days from the last window.
    #[arg(long, default_value_t = 365)]
    horizon: u32,
    /// Windows the trend and forecast use (the newest N).
    #[arg(long, default_value_t = 12)]
    last: usize,
}

/// Runs `powermap drift`.
pub fn run(args: Args) -> Result<ExitCode> {
    let input = args.input.input()?;
    let (resolve, _) = args
        .attribution
        .resolve(&input, Defaults::default(), false)?;
    let opts = AnalyzeOptions {
        window: WindowSpec::days(args.days, args.days).aligned(Alignment::End),
        clustering: resolve.clustering,
        ..AnalyzeOptions::default()
    };
    let registries = crate::args::registries()?;
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})?;
    let mut text = String::new();
    for a in &out.analyses {
        report(a, &args, &mut text)?;
    }
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn report(a: &Analysis, args: &Args, out: &mut String) -> Result<()> {
    let Some(latest) = a.windows.last() else {
        return Ok(());
    };
    writeln!(
        out,
        "{} · {}: {} windows of {} days, latest {} .. {}",
        a.network,
        a.layer,
        a.windows.len(),
        args.days,
        latest.window.start,
        latest.window.end
    )?;
    let mut series: Vec<(Series, Option<Threshold>, bool)> = Vec::new();
    let metrics: Vec<String> = if args.metrics.is_empty() {
        vec!["hhi".into(), "nakamoto_coefficient".into()]
    } else {
        args.metrics.clone()
    };
    for id in &metrics {
        let s = Series::metric(a, id).with_context(|| {
            format!("--metric {id}: not computed (see `powermap analyze --help` for metric ids)")
        })?;
        series.push((s, None, false));
    }
    let top = latest
        .distribution
        .producers()
        .first()
        .map(|s| s.name.clone());
    let entities: Vec<String> = if args.entities.is_empty() {
        top.into_iter().collect()
    } else {
        args.entities.clone()
    };
    for e in &entities {
        let mut s = Series::share(a, e);
        s.label = format!("share of {e}");
        series.push((s, Some(args.threshold.unwrap_or(Threshold::THIRD)), true));
    }
    if args.entities.is_empty() {
        let mut s = Series::top_k(a, 2);
        s.label = "share of the top two".into();
        series.push((s, Some(args.threshold.unwrap_or(Threshold::HALF)), true));
    }
    for (s, threshold, is_share) in series {
        let s = s.non_overlapping(a);
        let scale = if is_share { 100.0 } else { 1.0 };
        let unit = if is_share { " points" } else { "" };
        writeln!(out, "\n  {}", s.label)?;
        if let Some(p) = s.points.last() {
            writeln!(
                out,
                "    now          {:.2}{} ({})",
                p.value * scale,
                if is_share { " %" } else { "" },
                p.date
            )?;
        }
        let recent = s.last(args.last);
        match trend(&recent, 0.95) {
            Ok(t) => {
                let per = t.over(90.0);
                writeln!(
                    out,
                    "    trend        {:+.2}{unit} per 90 days (95 % CI {:+.2} to {:+.2}; {}; Theil–Sen on the last {} windows)",
                    per.estimate * scale,
                    per.lo * scale,
                    per.hi * scale,
                    if t.significant { "significant" } else { "not significant" },
                    t.n
                )?;
            }
            Err(e) => writeln!(out, "    trend        not available: {e}")?,
        }
        let ys: Vec<f64> = s.points.iter().map(|p| p.value).collect();
        match pelt(&ys, &PeltOptions::default()) {
            Ok(seg) if seg.changes.is_empty() => {
                writeln!(out, "    changes      none detected (PELT, BIC penalty)")?
            }
            Ok(seg) => {
                let parts: Vec<String> = seg
                    .changes
                    .iter()
                    .zip(seg.means.windows(2))
                    .map(|(&c, m)| {
                        format!(
                            "{} ({:.2} → {:.2})",
                            s.points[c].date,
                            m[0] * scale,
                            m[1] * scale
                        )
                    })
                    .collect();
                writeln!(
                    out,
                    "    changes      {} (PELT, BIC penalty)",
                    parts.join(", ")
                )?;
            }
            Err(e) => writeln!(out, "    changes      not available: {e}")?,
        }
        if let Some(t) = threshold {
            let opts = ForecastOptions {
                last_n: args.last,
                horizon_days: args.horizon,
                ..ForecastOptions::default()
            };
            let answer = match forecast(&s, t.as_f64(), &opts) {
                Ok(f) => match f.crossing {
                    Crossing::At {
                        date,
                        earliest,
                        latest,
                    } => format!(
                        "reaches {t} around {date} (earliest {earliest}, latest {})",
                        latest.map_or("beyond the horizon".to_string(), |d| d.to_string())
                    ),
                    Crossing::AlreadyCrossed => format!("already at or above {t}"),
                    Crossing::NotWithinHorizon => {
                        format!("does not reach {t} within {} days", args.horizon)
                    }
                    Crossing::NoSignificantTrend => {
                        format!("no significant trend toward {t}")
                    }
                },
                Err(e) => format!("not available: {e}"),
            };
            writeln!(out, "    forecast     {answer}")?;
        }
    }
    if let Ok(m) = powermap_stats::top_movers(a, args.last, 3, 0.95) {
        writeln!(
            out,
            "\n  top movers (share trend over the last {} windows)",
            args.last
        )?;
        for (label, list) in [("rising ", &m.rising), ("falling", &m.falling)] {
            for mv in list.iter() {
                writeln!(
                    out,
                    "    {label}      {:<24} {:>6.2} % now, {}",
                    mv.name,
                    mv.share_now * 100.0,
                    mv.trend.describe_points(90)
                )?;
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

//! `powermap drift`: how fast concentration moves, in words — trends, change points and
//! threshold forecasts of metric series and entity shares (docs/vigilance.md).

use std::fmt::Write as _;

use powermap_model::{Analysis, Threshold};
use powermap_stats::{forecast, pelt, trend, Crossing, ForecastOptions, PeltOptions, Series};

use crate::{RenderError, Result};

/// What to examine.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftOptions {
    /// Window length in days (non-overlapping windows).
    pub days: u32,
    /// Metric series (default: `hhi` and `nakamoto_coefficient`).
    pub metrics: Vec<String>,
    /// Entity shares (default: the latest top entity, and the top two).
    pub entities: Vec<String>,
    /// Threshold a share series is forecast to reach (default: 1/3 for one entity, 1/2 for
    /// the top two).
    pub threshold: Option<Threshold>,
    /// Forecast horizon in days from the last window.
    pub horizon: u32,
    /// Windows the trend and forecast use (the newest N).
    pub last: usize,
}

/// Appends the drift of `a` to `out`: per series its latest value, Theil–Sen trend, PELT
/// change points and (for shares) the threshold forecast; then the top movers.
pub fn write(a: &Analysis, args: &DriftOptions, out: &mut String) -> Result<()> {
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
        let s = Series::metric(a, id).ok_or_else(|| {
            RenderError::Input(format!(
                "--metric {id}: not computed (see `powermap analyze --help` for metric ids)"
            ))
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

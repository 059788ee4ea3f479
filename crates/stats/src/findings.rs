//! Findings for one analysis: thresholds crossed (with sampling intervals), the latest change
//! point and who moved, the fastest movers, and threshold forecasts — most severe first.

use powermap_model::{Analysis, Boundary, Finding, Severity, Threshold};

use crate::{
    entity_shifts, forecast, nakamoto_interval, pelt, proportion_interval, top_movers,
    BootstrapOptions, Crossing, ForecastOptions, IntervalMethod, PeltOptions, Series,
};

/// Non-overlapping windows the trend and mover findings look back over (a year of 30-day
/// windows).
const TREND_WINDOWS: usize = 13;

/// Statements about `a`'s latest window and its history, most severe first.
///
/// Intervals are computed only for block counts (integral weights); trends, change points
/// and forecasts use non-overlapping windows (see [`Series::non_overlapping`]).
pub fn findings(a: &Analysis) -> Vec<Finding> {
    let scope = format!("{}/{}", a.network, a.layer);
    let mut out = Vec::new();
    let mut push = |severity, kind, message: String| {
        out.push(Finding {
            severity,
            kind,
            scope: scope.clone(),
            message,
        })
    };
    let Some(latest) = a.windows.last() else {
        return Vec::new();
    };
    let d = &latest.distribution;
    if d.is_empty() {
        return Vec::new();
    }
    let dates = format!("{} .. {}", latest.window.start, latest.window.end);

    // 1. Single entities over decisive thresholds, with their sampling interval.
    let top = &d.producers()[0];
    let share = d.share(0);
    // Sampling intervals are for block counts: whole-number stake or token totals are not a
    // sample (see MAX_BOOTSTRAP_UNITS).
    let counts = d.is_integral() && d.total() <= crate::MAX_BOOTSTRAP_UNITS as f64;
    let interval = if counts {
        proportion_interval(
            top.weight as u64,
            d.total() as u64,
            0.95,
            IntervalMethod::Wilson,
        )
        .ok()
        .map(|i| format!(" (Wilson 95 %: {:.1}–{:.1} %)", i.lo * 100.0, i.hi * 100.0))
    } else {
        None
    };
    for (t, severity, what) in [
        (
            Threshold::HALF,
            Severity::Critical,
            "a majority: it alone controls a PoW chain or an LMD-GHOST head",
        ),
        (
            Threshold::THIRD,
            Severity::Warning,
            "a third: enough alone to halt BFT-style finality",
        ),
    ] {
        if t.reached(top.weight, d.total(), d.is_integral(), Boundary::AtLeast) {
            push(
                severity,
                "threshold",
                format!(
                    "{} holds {:.1} %{} of the latest window ({dates}): at least {what}",
                    top.name,
                    share * 100.0,
                    interval.clone().unwrap_or_default()
                ),
            );
            break;
        }
    }

    // 2. The Nakamoto coefficient at 1/2 with its bootstrap interval.
    if counts {
        if let Ok(Some(nc)) = nakamoto_interval(
            d,
            Threshold::HALF,
            Boundary::AtLeast,
            &BootstrapOptions::default(),
        ) {
            let severity = if nc.lo <= 2 {
                Severity::Warning
            } else {
                Severity::Info
            };
            push(
                severity,
                "coalition",
                format!(
                    "{} entities together reach 1/2 in the latest window (95 % bootstrap interval {}–{}; \
                     in {:.0} % of resamples fewer entities suffice)",
                    nc.point,
                    nc.lo,
                    nc.hi,
                    nc.p_below_point * 100.0
                ),
            );
        }
    }

    // 3. The most recent change point in HHI and who moved across it.
    if let Some(hhi) = Series::metric(a, "hhi").map(|s| s.non_overlapping(a)) {
        let ys: Vec<f64> = hhi.points.iter().map(|p| p.value).collect();
        if let Ok(seg) = pelt(&ys, &PeltOptions::default()) {
            if let Some(&cp) = seg.changes.last() {
                let segments = seg.segments();
                let (before, after) =
                    (&segments[segments.len() - 2], &segments[segments.len() - 1]);
                let win = |r: &std::ops::Range<usize>| {
                    hhi.points[r.start].window..hhi.points[r.end - 1].window + 1
                };
                let mut shifts = entity_shifts(a, win(before), win(after));
                shifts.sort_by(|x, y| y.delta.abs().total_cmp(&x.delta.abs()));
                let movers: Vec<String> = shifts
                    .iter()
                    .take(4)
                    .map(|s| format!("{} {:+.1}", s.name, s.delta * 100.0))
                    .collect();
                let date = hhi.points[cp].date;
                let recent = (latest.window.representative - date).num_days() <= 180;
                push(
                    if recent { Severity::Warning } else { Severity::Info },
                    "change_point",
                    format!(
                        "HHI changed structurally around {date} (PELT, BIC penalty): mean {:.0} → {:.0}; \
                         shares that moved most (points): {}",
                        seg.means[seg.means.len() - 2],
                        seg.means[seg.means.len() - 1],
                        movers.join(", ")
                    ),
                );
            }
        }
    }

    // 4. Fastest significant movers over the last year.
    if let Ok(m) = top_movers(a, TREND_WINDOWS, 3, 0.95) {
        for mover in m
            .rising
            .iter()
            .filter(|m| m.trend.significant && m.trend.slope_per_day > 0.0)
            .take(1)
        {
            push(
                Severity::Info,
                "trend",
                format!(
                    "{} is rising fastest: {} (Theil–Sen, last {TREND_WINDOWS} non-overlapping windows; now {:.1} %)",
                    mover.name,
                    mover.trend.describe_points(90),
                    mover.share_now * 100.0
                ),
            );
        }
    }

    // 5. Forecasts: the top entity toward 1/3 and the top two toward 1/2.
    let opts = ForecastOptions::default();
    let series = [
        (
            Series::share(a, &top.name).non_overlapping(a),
            Threshold::THIRD,
            top.name.clone(),
        ),
        (
            Series::top_k(a, 2).non_overlapping(a),
            Threshold::HALF,
            "the top two".to_string(),
        ),
    ];
    for (s, t, who) in series {
        if let Ok(f) = forecast(&s, t.as_f64(), &opts) {
            if let Crossing::At {
                date,
                earliest,
                latest: last,
            } = f.crossing
            {
                push(
                    Severity::Warning,
                    "forecast",
                    format!(
                        "at the current trend, {who} reach{} {t} around {date} (earliest {earliest}{})",
                        if who == "the top two" { "" } else { "es" },
                        last.map(|l| format!(", latest {l}")).unwrap_or_default()
                    ),
                );
            }
        }
    }

    out.sort_by_key(|f| f.severity);
    out
}

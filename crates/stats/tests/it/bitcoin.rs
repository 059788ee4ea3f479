//! Vigilance statistics on the built-in `bitcoin-pools` dataset. The numbers pinned here are
//! the ones `docs/vigilance.md` reports; if the dataset or registry changes, update both.

use std::ops::Range;
use std::sync::OnceLock;

use chrono::NaiveDate;
use powermap_attribution::{Registry, ResolveOptions, Unattributed};
use powermap_model::{Analysis, Boundary, Threshold};
use powermap_pipeline::{AnalyzeOptions, Input, Registries};
use powermap_stats::*;
use powermap_windows::{Alignment, WindowSpec};

/// 30-day windows every 7 days, newest ending on the last day, pools clustered to owners,
/// unattributed blocks in one `unknown` bucket (as `powermap analyze --window 30d/7d`).
fn weekly() -> &'static Analysis {
    static A: OnceLock<Analysis> = OnceLock::new();
    A.get_or_init(|| {
        let mut registries = Registries::default();
        registries.insert(Registry::bitcoin_builtin().unwrap(), "bitcoin-builtin");
        let out = powermap_pipeline::run(
            &Input::Builtin("bitcoin-pools".into()),
            &registries,
            ResolveOptions {
                clustering: true,
                unattributed: Unattributed::Bucket,
            },
            AnalyzeOptions {
                window: WindowSpec::Days {
                    estimation: 30,
                    step: 7,
                    start: None,
                    end: None,
                    align: Alignment::End,
                },
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap();
        out.analyses.into_iter().next().unwrap()
    })
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dates(s: &Series, seg: &Segmentation) -> Vec<String> {
    seg.changes
        .iter()
        .map(|&c| s.points[c].date.to_string())
        .collect()
}

/// Window range (indices into `a.windows`) covered by a range of series points.
fn windows_of(s: &Series, r: &Range<usize>) -> Range<usize> {
    s.points[r.start].window..s.points[r.end - 1].window + 1
}

/// The China mining ban (May–June 2021) is the first structural break in the concentration
/// metrics, and the entities that moved are the Chinese pools out and the unattributed
/// bucket and Foundry USA in.
#[test]
fn finds_the_2021_reshuffle() {
    let a = weekly();
    assert_eq!(a.windows.len(), 273);
    for id in [
        "hhi",
        "concentration_ratio=1",
        "concentration_ratio=3",
        "entropy=1",
    ] {
        let s = Series::metric(a, id).unwrap().non_overlapping(a);
        assert_eq!(s.len(), 55);
        for penalty in [Penalty::Bic, Penalty::Mbic] {
            let seg = pelt(
                &s.values(),
                &PeltOptions {
                    penalty,
                    ..Default::default()
                },
            )
            .unwrap();
            let first = s.points[seg.changes[0]].date;
            eprintln!("{id} {penalty:?}: {:?}", dates(&s, &seg));
            assert_eq!(first, day("2021-07-27"), "{id} {penalty:?}");
        }
    }

    // HHI: 1011 → 1188 across the break.
    let s = Series::metric(a, "hhi").unwrap().non_overlapping(a);
    let seg = pelt(&s.values(), &PeltOptions::default()).unwrap();
    eprintln!("hhi segments {:?} means {:?}", seg.segments(), seg.means);
    assert_eq!(seg.means[0].round(), 1012.0);
    assert_eq!(seg.means[1].round(), 1188.0);
    let w = &a.windows[s.points[seg.changes[0]].window].window;
    assert_eq!((w.start, w.end), (day("2021-07-13"), day("2021-08-11")));

    // Who moved: mean shares in the segment before vs the segment after.
    let segs = seg.segments();
    let shifts = entity_shifts(a, windows_of(&s, &segs[0]), windows_of(&s, &segs[1]));
    for sh in shifts.iter().take(10) {
        eprintln!(
            "  {:<14} {:.3} → {:.3} ({:+.1} points)",
            sh.name,
            sh.before,
            sh.after,
            sh.delta * 100.0
        );
    }
    let top: Vec<(&str, i64)> = shifts
        .iter()
        .take(4)
        .map(|s| (s.name.as_str(), (s.delta * 1000.0).round() as i64))
        .collect();
    assert_eq!(
        top,
        [
            ("unknown", 113),
            ("Foundry USA", 60),
            ("BIT Mining", -46),
            ("Huobi Pool", -45)
        ]
    );

    // The hash rate itself: blocks per 30-day window dip and recover.
    let blocks = Series::total(a).non_overlapping(a);
    let seg = pelt(&blocks.values(), &PeltOptions::default()).unwrap();
    eprintln!("blocks {:?} means {:?}", dates(&blocks, &seg), seg.means);
    assert_eq!(dates(&blocks, &seg)[..2], ["2021-05-18", "2021-07-27"]);
    assert!(seg.means[1] < 0.9 * seg.means[0]);

    // Single entities: Huobi's exit and Foundry's rise start in June 2021.
    for (name, want) in [("Huobi Pool", "2021-06-22"), ("Foundry USA", "2021-06-22")] {
        let s = Series::share(a, name).non_overlapping(a);
        let seg = pelt(&s.values(), &PeltOptions::default()).unwrap();
        eprintln!("{name}: {:?} means {:?}", dates(&s, &seg), seg.means);
        assert!(dates(&s, &seg).contains(&want.to_string()), "{name}");
    }
}

/// Intervals on the newest window.
#[test]
fn intervals_on_the_newest_window() {
    let a = weekly();
    let last = a.windows.last().unwrap();
    let d = &last.distribution;
    let wilson = share_intervals(d, 0.95, IntervalMethod::Wilson).unwrap();
    let exact = share_intervals(d, 0.95, IntervalMethod::ClopperPearson).unwrap();
    for (w, e) in wilson.iter().zip(&exact).take(3) {
        eprintln!(
            "{} {}/{}: {:.4} wilson [{:.4}, {:.4}] exact [{:.4}, {:.4}]",
            w.name,
            w.count,
            d.total(),
            w.share.estimate,
            w.share.lo,
            w.share.hi,
            e.share.lo,
            e.share.hi
        );
        assert!(e.share.lo <= w.share.lo && w.share.hi <= e.share.hi);
    }
    assert_eq!(
        (last.window.start, last.window.end),
        (day("2026-03-24"), day("2026-04-22"))
    );
    assert_eq!(
        (wilson[0].name.as_str(), wilson[0].count, d.total()),
        ("Foundry USA", 1326, 4292.0)
    );
    let near = |x: f64, y: f64| (x - y).abs() < 5e-5;
    assert!(near(wilson[0].share.lo, 0.2953) && near(wilson[0].share.hi, 0.3229));
    assert!(near(exact[0].share.lo, 0.2951) && near(exact[0].share.hi, 0.3230));
    let o = BootstrapOptions::default();
    let mut got = vec![];
    for t in [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS] {
        let nc = nakamoto_interval(d, t, Boundary::AtLeast, &o)
            .unwrap()
            .unwrap();
        eprintln!("NC {t}: {nc:?}");
        got.push((nc.point, nc.lo, nc.hi));
    }
    // At 1/2 the top two hold 48.9 %: sampling noise alone makes 2 pools decisive sometimes.
    assert_eq!(got, [(2, 2, 2), (3, 2, 3), (4, 4, 4)]);
    let half = nakamoto_interval(d, Threshold::HALF, Boundary::AtLeast, &o)
        .unwrap()
        .unwrap();
    assert!(
        half.p_below_point > 0.025 && half.p_below_point < 0.5,
        "{half:?}"
    );
}

/// Trends over the last year of non-overlapping windows.
#[test]
fn top_movers_last_year() {
    let a = weekly();
    let m = top_movers(a, 12, 3, 0.95).unwrap();
    for x in m.rising.iter().chain(&m.falling) {
        eprintln!(
            "{} now {:.3}: {}",
            x.name,
            x.share_now,
            x.trend.describe_points(90)
        );
    }
    let names = |v: &[Mover]| v.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&m.rising), ["SpiderPool", "SecPool", "F2Pool"]);
    assert_eq!(names(&m.falling), ["ViaBTC", "Bitmain", "Luxor"]);
    assert_eq!(
        m.rising[0].trend.describe_points(90),
        "+0.8 points per 90 days (95 % CI +0.1 to +1.3)"
    );
    assert_eq!(
        m.falling[0].trend.describe_points(90),
        "-1.2 points per 90 days (95 % CI -1.4 to -0.8)"
    );
    let s = Series::share(a, "Foundry USA").non_overlapping(a).last(12);
    let t = trend(&s, 0.95).unwrap();
    eprintln!("Foundry USA: {}", t.describe_points(90));
    assert!(!t.significant);
    let f = forecast(
        &Series::share(a, "Foundry USA").non_overlapping(a),
        1.0 / 3.0,
        &ForecastOptions::default(),
    )
    .unwrap();
    eprintln!("Foundry USA ≥ 1/3: {:?}", f.crossing);
    assert_eq!(f.crossing, Crossing::NoSignificantTrend);
    let f = forecast(
        &Series::top_k(a, 2).non_overlapping(a),
        0.5,
        &ForecastOptions::default(),
    )
    .unwrap();
    eprintln!("top-2 ≥ 1/2: {:?}", f.crossing);
    assert_eq!(f.crossing, Crossing::NoSignificantTrend);
}

/// Forecasts made between the reshuffle and the crossing, compared with what happened.
#[test]
fn backtest_foundry_and_top2() {
    let a = weekly();
    let o = ForecastOptions::default();
    let mut summary = vec![];
    for (label, s, t) in [
        ("Foundry USA ≥ 1/4", Series::share(a, "Foundry USA"), 0.25),
        ("Foundry USA ≥ 0.3", Series::share(a, "Foundry USA"), 0.30),
        (
            "Foundry USA ≥ 1/3",
            Series::share(a, "Foundry USA"),
            1.0 / 3.0,
        ),
        ("top-2 ≥ 1/2", Series::top_k(a, 2), 0.5),
    ] {
        let s = s.non_overlapping(a);
        let cuts: Vec<NaiveDate> = s
            .points
            .iter()
            .map(|p| p.date)
            .filter(|&d| d >= day("2021-09-01") && d <= day("2023-06-01"))
            .collect();
        let b = backtest(&s, t, &o, &cuts).unwrap();
        eprintln!(
            "{label}: first actual {:?}, rows {} scored {} MAE {:?} coverage {:?} false alarms {} misses {}",
            s.points.iter().find(|p| p.value >= t).map(|p| p.date),
            b.rows.len(),
            b.scored,
            b.mean_abs_error_days,
            b.coverage,
            b.false_alarms,
            b.misses
        );
        for r in &b.rows {
            eprintln!("    {r:?}");
        }
        summary.push((
            label,
            b.scored,
            b.mean_abs_error_days.map(|e| (e * 100.0).round() / 100.0),
            b.misses,
            b.false_alarms,
        ));
    }
    assert_eq!(
        summary,
        [
            ("Foundry USA ≥ 1/4", 9, Some(48.0), 1, 0),
            ("Foundry USA ≥ 0.3", 12, Some(68.75), 0, 0),
            ("Foundry USA ≥ 1/3", 14, Some(159.86), 0, 0),
            ("top-2 ≥ 1/2", 2, Some(136.0), 8, 0),
        ]
    );
}

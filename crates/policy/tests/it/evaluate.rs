//! One test group per constraint kind, on hand-built analyses, with the boundaries pinned.

use powermap_policy::{
    evaluate, evaluate_with, ForecastOutcome, Forecaster, Outcome, Policy, Report,
};

use crate::{analysis, day};

fn run(constraint: &str, analyses: &[powermap_model::Analysis]) -> Report {
    let text = format!("[[constraint]]\nid = \"c\"\nseverity = \"fail\"\n{constraint}");
    let p = Policy::parse(&text, "p.toml").unwrap();
    evaluate(&p, analyses, day("2026-06-01"))
}

fn outcome(constraint: &str, weights: &[(&str, f64)]) -> Outcome {
    run(
        constraint,
        &[analysis("bitcoin", &[("2026-05-01", weights)])],
    )
    .results[0]
        .outcome
}

#[test]
fn max_share_boundary_at_exactly_the_threshold() {
    let tie: &[(&str, f64)] = &[("A", 1.0), ("B", 1.0), ("C", 1.0)];
    // Default `greater`: exactly 1/3 is allowed.
    assert_eq!(
        outcome("kind = \"max_share\"\nmax = \"1/3\"\n", tie),
        Outcome::Pass
    );
    let ge = "kind = \"max_share\"\nmax = \"1/3\"\nboundary = \"at_least\"\n";
    assert_eq!(outcome(ge, tie), Outcome::Violated);
    assert_eq!(
        outcome(
            "kind = \"max_share\"\nmax = \"1/3\"\n",
            &[("A", 34.0), ("B", 66.0)]
        ),
        Outcome::Violated
    );
}

#[test]
fn max_share_names_every_offender_and_a_named_entity() {
    let a = analysis(
        "bitcoin",
        &[("2026-05-01", &[("A", 40.0), ("B", 35.0), ("C", 25.0)])],
    );
    let r = run(
        "kind = \"max_share\"\nmax = \"1/3\"\n",
        std::slice::from_ref(&a),
    );
    let c = &r.results[0];
    assert_eq!(c.outcome, Outcome::Violated);
    let names: Vec<_> = c.measurements[0]
        .entities
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["A", "B"]);
    assert!(
        c.explanation.contains("window 2026-04-02..2026-05-01"),
        "{}",
        c.explanation
    );
    assert!(
        c.explanation.contains("A 40.00% + B 35.00% hold > 1/3"),
        "{}",
        c.explanation
    );
    let r = run(
        "kind = \"max_share\"\nmax = \"1/3\"\nentity = \"C\"\n",
        std::slice::from_ref(&a),
    );
    assert_eq!(r.results[0].outcome, Outcome::Pass);
    assert_eq!(r.results[0].measurements[0].value, Some(0.25));
    let r = run(
        "kind = \"max_share\"\nmax = \"1/3\"\nentity = \"Z\"\n",
        &[a],
    );
    assert_eq!(r.results[0].outcome, Outcome::Pass);
    assert!(r.results[0].explanation.contains("not in this window"));
}

#[test]
fn max_share_all_windows_reports_the_worst() {
    let a = analysis(
        "bitcoin",
        &[
            ("2026-03-01", &[("A", 60.0), ("B", 40.0)]),
            ("2026-04-01", &[("A", 70.0), ("B", 30.0)]),
            ("2026-05-01", &[("A", 45.0), ("B", 55.0)]),
        ],
    );
    let latest = run(
        "kind = \"max_share\"\nmax = \"1/2\"\nentity = \"A\"\n",
        std::slice::from_ref(&a),
    );
    assert_eq!(latest.results[0].outcome, Outcome::Pass);
    let all = run(
        "kind = \"max_share\"\nmax = \"1/2\"\nentity = \"A\"\nall_windows = true\n",
        &[a],
    );
    let m = &all.results[0].measurements[0];
    assert_eq!(all.results[0].outcome, Outcome::Violated);
    assert_eq!(m.violating_windows, Some((2, 3)));
    assert_eq!(m.window.unwrap().end, day("2026-04-01"));
    assert_eq!(m.value, Some(0.7));
}

#[test]
fn min_coalition_boundary_at_exactly_the_threshold() {
    let w: &[(&str, f64)] = &[("A", 2.0), ("B", 1.0), ("C", 1.0)];
    // ≥ 1/2: A alone holds exactly half → NC = 1 < 2.
    let ge = "kind = \"min_coalition\"\nthreshold = \"1/2\"\nmin = 2\n";
    assert_eq!(outcome(ge, w), Outcome::Violated);
    // > 1/2: A is not enough, A + B is → NC = 2.
    let gt = "kind = \"min_coalition\"\nthreshold = \"1/2\"\nmin = 2\nboundary = \"greater\"\n";
    assert_eq!(outcome(gt, w), Outcome::Pass);
    let r = run(ge, &[analysis("bitcoin", &[("2026-05-01", w)])]);
    let c = &r.results[0];
    assert_eq!(c.measurements[0].value, Some(1.0));
    assert!(
        c.explanation.contains(
            "1 entity together hold 50.00% ≥ 1/2: A 50.00%; the limit asks for at least 2"
        ),
        "{}",
        c.explanation
    );
}

#[test]
fn metric_bounds_are_inclusive_and_undefined_is_not_evaluated() {
    let w: &[(&str, f64)] = &[("A", 1.0), ("B", 1.0)];
    // HHI of two equal entities is exactly 5000.
    assert_eq!(
        outcome("kind = \"metric\"\nmetric = \"hhi\"\nmax = 5000\n", w),
        Outcome::Pass
    );
    assert_eq!(
        outcome("kind = \"metric\"\nmetric = \"hhi\"\nmax = 4999.9\n", w),
        Outcome::Violated
    );
    assert_eq!(
        outcome(
            "kind = \"metric\"\nmetric = \"total_entities\"\nmin = 2\n",
            w
        ),
        Outcome::Pass
    );
    assert_eq!(
        outcome(
            "kind = \"metric\"\nmetric = \"total_entities\"\nmin = 3\n",
            w
        ),
        Outcome::Violated
    );
    let r = run(
        "kind = \"metric\"\nmetric = \"hhi\"\nmax = 1\n",
        &[analysis("bitcoin", &[("2026-05-01", &[("A", 0.0)])])],
    );
    assert_eq!(r.results[0].outcome, Outcome::NotEvaluated);
    assert!(r.results[0].explanation.contains("no weight"));
}

#[test]
fn drift_compares_with_the_window_closest_to_latest_minus_days() {
    let a = analysis(
        "bitcoin",
        &[
            ("2026-01-01", &[("A", 30.0), ("B", 70.0)]),
            ("2026-01-31", &[("A", 30.0), ("B", 70.0)]),
            ("2026-03-02", &[("A", 40.0), ("B", 60.0)]),
            ("2026-04-01", &[("A", 40.0), ("B", 60.0)]),
            // 90 days after 2026-01-01.
            ("2026-05-01", &[("A", 35.0), ("B", 65.0)]),
        ],
    );
    let entity = |rise: &str| {
        run(
            &format!("kind = \"max_drift\"\nentity = \"A\"\nmax_rise = {rise}\ndays = 120\n"),
            std::slice::from_ref(&a),
        )
    };
    // Reference: the window ending 2026-01-01 (120 days before 2026-05-01); +5 points.
    let r = entity("5");
    let m = &r.results[0].measurements[0];
    let d = m.drift.as_ref().unwrap();
    assert_eq!(d.reference_window.end, day("2026-01-01"));
    assert!((d.change - 5.0).abs() < 1e-9);
    // Exactly at the limit passes: only a rise > max_rise violates.
    assert_eq!(r.results[0].outcome, Outcome::Pass);
    assert_eq!(entity("4.9").results[0].outcome, Outcome::Violated);
    assert!(
        entity("4.9").results[0]
            .explanation
            .contains("share of A went from 30.00% in 2025-12-03..2026-01-01 to 35.00% in 2026-04-02..2026-05-01: +5.00 points in 120 days"),
        "{}",
        entity("4.9").results[0].explanation
    );
    // Top share: B fell from 70% → 65%; a fall never violates.
    let top = run(
        "kind = \"max_drift\"\nmax_rise = 0\ndays = 120\n",
        std::slice::from_ref(&a),
    );
    assert_eq!(top.results[0].outcome, Outcome::Pass);
    assert_eq!(
        top.results[0].measurements[0]
            .drift
            .as_ref()
            .unwrap()
            .reference_window
            .end,
        day("2026-01-01")
    );
    // A metric, in its own units.
    let hhi = run(
        "kind = \"max_drift\"\nmetric = \"hhi\"\nmax_rise = 0\ndays = 30\n",
        std::slice::from_ref(&a),
    );
    assert_eq!(hhi.results[0].outcome, Outcome::Violated);
    // Too little history for 365 days.
    let long = run("kind = \"max_drift\"\nmax_rise = 5\ndays = 365\n", &[a]);
    assert_eq!(long.results[0].outcome, Outcome::NotEvaluated);
    assert!(
        long.results[0].explanation.contains("too little history"),
        "{}",
        long.results[0].explanation
    );
}

#[test]
fn effective_from_turns_a_violation_into_pending_until_it_bites() {
    let text = "[[constraint]]\nid = \"c\"\nseverity = \"fail\"\nkind = \"max_share\"\nmax = \"1/2\"\neffective_from = 2026-07-01\n";
    let p = Policy::parse(text, "p.toml").unwrap();
    let a = [analysis(
        "bitcoin",
        &[("2026-05-01", &[("A", 60.0), ("B", 40.0)])],
    )];
    let before = evaluate(&p, &a, day("2026-06-30"));
    assert_eq!(before.results[0].outcome, Outcome::Pending);
    assert!(!before.failed());
    assert!(before.results[0]
        .explanation
        .contains("takes effect 2026-07-01"));
    let on = evaluate(&p, &a, day("2026-07-01"));
    assert_eq!(on.results[0].outcome, Outcome::Violated);
    assert!(on.failed());
}

#[test]
fn warnings_do_not_fail_and_unmatched_networks_are_not_applicable() {
    let text = "[[constraint]]\nid = \"w\"\nseverity = \"warn\"\nkind = \"max_share\"\nmax = \"1/2\"\n\n[[constraint]]\nid = \"eth\"\nseverity = \"fail\"\nnetwork = \"ethereum\"\nkind = \"max_share\"\nmax = \"1/3\"\n";
    let p = Policy::parse(text, "p.toml").unwrap();
    let r = evaluate(
        &p,
        &[analysis(
            "bitcoin",
            &[("2026-05-01", &[("A", 60.0), ("B", 40.0)])],
        )],
        day("2026-06-01"),
    );
    assert_eq!(r.get("w").unwrap().outcome, Outcome::Violated);
    assert_eq!(r.get("eth").unwrap().outcome, Outcome::NotApplicable);
    assert!(r
        .get("eth")
        .unwrap()
        .explanation
        .contains("no analysis matches network `ethereum`; the input has bitcoin/consensus"));
    assert_eq!(
        (r.tally.warnings, r.tally.not_applicable, r.tally.failed),
        (1, 1, 0)
    );
    assert!(!r.failed());
    assert_eq!(r.by_severity()[0].id, "w");
}

struct Fixed(ForecastOutcome);
impl Forecaster for Fixed {
    fn forecast(
        &self,
        series: &[(chrono::NaiveDate, f64)],
        level: f64,
        horizon: u32,
    ) -> ForecastOutcome {
        assert_eq!(series.len(), 1);
        assert!((level - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(horizon, 180);
        self.0.clone()
    }
}

#[test]
fn forecasts_are_not_evaluated_without_a_forecaster() {
    let text = "[[constraint]]\nid = \"f\"\nseverity = \"fail\"\nkind = \"forecast\"\nthreshold = \"1/3\"\nwithin_days = 180\n";
    let p = Policy::parse(text, "p.toml").unwrap();
    let a = [analysis(
        "bitcoin",
        &[("2026-05-01", &[("A", 30.0), ("B", 70.0)])],
    )];
    let r = evaluate(&p, &a, day("2026-06-01"));
    assert_eq!(r.results[0].outcome, Outcome::NotEvaluated);
    assert!(r.results[0].explanation.contains("statistics crate"));
    // With a forecaster (here a stub), the crossing date decides.
    let soon = Fixed(ForecastOutcome::Crossing {
        date: day("2026-08-01"),
        low: day("2026-07-01"),
        high: Some(day("2026-12-01")),
    });
    let r = evaluate_with(&p, &a, day("2026-06-01"), Some(&soon));
    assert_eq!(r.results[0].outcome, Outcome::Violated);
    let r = evaluate_with(
        &p,
        &a,
        day("2026-06-01"),
        Some(&Fixed(ForecastOutcome::NotWithinHorizon)),
    );
    assert_eq!(r.results[0].outcome, Outcome::Pass);
    let r = evaluate_with(
        &p,
        &a,
        day("2026-06-01"),
        Some(&Fixed(ForecastOutcome::AlreadyCrossed)),
    );
    assert_eq!(r.results[0].outcome, Outcome::Violated);
}

//! Evaluating a [`Policy`] on analyses: one [`ConstraintResult`] per constraint.

use chrono::{Duration, NaiveDate};
use powermap_metrics::decisive_coalition;
use powermap_model::{Analysis, Distribution, Layer, WindowResult};
use serde::Serialize;

use crate::forecast::{ForecastOutcome, Forecaster};
use crate::{Constraint, Kind, Policy, Severity, Subject};

/// The verdict on one constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Measured and within the limit.
    Pass,
    /// Measured and outside the limit, and the constraint is in effect.
    Violated,
    /// Outside the limit, but `effective_from` is after today: announced, not yet biting.
    Pending,
    /// Applies, but could not be measured (e.g. undefined metric, too little history, no
    /// forecaster); the explanation says why.
    NotEvaluated,
    /// No analysis matches the constraint's network and layer.
    NotApplicable,
}

impl Outcome {
    /// `pass`, `violated`, `pending`, `not_evaluated`, `not_applicable`.
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Violated => "violated",
            Outcome::Pending => "pending",
            Outcome::NotEvaluated => "not_evaluated",
            Outcome::NotApplicable => "not_applicable",
        }
    }
}

/// A window's first and last day (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WindowDates {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl std::fmt::Display for WindowDates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// An entity and its share (a fraction in [0, 1]) of one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityShare {
    /// Entity name.
    pub name: String,
    /// Share of the window's total weight.
    pub share: f64,
}

/// The comparison a drift constraint made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// The look-back period asked for.
    pub days: u32,
    /// The reference window: the one whose end is closest to `latest end − days`.
    pub reference_window: WindowDates,
    /// The subject's value there (a fraction for shares).
    pub reference_value: f64,
    /// Latest minus reference: percentage points for shares, metric units for metrics.
    pub change: f64,
    /// Who held the top share / the named share in the reference window.
    pub reference_entities: Vec<EntityShare>,
}

/// What was measured on one analysis (one network layer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    /// Network of the analysis.
    pub network: String,
    /// Layer of the analysis.
    pub layer: Layer,
    /// `pass`, `violated` or `not_evaluated` (dates are applied at the constraint level).
    pub status: Outcome,
    /// The window the value comes from (the latest, or the worst with `all_windows`).
    pub window: Option<WindowDates>,
    /// The measured value: a share as a fraction, a coalition size, or a metric value.
    pub value: Option<f64>,
    /// The entities involved: the decisive coalition, the offending entities, or the top.
    pub entities: Vec<EntityShare>,
    /// With `all_windows`: how many windows violate, out of how many.
    pub violating_windows: Option<(usize, usize)>,
    /// For `max_drift`: the reference window and the change.
    pub drift: Option<Drift>,
    /// One or two sentences a person can act on.
    pub explanation: String,
}

/// The result of one constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintResult {
    /// Constraint id.
    pub id: String,
    /// Kind id (`max_share`, …).
    pub kind: &'static str,
    /// The constraint's description.
    pub description: String,
    /// The limit in words.
    pub limit: String,
    /// `warn` or `fail`.
    pub severity: Severity,
    /// When it bites, if announced ahead.
    pub effective_from: Option<NaiveDate>,
    /// Line of the `[[constraint]]` header in the policy file.
    pub line: usize,
    /// The verdict.
    pub outcome: Outcome,
    /// Why, in words: the measured values, windows, entities and changes.
    pub explanation: String,
    /// One entry per analysis the constraint applies to.
    pub measurements: Vec<Measurement>,
}

impl ConstraintResult {
    /// Sort key, most severe first: failed, warning, pending, not evaluated, not
    /// applicable, passed.
    pub fn rank(&self) -> u8 {
        match (self.outcome, self.severity) {
            (Outcome::Violated, Severity::Fail) => 0,
            (Outcome::Violated, Severity::Warn) => 1,
            (Outcome::Pending, _) => 2,
            (Outcome::NotEvaluated, _) => 3,
            (Outcome::NotApplicable, _) => 4,
            (Outcome::Pass, _) => 5,
        }
    }
}

/// Counts per verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// Passed.
    pub passed: usize,
    /// Violated `fail` constraints (these make `check` exit 1).
    pub failed: usize,
    /// Violated `warn` constraints.
    pub warnings: usize,
    /// Violated but not yet in effect.
    pub pending: usize,
    /// Not measurable.
    pub not_evaluated: usize,
    /// No matching analysis.
    pub not_applicable: usize,
}

/// The results of a policy on a set of analyses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The policy's name (or its file when unnamed).
    pub policy: String,
    /// The policy file.
    pub file: String,
    /// The day effective dates were compared with.
    pub today: NaiveDate,
    /// Counts per verdict.
    pub tally: Tally,
    /// One result per constraint, in file order.
    pub results: Vec<ConstraintResult>,
}

impl Report {
    /// True when a `fail` constraint is violated (and in effect): `check` exits 1.
    pub fn failed(&self) -> bool {
        self.tally.failed > 0
    }

    /// Results, most severe first (stable within a rank: file order).
    pub fn by_severity(&self) -> Vec<&ConstraintResult> {
        let mut v: Vec<_> = self.results.iter().collect();
        v.sort_by_key(|r| r.rank());
        v
    }

    /// The result of the constraint with this id.
    pub fn get(&self, id: &str) -> Option<&ConstraintResult> {
        self.results.iter().find(|r| r.id == id)
    }
}

/// Evaluates every constraint of `policy` on `analyses`; `today` decides which
/// `effective_from` dates have passed. Forecast constraints are `not_evaluated`.
pub fn evaluate(policy: &Policy, analyses: &[Analysis], today: NaiveDate) -> Report {
    evaluate_with(policy, analyses, today, None)
}

/// [`evaluate`], with a [`Forecaster`] for `forecast` constraints.
pub fn evaluate_with(
    policy: &Policy,
    analyses: &[Analysis],
    today: NaiveDate,
    forecaster: Option<&dyn Forecaster>,
) -> Report {
    let results: Vec<ConstraintResult> = policy
        .constraints
        .iter()
        .map(|c| evaluate_one(c, analyses, today, forecaster))
        .collect();
    let mut tally = Tally::default();
    for r in &results {
        match (r.outcome, r.severity) {
            (Outcome::Pass, _) => tally.passed += 1,
            (Outcome::Violated, Severity::Fail) => tally.failed += 1,
            (Outcome::Violated, Severity::Warn) => tally.warnings += 1,
            (Outcome::Pending, _) => tally.pending += 1,
            (Outcome::NotEvaluated, _) => tally.not_evaluated += 1,
            (Outcome::NotApplicable, _) => tally.not_applicable += 1,
        }
    }
    Report {
        policy: policy.name.clone().unwrap_or_else(|| policy.file.clone()),
        file: policy.file.clone(),
        today,
        tally,
        results,
    }
}

fn evaluate_one(
    c: &Constraint,
    analyses: &[Analysis],
    today: NaiveDate,
    forecaster: Option<&dyn Forecaster>,
) -> ConstraintResult {
    let matching: Vec<&Analysis> = analyses
        .iter()
        .filter(|a| c.network.as_ref().is_none_or(|n| *n == a.network))
        .filter(|a| c.layer.is_none_or(|l| l == a.layer))
        .collect();
    let measurements: Vec<Measurement> =
        matching.iter().map(|a| measure(c, a, forecaster)).collect();
    let any = |s: Outcome| measurements.iter().any(|m| m.status == s);
    let not_yet = c.effective_from.filter(|d| *d > today);
    let outcome = if matching.is_empty() {
        Outcome::NotApplicable
    } else if any(Outcome::Violated) {
        if not_yet.is_some() {
            Outcome::Pending
        } else {
            Outcome::Violated
        }
    } else if any(Outcome::NotEvaluated) {
        Outcome::NotEvaluated
    } else {
        Outcome::Pass
    };
    let mut explanation = if matching.is_empty() {
        let want = match (&c.network, c.layer) {
            (Some(n), Some(l)) => format!("network `{n}`, layer `{l}`"),
            (Some(n), None) => format!("network `{n}`"),
            (None, Some(l)) => format!("layer `{l}`"),
            (None, None) => "any network".to_string(),
        };
        let have: Vec<String> = analyses
            .iter()
            .map(|a| format!("{}/{}", a.network, a.layer))
            .collect();
        format!(
            "no analysis matches {want}; the input has {} — give input for that network and layer to check this constraint",
            if have.is_empty() {
                "none".to_string()
            } else {
                have.join(", ")
            }
        )
    } else if measurements.len() == 1 {
        measurements[0].explanation.clone()
    } else {
        measurements
            .iter()
            .map(|m| format!("{}/{}: {}", m.network, m.layer, m.explanation))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(d) = not_yet {
        explanation.push_str(&format!(
            " (announced: takes effect {d}; until then a violation is reported as pending)"
        ));
    }
    ConstraintResult {
        id: c.id.clone(),
        kind: c.kind.id(),
        description: c.description.clone(),
        limit: c.kind.limit(),
        severity: c.severity,
        effective_from: c.effective_from,
        line: c.line,
        outcome,
        explanation,
        measurements,
    }
}

/// One window's verdict, before choosing which window to report.
struct WindowEval {
    violated: bool,
    value: f64,
    /// Larger is worse; picks the reported window under `all_windows`.
    badness: f64,
    entities: Vec<EntityShare>,
    explanation: String,
}

fn measure(c: &Constraint, a: &Analysis, forecaster: Option<&dyn Forecaster>) -> Measurement {
    let mut m = Measurement {
        network: a.network.clone(),
        layer: a.layer,
        status: Outcome::NotEvaluated,
        window: None,
        value: None,
        entities: Vec::new(),
        violating_windows: None,
        drift: None,
        explanation: String::new(),
    };
    let Some(latest) = a.windows.last() else {
        m.explanation = "the analysis has no windows".into();
        return m;
    };
    m.window = Some(dates(latest));
    match &c.kind {
        Kind::MaxShare { all_windows, .. }
        | Kind::MinCoalition { all_windows, .. }
        | Kind::Metric { all_windows, .. } => {
            let windows: &[WindowResult] = if *all_windows {
                &a.windows
            } else {
                std::slice::from_ref(latest)
            };
            per_window(&c.kind, windows, *all_windows, &mut m);
        }
        Kind::MaxDrift {
            subject,
            max_rise,
            days,
        } => drift(subject, *max_rise, *days, a, &mut m),
        Kind::Forecast {
            subject,
            threshold,
            within_days,
        } => forecast(subject, *threshold, *within_days, a, forecaster, &mut m),
    }
    m
}

fn per_window(kind: &Kind, windows: &[WindowResult], all: bool, m: &mut Measurement) {
    let mut evals: Vec<(usize, WindowEval)> = Vec::new();
    let mut undefined = None;
    for (i, w) in windows.iter().enumerate() {
        match eval_window(kind, &w.distribution) {
            Ok(e) => evals.push((i, e)),
            Err(reason) => undefined = Some((i, reason)),
        }
    }
    let violating = evals.iter().filter(|(_, e)| e.violated).count();
    if all {
        m.violating_windows = Some((violating, windows.len()));
    }
    // Report the worst violating window; else, under `all_windows`, the closest call (the
    // headroom that is left); else the latest window.
    let worst = |violated_only: bool| {
        evals
            .iter()
            .filter(|(_, e)| e.violated || !violated_only)
            .max_by(|a, b| a.1.badness.total_cmp(&b.1.badness).then(a.0.cmp(&b.0)))
    };
    let pick = worst(true).or_else(|| if all { worst(false) } else { evals.last() });
    let Some((i, e)) = pick else {
        let (i, reason) = undefined.expect("no evals means some window was undefined");
        m.window = Some(dates(&windows[i]));
        m.explanation = format!("{reason} in window {}", dates(&windows[i]));
        return;
    };
    let w = dates(&windows[*i]);
    m.window = Some(w);
    m.value = Some(e.value);
    m.entities = e.entities.clone();
    m.status = if e.violated {
        Outcome::Violated
    } else {
        Outcome::Pass
    };
    m.explanation = format!("window {w}: {}", e.explanation);
    if all {
        m.explanation.push_str(&format!(
            " ({violating} of {} windows violate{})",
            windows.len(),
            if violating > 0 {
                "; the worst is shown"
            } else {
                "; the closest call is shown"
            }
        ));
    }
    if let Some((_, reason)) = undefined.filter(|_| m.status == Outcome::Pass) {
        // A pass with unmeasurable windows is not a clean pass.
        m.status = Outcome::NotEvaluated;
        m.explanation
            .push_str(&format!("; but {reason} in some windows"));
    }
}

fn eval_window(kind: &Kind, d: &Distribution) -> Result<WindowEval, String> {
    if d.is_empty() {
        return Err("the window has no weight".into());
    }
    match kind {
        Kind::MaxShare {
            max,
            boundary,
            entity,
            ..
        } => {
            let reaches = |w: f64| max.reached(w, d.total(), d.is_integral(), *boundary);
            let op = if *boundary == powermap_model::Boundary::Greater {
                ">"
            } else {
                "≥"
            };
            match entity {
                Some(name) => {
                    let w = d.weight_of(name);
                    let share = w / d.total();
                    let violated = reaches(w);
                    let present = d.entries().iter().any(|s| s.name == *name);
                    Ok(WindowEval {
                        violated,
                        value: share,
                        badness: share,
                        entities: vec![EntityShare {
                            name: name.clone(),
                            share,
                        }],
                        explanation: format!(
                            "{name} holds {}{}{}",
                            pct(share),
                            if present { "" } else { " (not in this window)" },
                            if violated {
                                format!(", {op} {max} — reduce it below the limit")
                            } else {
                                format!(", within the limit (violates at {op} {max})")
                            }
                        ),
                    })
                }
                None => {
                    let offenders: Vec<EntityShare> = d
                        .producers()
                        .iter()
                        .take_while(|s| reaches(s.weight))
                        .map(|s| share_of(d, &s.name, s.weight))
                        .collect();
                    let top = &d.producers()[0];
                    let value = top.weight / d.total();
                    let violated = !offenders.is_empty();
                    let explanation = if violated {
                        format!(
                            "{} {} {op} {max}",
                            list(&offenders),
                            if offenders.len() == 1 {
                                "holds"
                            } else {
                                "hold"
                            }
                        )
                    } else {
                        format!(
                            "the largest entity, {} at {}, is within the limit ({op} {max} violates)",
                            top.name,
                            pct(value)
                        )
                    };
                    Ok(WindowEval {
                        violated,
                        value,
                        badness: value,
                        entities: if violated {
                            offenders
                        } else {
                            vec![share_of(d, &top.name, top.weight)]
                        },
                        explanation,
                    })
                }
            }
        }
        Kind::MinCoalition {
            threshold,
            boundary,
            min,
            ..
        } => {
            let op = if *boundary == powermap_model::Boundary::Greater {
                ">"
            } else {
                "≥"
            };
            let coalition = decisive_coalition(d, *threshold, *boundary)
                .ok_or_else(|| format!("no coalition reaches {op} {threshold}"))?;
            let entities: Vec<EntityShare> = coalition
                .iter()
                .map(|s| share_of(d, &s.name, s.weight))
                .collect();
            let size = coalition.len() as u64;
            let combined: f64 = entities.iter().map(|e| e.share).sum();
            let violated = size < *min;
            Ok(WindowEval {
                violated,
                value: size as f64,
                badness: -(size as f64),
                explanation: format!(
                    "{size} {} together hold {} {op} {threshold}: {}; {}",
                    if size == 1 { "entity" } else { "entities" },
                    pct(combined),
                    list(&entities),
                    if violated {
                        format!("the limit asks for at least {min}")
                    } else {
                        format!("at least {min} required")
                    }
                ),
                entities,
            })
        }
        Kind::Metric {
            metric, min, max, ..
        } => {
            let value = metric
                .compute(d)
                .as_f64()
                .ok_or_else(|| format!("{metric} is undefined"))?;
            let below = min.filter(|lo| value < *lo);
            let above = max.filter(|hi| value > *hi);
            let badness = below.map_or(0.0, |lo| lo - value) + above.map_or(0.0, |hi| value - hi);
            let top: Vec<EntityShare> = d
                .producers()
                .iter()
                .take(3)
                .map(|s| share_of(d, &s.name, s.weight))
                .collect();
            let verdict = match (below, above) {
                (Some(lo), _) => format!("below the minimum {lo}"),
                (_, Some(hi)) => format!("above the maximum {hi}"),
                _ => "within the limit".to_string(),
            };
            Ok(WindowEval {
                violated: below.is_some() || above.is_some(),
                value,
                badness,
                explanation: format!(
                    "{metric} = {}, {verdict} (largest: {})",
                    num(value),
                    list(&top)
                ),
                entities: top,
            })
        }
        Kind::MaxDrift { .. } | Kind::Forecast { .. } => {
            unreachable!("series kinds are not evaluated per window")
        }
    }
}

/// The subject's value in one window, and who it belongs to.
fn subject_value(s: &Subject, d: &Distribution) -> Option<(f64, Vec<EntityShare>)> {
    if d.is_empty() {
        return None;
    }
    match s {
        Subject::TopShare => {
            let top = &d.producers()[0];
            Some((
                top.weight / d.total(),
                vec![share_of(d, &top.name, top.weight)],
            ))
        }
        Subject::Entity(name) => {
            let w = d.weight_of(name);
            Some((w / d.total(), vec![share_of(d, name, w)]))
        }
        Subject::Metric(m) => m.compute(d).as_f64().map(|v| (v, Vec::new())),
    }
}

/// `max_drift`: latest window vs the window whose end is closest to `latest.end − days`
/// (ties: the earlier). The reference must end within `days / 2` of that target, otherwise
/// the history is too short (or the windows too coarse) to say.
fn drift(s: &Subject, max_rise: f64, days: u32, a: &Analysis, m: &mut Measurement) {
    let latest = a.windows.last().expect("caller checked");
    let target = latest.window.end - Duration::days(days as i64);
    let earlier = &a.windows[..a.windows.len() - 1];
    let Some(reference) = earlier
        .iter()
        .min_by_key(|w| ((w.window.end - target).num_days().abs(), w.window.end))
    else {
        m.explanation = "drift needs at least two windows".into();
        return;
    };
    let gap = (reference.window.end - target).num_days().abs();
    if gap > (days as i64) / 2 {
        m.explanation = format!(
            "the window nearest to {target} ({}) is {gap} days away: too little history (or too coarse windows) to measure a {days}-day change",
            dates(reference)
        );
        return;
    }
    let (Some((now, now_entities)), Some((then, then_entities))) = (
        subject_value(s, &latest.distribution),
        subject_value(s, &reference.distribution),
    ) else {
        m.explanation = format!("{s} is undefined in the latest or the reference window");
        return;
    };
    let scale = if matches!(s, Subject::Metric(_)) {
        1.0
    } else {
        100.0
    };
    let change = (now - then) * scale;
    // Shares are ratios of floats: (0.35 − 0.30) · 100 is 5.000000000000004. A rise equal
    // to the limit, up to that rounding, is allowed.
    let violated = change > max_rise + 1e-9 * max_rise.abs().max(1.0);
    let shown = |v: f64, e: &[EntityShare]| match s {
        Subject::Metric(_) => num(v),
        Subject::TopShare => format!("{} ({})", pct(v), e[0].name),
        Subject::Entity(_) => pct(v),
    };
    m.value = Some(now);
    m.entities = now_entities;
    m.status = if violated {
        Outcome::Violated
    } else {
        Outcome::Pass
    };
    m.explanation = format!(
        "{s} went from {} in {} to {} in {}: {:+.2}{} in {} days; the limit is +{max_rise}{}",
        shown(then, &then_entities),
        dates(reference),
        shown(now, &m.entities),
        dates(latest),
        change,
        s.unit(change),
        (latest.window.end - reference.window.end).num_days(),
        s.unit(max_rise)
    );
    m.drift = Some(Drift {
        days,
        reference_window: dates(reference),
        reference_value: then,
        change,
        reference_entities: then_entities,
    });
}

fn forecast(
    s: &Subject,
    threshold: powermap_model::Threshold,
    within_days: u32,
    a: &Analysis,
    forecaster: Option<&dyn Forecaster>,
    m: &mut Measurement,
) {
    let Some(f) = forecaster else {
        m.explanation = "forecasts are not evaluated yet: they need the trend estimator of the statistics crate (issue #4, item 4); this constraint is parsed and validated but not checked".into();
        return;
    };
    let series: Vec<(NaiveDate, f64)> = a
        .windows
        .iter()
        .filter_map(|w| subject_value(s, &w.distribution).map(|(v, _)| (w.window.end, v)))
        .collect();
    let latest = a.windows.last().expect("caller checked");
    if let Some((v, e)) = subject_value(s, &latest.distribution) {
        m.value = Some(v);
        m.entities = e;
    }
    let level = threshold.as_f64();
    match f.forecast(&series, level, within_days) {
        ForecastOutcome::Crossing { date, low, high } => {
            let horizon = latest.window.end + Duration::days(within_days as i64);
            m.status = if date <= horizon {
                Outcome::Violated
            } else {
                Outcome::Pass
            };
            m.explanation = format!(
                "at the current trend {s} reaches {threshold} around {date} (interval {low} .. {high}); the limit is not before {horizon}"
            );
        }
        ForecastOutcome::NotWithinHorizon => {
            m.status = Outcome::Pass;
            m.explanation =
                format!("{s} is not forecast to reach {threshold} within {within_days} days");
        }
        ForecastOutcome::NoSignificantTrend => {
            m.status = Outcome::Pass;
            m.explanation = format!("{s} shows no significant trend towards {threshold}");
        }
        ForecastOutcome::Unavailable(reason) => m.explanation = reason,
    }
}

fn dates(w: &WindowResult) -> WindowDates {
    WindowDates {
        start: w.window.start,
        end: w.window.end,
    }
}

fn share_of(d: &Distribution, name: &str, weight: f64) -> EntityShare {
    EntityShare {
        name: name.to_string(),
        share: if d.total() > 0.0 {
            weight / d.total()
        } else {
            0.0
        },
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}")
    }
}

fn list(e: &[EntityShare]) -> String {
    e.iter()
        .map(|e| format!("{} {}", e.name, pct(e.share)))
        .collect::<Vec<_>>()
        .join(" + ")
}

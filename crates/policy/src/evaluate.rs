//! Evaluating a [`Policy`] on analyses: one [`ConstraintResult`] per constraint.
//!
//! Each constraint is measured on every analysis whose network and layer match; the
//! per-window kinds (`max_share`, `min_coalition`, `metric`) are here, the series kinds
//! (`max_drift`, `forecast`) in `series.rs`.

use chrono::NaiveDate;
use powermap_metrics::decisive_coalition;
use powermap_model::{Analysis, Distribution, WindowResult};

use crate::forecast::Forecaster;
use crate::series::{drift, forecast};
use crate::statement::{dates, list, num, pct, share_of};
use crate::{
    Constraint, ConstraintResult, EntityShare, Kind, Measurement, Outcome, Policy, Report,
    Severity, Tally,
};

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

//! Constraints on a series of windows: `max_drift` (a documented window difference) and
//! `forecast` (through the [`Forecaster`] extension point).

use chrono::{Duration, NaiveDate};
use powermap_model::{Analysis, Distribution, Threshold};

use crate::forecast::{ForecastOutcome, Forecaster};
use crate::statement::{dates, num, pct, share_of};
use crate::{Drift, EntityShare, Measurement, Outcome, Subject};

/// The subject's value in one window, and who it belongs to.
pub(crate) fn subject_value(s: &Subject, d: &Distribution) -> Option<(f64, Vec<EntityShare>)> {
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
pub(crate) fn drift(s: &Subject, max_rise: f64, days: u32, a: &Analysis, m: &mut Measurement) {
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

pub(crate) fn forecast(
    s: &Subject,
    threshold: Threshold,
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
            let high = high.map_or("beyond the horizon".to_string(), |h| h.to_string());
            m.explanation = format!(
                "at the current trend {s} reaches {threshold} around {date} (between {low} and {high}); the limit is not before {horizon}"
            );
        }
        ForecastOutcome::AlreadyCrossed => {
            m.status = Outcome::Violated;
            m.explanation = format!("{s} has already reached {threshold} in the latest window");
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

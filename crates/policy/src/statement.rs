//! How results are stated: window dates, entity shares and numbers in explanations.

use powermap_model::{Distribution, WindowResult};

use crate::{EntityShare, WindowDates};

pub(crate) fn dates(w: &WindowResult) -> WindowDates {
    WindowDates {
        start: w.window.start,
        end: w.window.end,
    }
}

pub(crate) fn share_of(d: &Distribution, name: &str, weight: f64) -> EntityShare {
    EntityShare {
        name: name.to_string(),
        share: if d.total() > 0.0 {
            weight / d.total()
        } else {
            0.0
        },
    }
}

pub(crate) fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}")
    }
}

pub(crate) fn list(e: &[EntityShare]) -> String {
    e.iter()
        .map(|e| format!("{} {}", e.name, pct(e.share)))
        .collect::<Vec<_>>()
        .join(" + ")
}

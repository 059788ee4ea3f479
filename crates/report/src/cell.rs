//! What every section shares: scorecard cells and rows, trend arrows, and how rules and
//! shares are written. Sections build rows; [`crate::scorecard`] groups them.

use chrono::NaiveDate;
use serde::Serialize;

/// Direction of a decisive coalition's size between two windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// More entities are needed now: power dispersed.
    Dispersing,
    /// Fewer entities are needed now: power concentrated.
    Concentrating,
    /// The same number.
    Steady,
    /// Only one window: no trend.
    Unknown,
}

impl Trend {
    /// The arrow shown in the scorecard.
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Dispersing => "↑",
            Trend::Concentrating => "↓",
            Trend::Steady => "→",
            Trend::Unknown => "·",
        }
    }

    pub(crate) fn between(before: Option<usize>, now: Option<usize>) -> Trend {
        // An unreachable threshold (`None`) counts as needing more than everyone.
        let key = |s: Option<usize>| s.unwrap_or(usize::MAX);
        match key(now).cmp(&key(before)) {
            std::cmp::Ordering::Greater => Trend::Dispersing,
            std::cmp::Ordering::Less => Trend::Concentrating,
            std::cmp::Ordering::Equal => Trend::Steady,
        }
    }
}

/// One failure mode of one layer in the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreCell {
    /// Failure mode id.
    pub failure_mode: String,
    /// `liveness` or `safety`.
    pub property: String,
    /// The rule, e.g. `> 1/3`.
    pub rule: String,
    /// Decisive coalition size now (`None`: not reachable).
    pub size: Option<usize>,
    /// Direction since `since`.
    pub trend: Trend,
    /// The window compared with, if any.
    pub since: Option<NaiveDate>,
    /// Size range over the three treatments of unattributed weight, when it differs.
    pub range: Option<(usize, usize)>,
}

impl ScoreCell {
    /// `3 ↑` or `3 (2–5) ↓`, or `–` when not reachable.
    pub fn text(&self) -> String {
        let size = self.size.map_or("–".to_string(), |s| s.to_string());
        let range = match self.range {
            Some((lo, hi)) if lo != hi => format!(" ({lo}–{hi})"),
            _ => String::new(),
        };
        format!("{size}{range} {}", self.trend.arrow())
    }
}

/// One layer's row.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreRow {
    /// Layer id in the report (`cross-layer` for the combined row).
    pub layer: String,
    /// Layer title.
    pub title: String,
    /// Last day of the latest window.
    pub as_of: Option<NaiveDate>,
    /// One cell per failure mode.
    pub cells: Vec<ScoreCell>,
    /// A measured fact about the row, e.g. "5 implementations hold ≥ 1 %".
    pub note: Option<String>,
}

/// `≥ 1/3` or `> 2/3`.
pub(crate) fn rule(b: powermap_model::Boundary, t: powermap_model::Threshold) -> String {
    let op = match b {
        powermap_model::Boundary::AtLeast => "≥",
        powermap_model::Boundary::Greater => ">",
    };
    format!("{op} {t}")
}

/// A share as a percentage with one decimal, e.g. `30.9 %`.
pub(crate) fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_reads_unreachable_as_most_dispersed() {
        assert_eq!(Trend::between(Some(3), Some(4)), Trend::Dispersing);
        assert_eq!(Trend::between(Some(3), Some(2)), Trend::Concentrating);
        assert_eq!(Trend::between(Some(3), Some(3)), Trend::Steady);
        assert_eq!(Trend::between(Some(3), None), Trend::Dispersing);
        assert_eq!(Trend::between(None, Some(9)), Trend::Concentrating);
    }
}

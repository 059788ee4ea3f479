//! A window of time (or of blocks) that one distribution summarises.

use chrono::NaiveDate;
use serde::Serialize;

/// One estimation window. Day bounds are inclusive UTC days, as in EDI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Window {
    /// First UTC day covered (inclusive).
    pub start: NaiveDate,
    /// Last UTC day covered (inclusive).
    pub end: NaiveDate,
    /// The date the window is labelled with: `start + floor((end − start)/2)` (EDI's rule).
    pub representative: NaiveDate,
    /// First and last block height covered, for block-count windows.
    pub heights: Option<(u64, u64)>,
}

impl Window {
    /// A day window `[start, end]` labelled by EDI's representative date.
    pub fn days(start: NaiveDate, end: NaiveDate) -> Self {
        let half = (end - start).num_days().max(0) / 2;
        Window {
            start,
            end,
            representative: start + chrono::Duration::days(half),
            heights: None,
        }
    }
}

/// The value of one metric on one distribution.
///
/// Integers and floats are kept apart so files written for EDI compatibility print
/// `1` where EDI prints `1` and `1.0` where EDI prints `1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// Undefined (e.g. entropy of an empty window). Written as an empty cell / `null`.
    Undefined,
    /// A count.
    Int(u64),
    /// A real number.
    Float(f64),
}

impl MetricValue {
    /// The value as a float, `None` when undefined.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            MetricValue::Undefined => None,
            MetricValue::Int(i) => Some(i as f64),
            MetricValue::Float(f) => Some(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representative_date_is_edi_midpoint() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Window::days(d("2018-01-01"), d("2018-01-30")).representative,
            d("2018-01-15")
        );
        assert_eq!(
            Window::days(d("2020-09-01"), d("2020-09-07")).representative,
            d("2020-09-04")
        );
    }
}

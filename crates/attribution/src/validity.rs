//! When an ownership link holds: EDI's month-granular `from`/`to` interval.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The interval during which an ownership link holds, exactly as EDI reads `legal_links.json`.
///
/// * `from` = `"YYYY-MM"` (or `"YYYY"`, `"YYYY-MM-DD"`): valid from the first day of that
///   month (year, day). Empty: valid since forever.
/// * `to`: valid **until the day before** the first day of that month; `to` itself is
///   excluded ("from the beginning of `from` until the beginning of `to`, excluding", EDI's
///   `mapping_information/README.md`; `helper.get_time_period`). Empty: valid forever.
///
/// A block belongs to the link when its UTC day (the first 10 characters of EDI's timestamp)
/// lies in `[start, end]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// `from` as written in the source (may be empty).
    pub from: String,
    /// `to` as written in the source (may be empty).
    pub to: String,
    /// First valid day, `None` = unbounded.
    pub start: Option<NaiveDate>,
    /// Last valid day (inclusive), `None` = unbounded.
    pub end: Option<NaiveDate>,
}

impl Validity {
    /// A link that always holds.
    pub fn always() -> Self {
        Validity {
            from: String::new(),
            to: String::new(),
            start: None,
            end: None,
        }
    }

    /// Parses EDI `from`/`to` strings; `None` when either is not a date EDI accepts.
    pub fn parse(from: &str, to: &str) -> Option<Self> {
        let start = if from.is_empty() {
            None
        } else {
            Some(beginning(from)?)
        };
        let end = if to.is_empty() {
            None
        } else {
            Some(beginning(to)?.pred_opt()?)
        };
        Some(Validity {
            from: from.to_string(),
            to: to.to_string(),
            start,
            end,
        })
    }

    /// True when `day` lies inside the interval.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= day) && self.end.is_none_or(|e| day <= e)
    }

    /// True when the link holds at every date.
    pub fn is_always(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }
}

/// First day of a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` period (EDI's `get_timeframe_beginning`).
pub fn beginning(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    match b.len() {
        4 if digits(0..4) => NaiveDate::from_ymd_opt(num(0..4)? as i32, 1, 1),
        7 if digits(0..4) && b[4] == b'-' && digits(5..7) => {
            NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, 1)
        }
        10 if digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) => {
            NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
        }
        _ => None,
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.start, self.end) {
            (None, None) => f.write_str("valid always"),
            (Some(s), None) => write!(f, "valid from {}", ym(s)),
            (None, Some(e)) => write!(f, "valid until {e} (to {} excluded)", self.to),
            (Some(s), Some(e)) => write!(f, "valid {} … {e} (to {} excluded)", ym(s), self.to),
        }
    }
}

fn ym(d: NaiveDate) -> String {
    if d.day() == 1 {
        format!("{:04}-{:02}", d.year(), d.month())
    } else {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn edi_month_semantics() {
        let v = Validity::parse("2020-12", "2021-04").unwrap();
        assert!(!v.contains(d("2020-11-30")));
        assert!(v.contains(d("2020-12-01")));
        assert!(v.contains(d("2021-03-31")));
        assert!(!v.contains(d("2021-04-01")));
        let open = Validity::parse("", "").unwrap();
        assert!(open.is_always() && open.contains(d("1970-01-01")));
        let year = Validity::parse("2020", "2021").unwrap();
        assert_eq!(year.start, Some(d("2020-01-01")));
        assert_eq!(year.end, Some(d("2020-12-31")));
        assert!(Validity::parse("2020-13", "").is_none());
        assert!(Validity::parse("20-1", "").is_none());
        assert!(Validity::parse("", "garbage").is_none());
    }
}

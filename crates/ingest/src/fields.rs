//! The columns of the open observation format and how each text value is checked.
//!
//! The parsers return the problem as a message; callers add file, position and field.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use powermap_model::Layer;

use crate::time;

/// A column of the open observation format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Network,
    Layer,
    Time,
    Height,
    Subject,
    Entity,
    Weight,
    Source,
}

impl Column {
    pub(crate) const ALL: [Column; 8] = [
        Column::Network,
        Column::Layer,
        Column::Time,
        Column::Height,
        Column::Subject,
        Column::Entity,
        Column::Weight,
        Column::Source,
    ];

    pub(crate) fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }

    pub(crate) fn from_name(name: &str) -> Option<Column> {
        COLUMNS
            .iter()
            .position(|c| *c == name)
            .map(|i| Column::ALL[i])
    }

    /// Optional columns may be absent from a file, or empty / null in a record.
    pub(crate) fn is_optional(self) -> bool {
        matches!(self, Column::Height | Column::Entity | Column::Source)
    }
}

/// Column names of the open observation format, in their canonical order.
pub const COLUMNS: [&str; 8] = [
    "network", "layer", "time", "height", "subject", "entity", "weight", "source",
];

/// Quotes a value for an error message, cut short so a huge field cannot flood the terminal.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => {
            let _ = write!(out, "{:?}…", &s[..cut]);
        }
        None => {
            let _ = write!(out, "{s:?}");
        }
    }
    out
}

/// A required text field: must not be empty.
pub(crate) fn required(s: &str) -> Result<&str, String> {
    if s.is_empty() {
        Err("missing value (the field is required)".into())
    } else {
        Ok(s)
    }
}

/// An optional text field: empty means absent.
pub(crate) fn optional(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

pub(crate) fn layer(s: &str) -> Result<Layer, String> {
    // The common case first, without the general lookup.
    if s == "consensus" {
        return Ok(Layer::Consensus);
    }
    s.parse::<Layer>().map_err(|_| {
        let ids: Vec<&str> = Layer::ALL.iter().map(|l| l.id()).collect();
        format!("expected one of {}, got {}", ids.join(", "), quote(s))
    })
}

pub(crate) fn time(s: &str) -> Result<DateTime<Utc>, String> {
    if s.is_empty() {
        return Err("missing value (the field is required)".into());
    }
    time::parse_rfc3339(s).ok_or_else(|| {
        format!(
            "expected an RFC 3339 timestamp such as 2024-01-31T12:00:00Z, got {}",
            quote(s)
        )
    })
}

/// An optional height: empty means absent.
pub(crate) fn height(s: &str) -> Result<Option<u64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    parse_u64(s.as_bytes())
        .map(Some)
        .ok_or_else(|| format!("expected an integer ≥ 0, got {}", quote(s)))
}

pub(crate) fn weight(s: &str) -> Result<f64, String> {
    let bad = || format!("expected a number ≥ 0, got {}", quote(s));
    // Whole numbers (1 per block, votes, nodes) are the common case; skip the float parser.
    let w = match parse_u64(s.as_bytes()) {
        Some(n) if n < (1 << 53) => n as f64,
        _ => s.parse::<f64>().map_err(|_| bad())?,
    };
    check_weight(w).map_err(|_| bad())
}

/// A weight must be finite and ≥ 0 (`Observation::validate`).
pub(crate) fn check_weight(w: f64) -> Result<f64, String> {
    if w.is_finite() && w >= 0.0 {
        Ok(w)
    } else {
        Err(format!("expected a number ≥ 0, got {w}"))
    }
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_values() {
        assert_eq!(weight("3").unwrap(), 3.0);
        assert_eq!(weight("0.25").unwrap(), 0.25);
        assert_eq!(weight("1e3").unwrap(), 1000.0);
        assert_eq!(
            weight("-3").unwrap_err(),
            "expected a number ≥ 0, got \"-3\""
        );
        assert!(weight("NaN").is_err());
        assert!(weight("inf").is_err());
        assert!(weight("").is_err());
        assert_eq!(height("").unwrap(), None);
        assert_eq!(height("18446744073709551615").unwrap(), Some(u64::MAX));
        assert!(height("18446744073709551616").is_err());
        assert!(height("-1").is_err());
        assert!(layer("Consensus").is_err());
        assert!(required("").is_err());
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 60 + 3);
        for c in Column::ALL {
            assert_eq!(Column::from_name(c.name()), Some(c));
        }
    }
}

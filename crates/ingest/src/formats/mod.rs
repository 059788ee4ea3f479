//! Readers and writers for each encoding, plus the checks they share.

pub(crate) mod columns;
pub mod csv;
pub mod jsonl;
pub mod parquet;

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use powermap_model::Observation;

use crate::fields::{self, Column};
use crate::{IngestError, Position};

/// Checks what a writer cannot encode faithfully: empty required text and bad weights.
pub(crate) fn check_for_write(
    obs: &Observation,
    path: &Path,
    position: Position,
) -> Result<(), IngestError> {
    let bad = |c: Column, problem: String| IngestError::Field {
        path: path.to_path_buf(),
        position,
        field: c.name(),
        problem,
    };
    fields::required(&obs.network).map_err(|p| bad(Column::Network, p))?;
    fields::required(&obs.subject).map_err(|p| bad(Column::Subject, p))?;
    fields::check_weight(obs.weight).map_err(|p| bad(Column::Weight, p))?;
    Ok(())
}

/// The error for a time no encoding can hold (RFC 3339 years 0000–9999; Parquet ns range).
pub(crate) fn time_range_error(path: &Path, position: Position, t: &DateTime<Utc>) -> IngestError {
    IngestError::Field {
        path: path.to_path_buf(),
        position,
        field: Column::Time.name(),
        problem: format!("{t:?} is outside the range this format can store"),
    }
}

/// Appends the shortest text that parses back to `w`, without a 300-digit expansion of 1e300.
pub(crate) fn push_weight(out: &mut String, w: f64) {
    if w == 0.0 || (1e-5..1e16).contains(&w) {
        let _ = write!(out, "{w}");
    } else {
        let _ = write!(out, "{w:e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_print_short_and_round_trip() {
        for w in [
            0.0,
            1.0,
            0.1,
            1e-7,
            1e300,
            123456.789,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let mut s = String::new();
            push_weight(&mut s, w);
            assert!(s.len() < 30, "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), w);
        }
        let mut s = String::new();
        push_weight(&mut s, 3.0);
        assert_eq!(s, "3");
    }
}

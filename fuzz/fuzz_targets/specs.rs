//! Arbitrary text as the command-line/config specs: window spec, threshold, metric id and
//! population windows. Parsing returns a value or an error, never panics; what parses
//! prints back to something that parses to the same value (`Metric::parse(&m.id()) == m`),
//! and a parsed window spec cuts a year of days into windows without panicking.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use powermap_metrics::Metric;
use powermap_model::Threshold;
use powermap_windows::{Population, WindowSpec};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = s.parse::<WindowSpec>() {
        let _ = spec.describe();
        let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let _ = spec.day_windows(first, last);
    }
    if let Ok(t) = s.parse::<Threshold>() {
        assert_eq!(t.to_string().parse::<Threshold>().ok(), Some(t), "{s:?}");
    }
    if let Ok(m) = Metric::parse(s) {
        assert_eq!(Metric::parse(&m.id()).ok(), Some(m), "{s:?}");
    }
    if let Ok(p) = s.parse::<Population>() {
        assert_eq!(p.to_string().parse::<Population>().ok(), Some(p), "{s:?}");
    }
});

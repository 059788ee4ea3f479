//! The aggregator's windows equal a naive recomputation from the raw observations,
//! whatever the input order.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use powermap_windows::{Aggregator, Alignment, Population, WindowSpec};
use proptest::prelude::*;

fn naive(obs: &[(i64, u8, u32)], start: NaiveDate, end: NaiveDate) -> Vec<(String, f64)> {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut m = std::collections::BTreeMap::new();
    for &(day, e, w) in obs {
        let d = base + Duration::days(day);
        if d >= start && d <= end {
            *m.entry(format!("e{e}")).or_insert(0.0) += f64::from(w);
        }
    }
    m.into_iter().collect()
}

proptest! {
    #[test]
    fn windows_match_naive_sums(
        mut obs in prop::collection::vec((0i64..60, 0u8..6, 0u32..5), 1..200),
        est in 1u32..15, step in 1u32..10, end_aligned: bool, seed: u64,
    ) {
        let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        // Shuffle deterministically: order must not matter.
        let n = obs.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(i as u64 + 1) % n as u64) as usize;
            obs.swap(i, j);
        }
        let mut agg = Aggregator::new(false);
        for &(day, e, w) in &obs {
            agg.add(base + Duration::days(day) + Duration::hours(i64::from(e)), None, &format!("e{e}"), f64::from(w));
        }
        let spec = WindowSpec::Days {
            estimation: est, step, start: None, end: None,
            align: if end_aligned { Alignment::End } else { Alignment::Start },
        };
        for (w, d) in agg.distributions(&spec, Population::Window(0)).unwrap() {
            prop_assert_eq!((w.end - w.start).num_days() + 1, i64::from(est));
            let mut got: Vec<(String, f64)> = d.entries().iter().map(|s| (s.name.clone(), s.weight)).collect();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            let want: Vec<(String, f64)> = naive(&obs, w.start, w.end);
            prop_assert_eq!(got, want);
        }
    }
}

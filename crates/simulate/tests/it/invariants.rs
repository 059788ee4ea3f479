//! Property tests of one path: shares stay non-negative and add up to 1, and a cap is never
//! exceeded once it applies, whatever the dynamics.

use chrono::NaiveDate;
use powermap_simulate::{Dynamics, Mechanism, Rule, Scenario, Simulation};
use proptest::prelude::*;

fn dynamics() -> impl Strategy<Value = Dynamics> {
    (
        0.3f64..2.5,
        0.0f64..30.0,
        0.0f64..4.0,
        1e-4f64..0.2,
        0.0f64..0.4,
    )
        .prop_map(
            |(alpha, moves_per_day, inflows_per_day, chunk, entry)| Dynamics {
                alpha,
                moves_per_day,
                inflows_per_day,
                chunk,
                entry,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shares_add_up_and_caps_hold(
        weights in prop::collection::vec(0.0f64..100.0, 1..15),
        rest in prop_oneof![Just(0.0), 0.0f64..50.0],
        d in dynamics(),
        cap in prop::option::of(0.05f64..0.6),
        seed in any::<u64>(),
    ) {
        prop_assume!(weights.iter().sum::<f64>() + rest > 0.0);
        let names: Vec<String> = (0..weights.len()).map(|i| format!("e{i}")).collect();
        let w: Vec<(&str, f64)> = names.iter().map(String::as_str).zip(weights.iter().copied()).collect();
        let scenario = cap.map(|c| Scenario {
            id: "cap".into(),
            title: "cap".into(),
            description: String::new(),
            rules: vec![Rule { mechanism: Mechanism::StakeCap { max_share: c }, from: None, source: "test".into() }],
        });
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let sim = Simulation::new(&w, rest, scenario.as_ref().map(|s| (s, 5.0)), start).unwrap();
        let mut failure = None;
        sim.path(d, 60, seed, 0, &mut |day, shares, rest, cap_now| {
            if failure.is_some() {
                return;
            }
            let sum: f64 = shares.iter().sum::<f64>() + rest;
            if (sum - 1.0).abs() > 1e-9 || rest < 0.0 || shares.iter().any(|&s| s < 0.0 || !s.is_finite()) {
                failure = Some(format!("day {day}: shares {shares:?} + {rest} = {sum}"));
            } else if let Some(c) = cap_now {
                if let Some(s) = shares.iter().find(|&&s| s > c + 1e-9) {
                    failure = Some(format!("day {day}: share {s} above cap {c}"));
                }
            }
        });
        prop_assert!(failure.is_none(), "{}", failure.unwrap());
    }
}

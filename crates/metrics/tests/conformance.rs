//! Standard cases through every metric (one macro), and property tests of the invariants.

use powermap_metrics::{decisive_coalition, default_metrics, edi_format, Metric};
use powermap_model::{Boundary, Distribution, MetricValue, Threshold};
use proptest::prelude::*;

/// `[]`, or weights named `e0`, `e1`, … (zero weights are population members).
fn dist(weights: &[u64]) -> Distribution {
    Distribution::from_weights(
        weights
            .iter()
            .enumerate()
            .map(|(i, &w)| (format!("e{i}"), w as f64)),
    )
    .unwrap()
}

/// The standard inputs, in the order the macro lists expectations.
const CASES: [(&str, &[u64]); 8] = [
    ("empty", &[]),
    ("only_zero_members", &[0, 0]),
    ("single", &[5]),
    ("uniform4", &[1, 1, 1, 1]),
    ("tie_half_1_1", &[1, 1]),
    ("tie_third_1_1_1", &[1, 1, 1]),
    ("tie_two_thirds_2_1", &[2, 1]),
    ("zero_members_2_1_0_0", &[2, 1, 0, 0]),
];

const U: MetricValue = MetricValue::Undefined;
fn i(v: u64) -> MetricValue {
    MetricValue::Int(v)
}
fn f(v: f64) -> MetricValue {
    MetricValue::Float(v)
}

fn check(metric: &str, want: [MetricValue; 8]) {
    let m = Metric::parse(metric).unwrap();
    for ((case, weights), want) in CASES.iter().zip(want) {
        let got = m.compute(&dist(weights));
        let same = match (got, want) {
            (MetricValue::Float(g), MetricValue::Float(w)) => {
                (g - w).abs() <= 1e-12 * w.abs().max(1.0)
            }
            _ => got == want,
        };
        assert!(
            same,
            "{metric} on {case} {weights:?}: want {want:?} (`{}`), got {got:?} (`{}`)",
            edi_format(want),
            edi_format(got)
        );
    }
}

/// `metric_id => [empty, only_zero_members, single, uniform4, [1,1], [1,1,1], [2,1], [2,1,0,0]]`.
/// The array length is fixed, so every metric must state every standard case.
macro_rules! conformance {
    ($($test:ident: $id:literal => $want:expr;)*) => {
        $(
            #[test]
            fn $test() {
                check($id, $want);
            }
        )*

        /// Every default metric has a conformance row.
        #[test]
        fn every_default_metric_is_covered() {
            let covered = [$($id),*];
            for m in default_metrics() {
                assert!(covered.contains(&m.id().as_str()), "no conformance row for {}", m.id());
            }
        }
    };
}

const H21: f64 = 0.9182958340544896; // Shannon entropy of (2/3, 1/3)
const LOG2_3: f64 = 1.584962500721156;

conformance! {
    entropy_1: "entropy=1" => [U, U, f(0.0), f(2.0), f(1.0), f(LOG2_3), f(H21), f(H21)];
    entropy_0: "entropy=0" => [U, U, f(0.0), f(2.0), f(1.0), f(LOG2_3), f(1.0), f(1.0)];
    entropy_2: "entropy=2" => [U, U, f(-0.0), f(2.0), f(1.0), f(LOG2_3), f(0.8479969065549501), f(0.8479969065549501)];
    entropy_min: "entropy=-1" => [U, U, f(-0.0), f(2.0), f(1.0), f(LOG2_3), f(0.5849625007211563), f(0.5849625007211563)];
    entropy_percentage_1: "entropy_percentage=1" => [U, U, i(0), f(1.0), f(1.0), f(1.0), f(H21), f(H21)];
    gini: "gini" => [U, U, f(0.0), f(0.0), f(0.0), f(0.0), f(1.0 / 6.0), f(7.0 / 12.0)];
    hhi: "hhi" => [U, U, f(10000.0), f(2500.0), f(5000.0), f(3333.333333333334), f(5555.555555555557), f(5555.555555555557)];
    nakamoto_half: "nakamoto_coefficient" => [U, U, i(1), i(2), i(1), i(2), i(1), i(1)];
    nakamoto_half_strict: "nakamoto_coefficient>1/2" => [U, U, i(1), i(3), i(2), i(2), i(1), i(1)];
    nakamoto_third: "nakamoto_coefficient=1/3" => [U, U, i(1), i(2), i(1), i(1), i(1), i(1)];
    nakamoto_third_strict: "nakamoto_coefficient>1/3" => [U, U, i(1), i(2), i(1), i(2), i(1), i(1)];
    nakamoto_two_thirds: "nakamoto_coefficient=2/3" => [U, U, i(1), i(3), i(2), i(2), i(1), i(1)];
    nakamoto_two_thirds_strict: "nakamoto_coefficient>2/3" => [U, U, i(1), i(3), i(2), i(3), i(2), i(2)];
    nakamoto_all: "nakamoto_coefficient=1" => [U, U, i(1), i(4), i(2), i(3), i(2), i(2)];
    nakamoto_above_all: "nakamoto_coefficient>1" => [U, U, U, U, U, U, U, U];
    theil: "theil_index" => [i(0), i(0), f(0.0), f(0.0), f(0.0), f(0.0), f(0.056633012265132426), f(0.7497801928250778)];
    concentration_1: "concentration_ratio=1" => [i(0), i(0), f(1.0), f(0.25), f(0.5), f(1.0 / 3.0), f(2.0 / 3.0), f(2.0 / 3.0)];
    concentration_3: "concentration_ratio=3" => [i(0), i(0), f(1.0), f(0.75), f(1.0), f(1.0), f(1.0), f(1.0)];
    tau_033: "tau_index=0.33" => [U, U, i(1), i(2), i(1), i(1), i(1), i(1)];
    tau_066: "tau_index=0.66" => [U, U, i(1), i(3), i(2), i(2), i(1), i(1)];
    total_entities: "total_entities" => [i(0), i(0), i(1), i(4), i(2), i(3), i(2), i(2)];
    max_power_ratio: "max_power_ratio" => [i(0), i(0), f(1.0), f(0.25), f(0.5), f(1.0 / 3.0), f(2.0 / 3.0), f(2.0 / 3.0)];
}

/// Producer weights (1..1000, 1..40 of them) plus 0..5 zero-weight population members.
fn weights() -> impl Strategy<Value = Vec<u64>> {
    (prop::collection::vec(1u64..1000, 1..40), 0usize..5).prop_map(|(mut w, zeros)| {
        w.extend(std::iter::repeat_n(0, zeros));
        w
    })
}

fn value(m: &str, d: &Distribution) -> f64 {
    Metric::parse(m).unwrap().compute(d).as_f64().unwrap()
}

fn nc(d: &Distribution, t: Threshold, b: Boundary) -> u64 {
    match (Metric::Nakamoto {
        threshold: t,
        boundary: b,
    })
    .compute(d)
    {
        MetricValue::Int(k) => k,
        other => panic!("nakamoto gave {other:?}"),
    }
}

proptest! {
    #[test]
    fn permutation_invariant(w in weights(), seed in any::<u64>()) {
        let mut shuffled: Vec<(String, f64)> =
            w.iter().enumerate().map(|(i, &x)| (format!("e{i}"), x as f64)).collect();
        // A cheap deterministic shuffle driven by `seed`.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = dist(&w);
        let b = Distribution::from_weights(shuffled).unwrap();
        for m in default_metrics() {
            prop_assert_eq!(edi_format(m.compute(&a)), edi_format(m.compute(&b)), "{}", m.id());
        }
    }

    #[test]
    fn invariants(w in weights()) {
        let d = dist(&w);
        let n = d.producers().len() as f64;
        let (ge, gt) = (Boundary::AtLeast, Boundary::Greater);

        let half = nc(&d, Threshold::HALF, ge);
        prop_assert!(1 <= half && half as f64 <= n);
        let hhi = value("hhi", &d);
        prop_assert!(10000.0 / n - 1e-9 <= hhi && hhi <= 10000.0 + 1e-9, "hhi {hhi}, n {n}");
        let gini = value("gini", &d);
        prop_assert!((0.0..1.0).contains(&gini), "gini {gini}");
        let h = value("entropy=1", &d);
        prop_assert!(h <= n.log2() + 1e-12, "entropy {h}, n {n}");

        let third = nc(&d, Threshold::THIRD, ge);
        let two_thirds = nc(&d, Threshold::TWO_THIRDS, ge);
        prop_assert!(third <= half && half <= two_thirds);

        for t in [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS, Threshold::new(33, 100).unwrap()] {
            let (k_ge, k_gt) = (nc(&d, t, ge), nc(&d, t, gt));
            prop_assert!(k_gt >= k_ge);
            for b in [ge, gt] {
                let c = decisive_coalition(&d, t, b).unwrap();
                prop_assert_eq!(c.len() as u64, nc(&d, t, b));
                prop_assert!(c.iter().all(|s| s.weight > 0.0));
            }
        }

        let mut last = 0.0;
        for k in 1..=(w.len() + 2) {
            let cr = value(&format!("concentration_ratio={k}"), &d);
            prop_assert!(cr >= last && cr <= 1.0 + 1e-12, "cr {k}: {cr} after {last}");
            last = cr;
        }
        prop_assert_eq!(last, 1.0);
    }

    /// Fractional weights take the float path of every metric; the bounds still hold.
    #[test]
    fn fractional_weights(w in prop::collection::vec(0.001f64..1e6, 1..30)) {
        let d = Distribution::from_weights(w.iter().enumerate().map(|(i, &x)| (format!("e{i}"), x))).unwrap();
        let n = d.producers().len() as f64;
        let k = nc(&d, Threshold::HALF, Boundary::AtLeast);
        prop_assert!(1 <= k && k as f64 <= n);
        let hhi = value("hhi", &d);
        prop_assert!(10000.0 / n * (1.0 - 1e-9) <= hhi && hhi <= 10000.0 * (1.0 + 1e-12));
        let gini = value("gini", &d);
        prop_assert!((-1e-12..1.0).contains(&gini));
        prop_assert_eq!(nc(&d, Threshold::new(1, 1).unwrap(), Boundary::AtLeast) as f64, n);
    }
}

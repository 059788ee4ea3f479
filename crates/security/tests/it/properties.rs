//! Invariants: coalition size is monotone in the threshold; SPOF ⇔ coalition of size 1.

use powermap_model::{Boundary, Distribution, Layer, Threshold};
use powermap_security::{coalition_for, FailureMode, Property, SecurityModels};
use proptest::prelude::*;

fn weights() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(0u32..50, 1..12)
}

fn dist(w: &[u32]) -> Distribution {
    Distribution::from_weights(
        w.iter()
            .enumerate()
            .map(|(i, &w)| (format!("e{i}"), w as f64)),
    )
    .unwrap()
}

fn mode(t: Threshold, b: Boundary) -> FailureMode {
    FailureMode {
        network: "*".into(),
        layer: Layer::Consensus,
        id: "m".into(),
        threshold: t,
        boundary: b,
        property: Property::Liveness,
        citation: "https://example.org".into(),
        why: "test".into(),
        assumption: None,
        origin: "test".into(),
    }
}

proptest! {
    #[test]
    fn size_is_monotone_in_threshold(
        w in weights(),
        (n1, n2, den) in (1u64..=60).prop_flat_map(|den| (1..=den, 1..=den, Just(den))),
        strict in any::<bool>(),
    ) {
        let d = dist(&w);
        let b = if strict { Boundary::Greater } else { Boundary::AtLeast };
        let (lo, hi) = (n1.min(n2), n1.max(n2));
        let small = coalition_for("x", &mode(Threshold::new(lo, den).unwrap(), b), &d, None);
        let large = coalition_for("x", &mode(Threshold::new(hi, den).unwrap(), b), &d, None);
        match (small.size, large.size) {
            (Some(s), Some(l)) => prop_assert!(s <= l),
            (None, Some(_)) => prop_assert!(false, "lower threshold unreachable, higher reachable"),
            _ => {}
        }
        // The strict boundary never needs fewer members than `≥`.
        let ge = coalition_for("x", &mode(Threshold::new(lo, den).unwrap(), Boundary::AtLeast), &d, None);
        let gt = coalition_for("x", &mode(Threshold::new(lo, den).unwrap(), Boundary::Greater), &d, None);
        if let (Some(a), Some(b)) = (ge.size, gt.size) { prop_assert!(a <= b); }
        // Members are the heaviest first and their shares add up to `share`.
        let sum: f64 = small.members.iter().map(|m| m.1).sum();
        prop_assert!((sum - small.share).abs() < 1e-9);
    }

    #[test]
    fn spof_iff_coalition_of_one(
        w in weights(),
        net in prop::sample::select(vec!["bitcoin", "ethereum", "solana", "cosmoshub", "uniswap", "sui"]),
        layer in prop::sample::select(Layer::ALL.to_vec()),
    ) {
        let m = SecurityModels::builtin();
        let d = dist(&w);
        let coalitions = m.coalitions(net, layer, &d, None);
        let spofs = m.spofs(net, layer, &d, None);
        for c in &coalitions {
            let listed: Vec<&str> = spofs
                .iter()
                .filter(|s| s.crossed.iter().any(|x| x.failure_mode == c.failure_mode))
                .map(|s| s.entity.as_str())
                .collect();
            prop_assert_eq!(c.size == Some(1), !listed.is_empty(), "{}", c.failure_mode);
            if c.size == Some(1) {
                // The coalition's single member is the heaviest SPOF for that mode.
                prop_assert_eq!(listed[0], c.members[0].0.as_str());
            }
        }
    }
}

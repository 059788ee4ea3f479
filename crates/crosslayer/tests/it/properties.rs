//! Properties on small random instances, checked against brute force.

use powermap_crosslayer::{Boundary, DependencyModel, Kind, Owners, Query, Row, Threshold};
use proptest::prelude::*;

const KINDS: [Kind; 3] = [Kind::Operator, Kind::Client, Kind::Provider];

/// Per unit: weight and, per kind, up to two (org 0..3, fraction numerator over 10) parts.
type UnitSpec = (u32, Vec<Vec<(usize, u32)>>);

fn unit_spec() -> impl Strategy<Value = UnitSpec> {
    (
        1u32..=20,
        prop::collection::vec(
            prop::collection::vec((0usize..3, 1u32..=10), 0..=2),
            KINDS.len(),
        ),
    )
}

fn instance() -> impl Strategy<Value = (Vec<UnitSpec>, bool, u64, u64, bool)> {
    (
        prop::collection::vec(unit_spec(), 1..=7),
        any::<bool>(),
        1u64..=12,
        1u64..=12,
        any::<bool>(),
    )
}

/// Rows from the spec: fractions within a kind are cut so they add up to at most 1; with
/// `merge`, operator `k0` and provider `k0` are one owner `K`.
fn build(units: &[UnitSpec], merge: bool) -> DependencyModel {
    let mut rows = Vec::new();
    for (i, (w, per_kind)) in units.iter().enumerate() {
        let id = format!("u{i}");
        rows.push(Row::bare(id.clone(), *w as f64));
        for (kind, parts) in KINDS.iter().zip(per_kind) {
            let mut left = 10u32;
            for &(org, tenths) in parts {
                let f = tenths.min(left);
                if f == 0 {
                    break;
                }
                left -= f;
                let name = format!("{}{org}", &kind.id()[..1]);
                rows.push(Row::new(
                    id.clone(),
                    *w as f64,
                    kind.clone(),
                    name,
                    f as f64 / 10.0,
                ));
            }
        }
    }
    let mut owners = Owners::new();
    if merge {
        owners.merge(Kind::Operator, "o0", "K").unwrap();
        owners.merge(Kind::Provider, "p0", "K").unwrap();
    }
    DependencyModel::from_rows(rows, &owners).unwrap()
}

fn threshold(a: u64, b: u64) -> Threshold {
    Threshold::new(a.min(b), a.max(b)).unwrap()
}

fn reached(
    m: &DependencyModel,
    set: &[usize],
    kinds: Option<&[Kind]>,
    t: Threshold,
    b: Boundary,
) -> bool {
    t.reached(
        m.coverage(set, kinds),
        m.total_weight(),
        m.is_exact_arithmetic(),
        b,
    )
}

/// The smallest reaching subset size, by enumerating every subset.
fn brute_force(
    m: &DependencyModel,
    kinds: Option<&[Kind]>,
    t: Threshold,
    b: Boundary,
) -> Option<usize> {
    let n = m.organisations().len();
    let mut best: Option<usize> = None;
    for mask in 1u32..(1 << n) {
        let size = mask.count_ones() as usize;
        if best.is_some_and(|b| size >= b) {
            continue;
        }
        let set: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        if reached(m, &set, kinds, t, b) {
            best = Some(size);
        }
    }
    best
}

fn boundary(greater: bool) -> Boundary {
    if greater {
        Boundary::Greater
    } else {
        Boundary::AtLeast
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_equals_brute_force((units, merge, a, c, gt) in instance()) {
        let m = build(&units, merge);
        let (t, b) = (threshold(a, c), boundary(gt));
        let r = m.coefficient(t, b);
        prop_assert!(r.is_exact());
        prop_assert_eq!(r.size(), brute_force(&m, None, t, b));
        if let Some(c) = &r.coalition {
            prop_assert!(reached(&m, &c.organisations(), None, t, b));
            let sum: f64 = c.members.iter().map(|x| x.marginal).sum();
            prop_assert!((sum - c.share).abs() < 1e-9);
            for x in &c.members {
                prop_assert!(x.marginal <= x.standalone + 1e-12);
                prop_assert!(x.unique <= x.standalone + 1e-12);
            }
        }
        // Restricted to two kinds as well.
        let kinds = [Kind::Client, Kind::Provider];
        let r = m.coefficient_in(&kinds, t, b);
        prop_assert_eq!(r.size(), brute_force(&m, Some(&kinds), t, b));
    }

    #[test]
    fn exact_at_most_greedy_and_at_most_every_single_layer((units, merge, a, c, gt) in instance()) {
        let m = build(&units, merge);
        let (t, b) = (threshold(a, c), boundary(gt));
        let r = m.coefficient(t, b);
        match (r.size(), r.greedy_size()) {
            (Some(s), Some(g)) => prop_assert!(s <= g),
            (None, None) => {}
            other => prop_assert!(false, "exact and greedy disagree on reachability: {:?}", other),
        }
        if let Some(g) = &r.greedy {
            prop_assert!(reached(&m, &g.organisations(), None, t, b));
        }
        for single in m.per_kind(t, b) {
            if let Some(s) = single.size() {
                prop_assert!(r.size().is_some_and(|x| x <= s), "{} vs {}", r.statement(), single.statement());
            }
        }
    }

    #[test]
    fn coverage_is_monotone_and_submodular(
        (units, merge, _, _, _) in instance(),
        small in any::<u32>(),
        extra in any::<u32>(),
        j in 0usize..32,
    ) {
        let m = build(&units, merge);
        let n = m.organisations().len();
        prop_assume!(n > 0);
        let j = j % n;
        let c: Vec<usize> = (0..n).filter(|i| small & (1 << i) != 0).collect();
        let d: Vec<usize> = (0..n).filter(|i| (small | extra) & (1 << i) != 0).collect();
        let with = |s: &[usize]| { let mut s = s.to_vec(); s.push(j); s };
        let f = |s: &[usize]| m.coverage(s, None);
        // Adding an organisation never lowers coverage (exactly, not just up to rounding).
        prop_assert!(f(&with(&c)) >= f(&c));
        prop_assert!(f(&d) >= f(&c));
        // Diminishing returns: j adds at least as much to C as to its superset D.
        prop_assert!(f(&with(&c)) - f(&c) >= f(&with(&d)) - f(&d) - 1e-9);
        prop_assert!(f(&(0..n).collect::<Vec<_>>()) <= m.total_weight() + 1e-9);
    }

    #[test]
    fn bounded_results_bracket_the_truth((units, merge, a, c, gt) in instance(), budget in 1u64..4) {
        let m = build(&units, merge);
        let (t, b) = (threshold(a, c), boundary(gt));
        let r = m.solve(&Query::new(t, b).node_budget(budget));
        let truth = brute_force(&m, None, t, b);
        match (r.bounds(), truth) {
            (Some((lo, hi)), Some(x)) => prop_assert!(lo <= x && x <= hi, "{lo} {x} {hi}"),
            (None, None) => {}
            other => prop_assert!(false, "{:?}", other),
        }
        if r.is_exact() {
            prop_assert_eq!(r.size(), truth);
        } else {
            prop_assert!(r.nodes <= budget);
            prop_assert!(r.statement().contains("upper bound"));
        }
    }
}

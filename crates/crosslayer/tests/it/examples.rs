//! Small worked examples: owners, fractions, boundaries, greedy vs exact, budgets, errors.

use powermap_crosslayer::{
    Boundary, CrossLayerError, DependencyModel, Exactness, Kind, Owners, Query, Row, Threshold,
};

fn model(rows: Vec<Row>) -> DependencyModel {
    DependencyModel::from_rows(rows, &Owners::new()).unwrap()
}

fn coinbase_rows() -> Vec<Row> {
    vec![
        Row::new("a", 30.0, Kind::Operator, "Coinbase", 1.0),
        Row::new("a", 30.0, Kind::Provider, "Coinbase Cloud", 1.0),
        Row::new("b", 25.0, Kind::Operator, "Kiln", 1.0),
        Row::new("b", 25.0, Kind::Provider, "Coinbase Cloud", 1.0),
        Row::new("c", 25.0, Kind::Operator, "Coinbase", 1.0),
        Row::new("c", 25.0, Kind::Provider, "AWS", 1.0),
        Row::new("d", 20.0, Kind::Operator, "Lido", 1.0),
        Row::new("d", 20.0, Kind::Provider, "AWS", 1.0),
    ]
}

#[test]
fn owners_merge_organisations_across_kinds() {
    let t = Threshold::new(3, 4).unwrap();
    let plain = model(coinbase_rows());
    let r = plain.coefficient(t, Boundary::AtLeast);
    assert_eq!(r.size(), Some(2));

    let mut owners = Owners::new();
    owners
        .merge(Kind::Operator, "Coinbase", "Coinbase")
        .unwrap()
        .merge(Kind::Provider, "Coinbase Cloud", "Coinbase")
        .unwrap();
    let merged = DependencyModel::from_rows(coinbase_rows(), &owners).unwrap();
    let r = merged.coefficient(t, Boundary::AtLeast);
    assert_eq!(r.size(), Some(1));
    let c = r.coalition.as_ref().unwrap();
    assert_eq!(c.members[0].label(), "Coinbase (operator+provider)");
    assert_eq!(
        c.members[0].aliases,
        [
            (Kind::Operator, "Coinbase".to_string()),
            (Kind::Provider, "Coinbase Cloud".to_string())
        ]
    );
    // Unit a depends on Coinbase twice (operator and provider): taken once, not twice.
    assert_eq!(c.share, 0.8);
    let i = merged.find(&Kind::Provider, "Coinbase Cloud").unwrap();
    assert_eq!(merged.organisations()[i].name, "Coinbase");
    assert!(merged.organisations()[i].merged);
    assert_eq!(merged.coverage(&[i], None), 80.0);
    // Restricted to providers, the merged organisation only brings its provider part.
    assert_eq!(merged.coverage(&[i], Some(&[Kind::Provider])), 55.0);
    // A second, different owner for the same pair is an error.
    assert!(matches!(
        owners.merge(Kind::Operator, "Coinbase", "Other"),
        Err(CrossLayerError::ConflictingOwner { .. })
    ));
}

#[test]
fn fractions_of_a_client_mix_add_up_within_a_unit() {
    let m = model(vec![
        Row::new("E1", 100.0, Kind::Operator, "E1", 1.0),
        Row::new("E1", 100.0, Kind::Client, "prysm", 0.5),
        Row::new("E1", 100.0, Kind::Client, "lighthouse", 0.25),
        Row::new("E1", 100.0, Kind::Client, "teku", 0.25),
        Row::new("E2", 100.0, Kind::Operator, "E2", 1.0),
        Row::new("E2", 100.0, Kind::Client, "prysm", 0.25),
        Row::new("E2", 100.0, Kind::Client, "lighthouse", 0.75),
        Row::bare("unlabelled", 100.0),
    ]);
    let id = |k: Kind, n: &str| m.find(&k, n).unwrap();
    let (prysm, lh, e1) = (
        id(Kind::Client, "prysm"),
        id(Kind::Client, "lighthouse"),
        id(Kind::Operator, "E1"),
    );
    assert_eq!(m.coverage(&[prysm], None), 75.0);
    assert_eq!(m.coverage(&[prysm, lh], None), 175.0);
    // E1 is taken whole; prysm adds only its E2 part; capped at the unit's weight.
    assert_eq!(m.coverage(&[e1, prysm, lh], None), 200.0);
    // The unlabelled third depends on nobody: 2/3 is the most anyone reaches.
    let r = m.coefficient(Threshold::TWO_THIRDS, Boundary::AtLeast);
    assert_eq!(r.size(), Some(2));
    let r = m.coefficient(Threshold::TWO_THIRDS, Boundary::Greater);
    assert_eq!(r.size(), None);
    assert!(r.is_exact());
    assert_eq!(
        r.statement(),
        "no set of organisations (operator, client) touches weight > 2/3: all together touch 66.7 %"
    );
}

#[test]
fn exact_ties_respect_the_boundary() {
    let m = model(vec![
        Row::new("a", 1.0, Kind::Operator, "A", 1.0),
        Row::new("b", 1.0, Kind::Operator, "B", 1.0),
        Row::new("c", 1.0, Kind::Operator, "C", 1.0),
    ]);
    assert!(m.is_exact_arithmetic());
    let ge = m.coefficient(Threshold::THIRD, Boundary::AtLeast);
    let gt = m.coefficient(Threshold::THIRD, Boundary::Greater);
    assert_eq!((ge.size(), gt.size()), (Some(1), Some(2)));
    // Ties between equal organisations break by name.
    assert_eq!(ge.coalition.unwrap().names(), ["A"]);
    assert_eq!(gt.coalition.unwrap().names(), ["A", "B"]);
    let one = m.coefficient(Threshold::new(1, 1).unwrap(), Boundary::Greater);
    assert_eq!(one.size(), None);
}

/// The classic instance where greedy takes the big organisation first and needs three.
fn greedy_trap() -> DependencyModel {
    model(vec![
        Row::new("a", 6.0, Kind::Provider, "Big", 1.0),
        Row::new("a", 6.0, Kind::Client, "L", 1.0),
        Row::new("b", 5.0, Kind::Client, "L", 1.0),
        Row::new("c", 6.0, Kind::Provider, "Big", 1.0),
        Row::new("c", 6.0, Kind::Client, "R", 1.0),
        Row::new("d", 5.0, Kind::Client, "R", 1.0),
    ])
}

#[test]
fn exact_beats_greedy() {
    let m = greedy_trap();
    let q = Query::new(Threshold::new(1, 1).unwrap(), Boundary::AtLeast).noun("stake");
    let r = m.solve(&q);
    assert!(r.is_exact());
    assert_eq!(r.coalition.as_ref().unwrap().names(), ["L", "R"]);
    assert_eq!(r.greedy.as_ref().unwrap().names(), ["Big", "L", "R"]);
    let g = m.greedy(&q).unwrap();
    assert_eq!(g.size(), 3);
    // Members: standalone, marginal (in listing order) and unique shares.
    let big = &r.greedy.as_ref().unwrap().members[0];
    assert_eq!(
        (big.standalone, big.marginal, big.unique),
        (12.0 / 22.0, 12.0 / 22.0, 0.0)
    );
}

#[test]
fn budget_exhaustion_is_flagged_with_bounds() {
    let m = greedy_trap();
    let q = Query::new(Threshold::new(1, 1).unwrap(), Boundary::AtLeast)
        .node_budget(1)
        .noun("stake")
        .label("finalize anything");
    let r = m.solve(&q);
    assert_eq!(r.exactness, Exactness::UpperBound { lower: 2 });
    assert_eq!(r.bounds(), Some((2, 3)));
    assert_eq!(
        r.statement(),
        "3 organisations — Big (provider), L (client), R (client) — together touch 100.0 % of \
         stake ≥ 1/1: finalize anything (upper bound: exact search stopped after 1 node; \
         coefficient 2 to 3)"
    );
}

#[test]
fn per_combination_lists_every_subset_of_kinds() {
    let m = greedy_trap();
    let rs = m.per_combination(&Query::new(
        Threshold::new(1, 1).unwrap(),
        Boundary::AtLeast,
    ));
    let kinds: Vec<Vec<Kind>> = rs.iter().map(|r| r.kinds.clone()).collect();
    assert_eq!(
        kinds,
        [
            vec![Kind::Client],
            vec![Kind::Provider],
            vec![Kind::Client, Kind::Provider]
        ]
    );
    let sizes: Vec<Option<usize>> = rs.iter().map(|r| r.size()).collect();
    assert_eq!(sizes, [Some(2), None, Some(2)]);
}

#[test]
fn empty_model_reaches_nothing() {
    let m = model(vec![]);
    let r = m.coefficient(Threshold::THIRD, Boundary::AtLeast);
    assert_eq!((r.size(), r.max_share, r.organisations), (None, 0.0, 0));
}

#[test]
fn bad_rows_are_errors() {
    let err = |rows: Vec<Row>| DependencyModel::from_rows(rows, &Owners::new()).unwrap_err();
    assert!(matches!(
        err(vec![Row::bare("a", 1.0), Row::bare("a", 2.0)]),
        CrossLayerError::InconsistentWeight { .. }
    ));
    assert!(matches!(
        err(vec![Row::bare("a", -1.0)]),
        CrossLayerError::BadWeight { .. }
    ));
    assert!(matches!(
        err(vec![Row::bare("a", f64::NAN)]),
        CrossLayerError::BadWeight { .. }
    ));
    assert!(matches!(
        err(vec![Row::new("a", 1.0, Kind::Client, "x", 0.0)]),
        CrossLayerError::BadFraction { .. }
    ));
    assert!(matches!(
        err(vec![Row::new("a", 1.0, Kind::Client, "x", 1.5)]),
        CrossLayerError::BadFraction { .. }
    ));
    assert!(matches!(
        err(vec![
            Row::new("a", 1.0, Kind::Client, "x", 0.75),
            Row::new("a", 1.0, Kind::Client, "y", 0.5),
        ]),
        CrossLayerError::KindOverfull { .. }
    ));
    assert!(matches!(
        err(vec![Row::new("a", 1.0, Kind::Client, "", 1.0)]),
        CrossLayerError::EmptyName { .. }
    ));
    assert!(matches!(
        err(vec![Row::bare("", 1.0)]),
        CrossLayerError::EmptyName { .. }
    ));
    let e = err(vec![
        Row::new("v", 1.0, Kind::Client, "x", 0.75),
        Row::new("v", 1.0, Kind::Client, "x", 0.5),
    ]);
    assert_eq!(
        e.to_string(),
        "unit `v`: client fractions add up to 1.25 > 1 (parts within one kind are disjoint)"
    );
}

//! Ethereum on the latest date of the Rated files (2024-02-03): 41 staking entities with
//! their consensus-client mix, plus the unlabelled third as one unit that no organisation
//! can take out. Ethereum's models: `halt_finality` > 1/3, `control_head` > 1/2,
//! `finalize_invalid` ≥ 2/3 (Gasper, `registry/security-models.toml`).
//!
//! Because the unlabelled remainder (33.3 % of validators) depends on nobody here, every
//! coefficient below is an **upper bound**: solo stakers run clients too, so a client
//! touches more than its labelled part.

use powermap_crosslayer::{Boundary, CrossLayerResult, DependencyModel, Kind, Query, Threshold};

use crate::data::ethereum;

fn solve(m: &DependencyModel, kinds: &[Kind], t: Threshold, b: Boundary) -> CrossLayerResult {
    m.solve(
        &Query::new(t, b)
            .kinds(kinds.iter().cloned())
            .noun("validators"),
    )
}

fn names(r: &CrossLayerResult) -> Vec<&str> {
    r.coalition.as_ref().unwrap().names()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-4
}

const BOTH: [Kind; 2] = [Kind::Operator, Kind::Client];

#[test]
fn the_data() {
    let (date, m) = ethereum();
    assert_eq!(date, "2024-02-03");
    assert_eq!(m.unit_count(), 42);
    assert_eq!(m.kinds(), BOTH.to_vec());
    let unlabelled = m.units().find(|(id, _)| *id == "unlabelled").unwrap().1;
    assert!(close(unlabelled / m.total_weight(), 1.0 - 0.6672));
    assert_eq!(m.dependencies_of("unlabelled").unwrap().len(), 0);
    // Lido: operator Lido (1) and a client mix adding up to 1.
    let lido = m.dependencies_of("Lido").unwrap();
    let clients: f64 = lido
        .iter()
        .filter(|(_, k, _)| **k == Kind::Client)
        .map(|d| d.2)
        .sum();
    assert!(close(clients, 1.0));
    // Nobody reaches more than the labelled 66.72 %.
    let r = m.coefficient(Threshold::TWO_THIRDS, Boundary::AtLeast);
    assert!(close(r.max_share, 0.6672));
}

#[test]
fn halt_finality_more_than_a_third() {
    let (_, m) = ethereum();
    let t = Threshold::THIRD;
    let op = solve(&m, &[Kind::Operator], t, Boundary::Greater);
    assert_eq!(names(&op), ["Lido", "Coinbase"]);
    assert!(close(op.share(), 0.468));
    let cl = solve(&m, &[Kind::Client], t, Boundary::Greater);
    assert_eq!(names(&cl), ["Prysm", "Lighthouse"]);
    assert!(close(cl.share(), 0.483));
    let both = solve(&m, &BOTH, t, Boundary::Greater);
    assert!(both.is_exact());
    assert_eq!(both.size(), Some(2));
}

#[test]
fn control_head_more_than_half() {
    let (_, m) = ethereum();
    let t = Threshold::HALF;
    assert_eq!(
        solve(&m, &[Kind::Operator], t, Boundary::Greater).size(),
        Some(3)
    );
    assert_eq!(
        solve(&m, &[Kind::Client], t, Boundary::Greater).size(),
        Some(3)
    );
    let r = solve(&m, &BOTH, t, Boundary::Greater);
    assert!(r.is_exact());
    assert_eq!(names(&r), ["Lido", "Coinbase", "Prysm"]);
    assert!(close(r.share(), 0.542));
    let prysm = &r.coalition.as_ref().unwrap().members[2];
    // Prysm alone runs 25.6 % of all validators; outside Lido and Coinbase it adds 7.4 %.
    assert!(close(prysm.standalone, 0.2562) && close(prysm.marginal, 0.0743));
    assert_eq!(
        r.statement(),
        "3 organisations — Lido (operator), Coinbase (operator), Prysm (client) — together \
         touch 54.2 % of validators > 1/2"
    );
}

#[test]
fn finalize_invalid_two_thirds_greedy_is_not_optimal() {
    let (_, m) = ethereum();
    let t = Threshold::TWO_THIRDS;
    assert_eq!(
        solve(&m, &[Kind::Operator], t, Boundary::AtLeast).size(),
        Some(34)
    );
    assert_eq!(
        solve(&m, &[Kind::Client], t, Boundary::AtLeast).size(),
        Some(5)
    );
    let r = solve(&m, &BOTH, t, Boundary::AtLeast);
    assert!(r.is_exact());
    assert_eq!(names(&r), ["Lido", "Prysm", "Lighthouse", "Teku", "Nimbus"]);
    assert_eq!(r.greedy_size(), Some(6));
}

#[test]
fn at_55_percent_greedy_overshoots() {
    let (_, m) = ethereum();
    let t = Threshold::new(11, 20).unwrap();
    let r = solve(&m, &BOTH, t, Boundary::AtLeast);
    assert!(r.is_exact());
    assert_eq!(names(&r), ["Lido", "Prysm", "Lighthouse"]);
    assert!(close(r.share(), 0.594));
    assert_eq!(r.greedy_size(), Some(4));
    assert_eq!(
        solve(&m, &[Kind::Operator], t, Boundary::AtLeast).size(),
        Some(5)
    );
    assert_eq!(
        solve(&m, &[Kind::Client], t, Boundary::AtLeast).size(),
        Some(3)
    );
}

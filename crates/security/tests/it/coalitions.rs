//! Decisive coalitions and single points of failure on hand-built distributions, at the
//! exact boundaries.

use chrono::NaiveDate;
use powermap_model::{Analysis, Distribution, Layer, Provenance, Window, WindowResult};
use powermap_security::{
    decisive_coalitions, decisive_coalitions_in, single_points_of_failure, CoalitionResult,
    SecurityModels,
};

fn dist(w: &[(&str, f64)]) -> Distribution {
    Distribution::from_weights(w.iter().map(|&(n, w)| (n, w))).unwrap()
}

fn find<'a>(r: &'a [CoalitionResult], id: &str) -> &'a CoalitionResult {
    r.iter().find(|c| c.failure_mode == id).unwrap()
}

fn names(c: &CoalitionResult) -> Vec<&str> {
    c.members.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn ethereum_needs_strictly_more_than_a_third_to_halt() {
    let m = SecurityModels::builtin();
    // Exactly 1/3: Gasper still justifies with the other 2/3 (≥ 2/3), so one is not enough.
    let d = dist(&[("lido", 1.0), ("coinbase", 1.0), ("kraken", 1.0)]);
    let r = m.coalitions("ethereum", Layer::Consensus, &d, None);
    let halt = find(&r, "halt_finality");
    assert_eq!(halt.size, Some(2));
    assert_eq!(names(halt), ["coinbase", "kraken"]); // ties sorted by name
                                                     // finalize_invalid is ≥ 2/3: two of three reach it exactly.
    assert_eq!(find(&r, "finalize_invalid").size, Some(2));
    assert_eq!(find(&r, "control_head").size, Some(2));
    assert!(m.spofs("ethereum", Layer::Consensus, &d, None).is_empty());
}

#[test]
fn cometbft_halts_at_exactly_a_third() {
    let m = SecurityModels::builtin();
    // Exactly 1/3: the other 2/3 are not "more than 2/3", so the chain halts.
    let d = dist(&[("a", 1.0), ("b", 1.0), ("c", 1.0)]);
    let r = m.coalitions("cosmoshub", Layer::Consensus, &d, None);
    let halt = find(&r, "halt_finality");
    assert_eq!((halt.size, names(halt)), (Some(1), vec!["a"]));
    assert!((halt.share - 1.0 / 3.0).abs() < 1e-12);
    // Commit anything needs > 2/3: all three.
    assert_eq!(find(&r, "finalize_invalid").size, Some(3));
    // Every one of the three is a SPOF for halt_finality, none for safety.
    let s = m.spofs("cosmoshub", Layer::Consensus, &d, None);
    assert_eq!(s.len(), 3);
    assert!(s.iter().all(|s| s.breaks_liveness() && !s.breaks_safety()));
}

#[test]
fn bitcoin_majority_is_strict_and_selfish_mining_bounds_apply() {
    let m = SecurityModels::builtin();
    let d = dist(&[("foundry", 50.0), ("antpool", 26.0), ("viabtc", 24.0)]);
    let r = m.coalitions("bitcoin", Layer::Consensus, &d, None);
    // 50 % is not > 1/2.
    assert_eq!(names(find(&r, "double_spend")), ["foundry", "antpool"]);
    assert_eq!(find(&r, "selfish_mining").size, Some(1));
    let s = m.spofs("bitcoin", Layer::Consensus, &d, None);
    let ids = |i: usize| -> Vec<&str> {
        s[i].crossed
            .iter()
            .map(|c| c.failure_mode.as_str())
            .collect()
    };
    assert_eq!(s[0].entity, "foundry");
    assert_eq!(ids(0), ["selfish_mining", "selfish_mining_no_network"]);
    // 26 % > 1/4 crosses the γ = 1/2 bound; 24 % does not.
    assert_eq!(
        (s[1].entity.as_str(), ids(1)),
        ("antpool", vec!["selfish_mining"])
    );
    assert_eq!(s.len(), 2);
}

#[test]
fn a_client_at_35_percent_is_a_single_point_of_failure() {
    let m = SecurityModels::builtin();
    let d = dist(&[("prysm", 35.0), ("lighthouse", 34.0), ("teku", 31.0)]);
    let s = m.spofs("ethereum", Layer::Software, &d, None);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].entity, "prysm");
    assert!((s[0].share - 0.35).abs() < 1e-12);
    assert_eq!(s[0].crossed.len(), 1);
    assert_eq!(s[0].crossed[0].failure_mode, "halt_finality");
    assert!(s[0].crossed[0].citation.contains("clientdiversity.org"));
}

#[test]
fn governance_quorum_on_total_supply() {
    let m = SecurityModels::builtin();
    // 4 % of supply exactly passes an unopposed proposal in Uniswap (forVotes ≥ quorum).
    let d = dist(&[("a16z", 4.0), ("rest", 96.0)]);
    let r = m.coalitions("uniswap", Layer::Governance, &d, None);
    assert_eq!(names(find(&r, "pass_unopposed")), ["rest"]);
    let d = dist(&[("a16z", 4.0), ("r1", 3.0), ("r2", 3.0), ("r3", 90.0)]);
    let s = m.spofs("uniswap", Layer::Governance, &d, None);
    assert_eq!(
        s.iter().map(|s| s.entity.as_str()).collect::<Vec<_>>(),
        ["r3", "a16z"]
    );
}

#[test]
fn unreachable_and_empty() {
    let m = SecurityModels::builtin();
    let r = m.coalitions("ethereum", Layer::Consensus, &Distribution::default(), None);
    assert_eq!(r.len(), 3);
    assert!(r
        .iter()
        .all(|c| c.size.is_none() && c.members.is_empty() && c.share == 0.0));
    assert!(r[0].statement().contains("not reachable"));
    assert!(m
        .coalitions("ethereum", Layer::Wealth, &dist(&[("a", 1.0)]), None)
        .is_empty());
}

fn analysis() -> Analysis {
    let day = |d: u32| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
    let w = |a, b, weights: &[(&str, f64)]| WindowResult {
        window: Window::days(day(a), day(b)),
        distribution: dist(weights),
        values: vec![],
    };
    Analysis {
        network: "ethereum:clientdiversity".into(),
        layer: Layer::Software,
        clustering: false,
        metrics: vec![],
        windows: vec![
            w(1, 10, &[("prysm", 70.0), ("lighthouse", 30.0)]),
            w(
                11,
                20,
                &[("prysm", 30.0), ("lighthouse", 30.0), ("teku", 40.0)],
            ),
        ],
        provenance: Provenance::default(),
    }
}

#[test]
fn analysis_latest_and_any_window() {
    let a = analysis();
    let latest = decisive_coalitions(&a);
    assert_eq!(latest.len(), 2);
    let halt = find(&latest, "halt_finality");
    assert_eq!(names(halt), ["teku"]);
    assert_eq!(
        halt.window.as_ref().unwrap().end,
        NaiveDate::from_ymd_opt(2025, 1, 20).unwrap()
    );
    assert_eq!(halt.network, "ethereum:clientdiversity");
    assert!(
        halt.statement()
            .starts_with("halt_finality (liveness, > 1/3): 1 entity holds 40.0 %: teku 40.0 % — "),
        "{}",
        halt.statement()
    );

    let first = decisive_coalitions_in(&a, 0);
    let inv = find(&first, "finalize_invalid");
    assert_eq!((inv.size, names(inv)), (Some(1), vec!["prysm"]));
    assert!(decisive_coalitions_in(&a, 9).is_empty());

    let s = single_points_of_failure(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].entity, "teku");
    let s0 = SecurityModels::builtin().single_points_of_failure_in(&a, 0);
    assert_eq!(s0[0].entity, "prysm");
    assert!(s0[0].breaks_safety() && s0[0].breaks_liveness());
}

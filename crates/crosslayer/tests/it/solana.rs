//! Solana epoch 860 (validators.app via the Alpenglow repo): per-kind and multi-layer
//! coefficients, pinned. Solana's models: `halt_finality` ≥ 1/3, `finalize_invalid` > 2/3
//! (`registry/security-models.toml`); 2/3 is pinned with `≥` as well, like the per-layer
//! Nakamoto coefficients of `powermap analyze`.

use powermap_crosslayer::{Boundary, CrossLayerResult, DependencyModel, Kind, Query, Threshold};

use crate::data::solana;

const OP: Kind = Kind::Operator;
const CL: Kind = Kind::Client;
const PR: Kind = Kind::Provider;
const CO: Kind = Kind::Country;

fn at(m: &DependencyModel, kinds: &[Kind], t: Threshold) -> CrossLayerResult {
    m.solve(
        &Query::new(t, Boundary::AtLeast)
            .kinds(kinds.iter().cloned())
            .noun("stake"),
    )
}

fn labels(r: &CrossLayerResult) -> Vec<String> {
    r.coalition
        .as_ref()
        .unwrap()
        .members
        .iter()
        .map(|m| m.label())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-4
}

#[test]
fn the_data() {
    let m = solana();
    assert_eq!(m.unit_count(), 963);
    assert!(
        (m.total_weight() / 1e6 - 414.49).abs() < 0.01,
        "{}",
        m.total_weight()
    );
    assert_eq!(m.kinds(), vec![OP, CL, PR, CO]);
    assert!(!m.is_exact_arithmetic()); // SOL with 9 decimals
                                       // 829 named operators + 134 unnamed vote accounts; 4 clients; 98 ASNs; 39 countries.
    let per: Vec<usize> = [OP, CL, PR, CO]
        .iter()
        .map(|k| {
            m.organisations()
                .iter()
                .filter(|o| o.kinds == [k.clone()])
                .count()
        })
        .collect();
    assert_eq!(per, [963, 4, 98, 39]);
}

#[test]
fn per_kind_coefficients() {
    let m = solana();
    let sizes = |t| -> Vec<(usize, f64)> {
        m.per_kind(t, Boundary::AtLeast)
            .iter()
            .map(|r| {
                assert!(r.is_exact());
                (r.size().unwrap(), r.share())
            })
            .collect()
    };
    let third = sizes(Threshold::THIRD);
    let expect = [(20, 0.337), (1, 0.706), (2, 0.435), (2, 0.474)];
    for (got, want) in third.iter().zip(expect) {
        assert_eq!(got.0, want.0, "{third:?}");
        assert!(close(got.1, want.1), "{third:?}");
    }
    let two_thirds = sizes(Threshold::TWO_THIRDS);
    let expect = [(88, 0.668), (1, 0.706), (8, 0.671), (4, 0.725)];
    for (got, want) in two_thirds.iter().zip(expect) {
        assert_eq!(got.0, want.0, "{two_thirds:?}");
        assert!(close(got.1, want.1), "{two_thirds:?}");
    }
}

#[test]
fn multi_layer_coefficients() {
    let m = solana();
    let t3 = Threshold::THIRD;
    let t23 = Threshold::TWO_THIRDS;

    let r = at(&m, &[PR, CO], t3);
    assert_eq!(labels(&r), ["DE (country)", "NL (country)"]);
    assert!(close(r.share(), 0.474));
    let r = at(&m, &[PR, CO], t23);
    assert_eq!(
        labels(&r),
        [
            "DE (country)",
            "NL (country)",
            "US (country)",
            "GB (country)"
        ]
    );
    assert!(close(r.share(), 0.725));

    let r = at(&m, &[OP, PR], t3);
    assert_eq!(labels(&r), ["AS20326 (provider)", "AS396356 (provider)"]);
    assert!(close(r.share(), 0.435));
    let r = at(&m, &[OP, PR], t23);
    assert_eq!(r.size(), Some(8));
    assert!(r
        .coalition
        .as_ref()
        .unwrap()
        .members
        .iter()
        .all(|x| x.kinds == [PR]));

    let r = at(&m, &[OP, PR, CO], t3);
    assert_eq!(r.size(), Some(2));
    let r = at(&m, &[OP, PR, CO], t23);
    assert_eq!(r.size(), Some(4));

    // Every kind: the client supermajority is a single point of failure at both thresholds.
    for t in [t3, t23] {
        let r = m.solve(
            &Query::new(t, Boundary::AtLeast)
                .noun("stake")
                .label("halt finality"),
        );
        assert!(r.is_exact());
        assert_eq!(labels(&r), ["JitoLabs (client)"]);
        assert!(close(r.share(), 0.706));
    }
    let r = m.solve(
        &Query::new(t3, Boundary::AtLeast)
            .noun("stake")
            .label("halt finality"),
    );
    assert_eq!(
        r.statement(),
        "1 organisation — JitoLabs (client) — alone touches 70.6 % of stake ≥ 1/3: halt finality"
    );
}

/// Where mixing kinds pays: 82 % of stake (≥ 41/50) takes 7 countries or 16 providers alone,
/// but 5 countries and 1 provider together.
#[test]
fn cross_layer_beats_every_single_layer_at_82_percent() {
    let m = solana();
    let t = Threshold::new(41, 50).unwrap();
    let single: Vec<usize> = [PR, CO]
        .iter()
        .map(|k| at(&m, std::slice::from_ref(k), t).size().unwrap())
        .collect();
    assert_eq!(single, [16, 7]);
    let r = at(&m, &[PR, CO], t);
    assert!(r.is_exact());
    assert_eq!(
        labels(&r),
        [
            "DE (country)",
            "NL (country)",
            "US (country)",
            "GB (country)",
            "LT (country)",
            "AS20326 (provider)"
        ]
    );
    assert!(close(r.share(), 0.823));
    let c = r.coalition.as_ref().unwrap();
    let hetzner = &c.members[5];
    assert!(
        hetzner.standalone > 0.2 && hetzner.marginal < 0.05,
        "{hetzner:?}"
    );
}

/// {operator, provider} at 99 %: hard enough that a small budget gives up exactness, and
/// says so.
#[test]
fn bounded_result_is_flagged() {
    let m = solana();
    let t = Threshold::new(99, 100).unwrap();
    let r = m.solve(
        &Query::new(t, Boundary::AtLeast)
            .kinds([OP, PR])
            .node_budget(1000)
            .noun("stake"),
    );
    assert!(!r.is_exact());
    assert_eq!(r.bounds(), Some((39, 56)));
    assert_eq!(r.greedy_size(), Some(56));
    assert_eq!(r.nodes, 1000);
    assert!(r
        .statement()
        .ends_with("(upper bound: exact search stopped after 1000 nodes; coefficient 39 to 56)"));
}

#[test]
fn multi_layer_never_exceeds_the_smallest_single_layer() {
    let m = solana();
    for t in [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS] {
        let per_kind: Vec<(Kind, usize)> = m
            .per_kind(t, Boundary::AtLeast)
            .into_iter()
            .map(|r| (r.kinds[0].clone(), r.size().unwrap()))
            .collect();
        for r in m.per_combination(&Query::new(t, Boundary::AtLeast)) {
            assert!(r.is_exact(), "{}", r.statement());
            let min = per_kind
                .iter()
                .filter(|(k, _)| r.kinds.contains(k))
                .map(|(_, s)| *s)
                .min()
                .unwrap();
            assert!(r.size().unwrap() <= min, "{:?}: {}", r.kinds, r.statement());
            assert!(r.size() <= r.greedy_size());
        }
    }
}

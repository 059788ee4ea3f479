//! Property tests: monotone coalitions, caps, index normalisation, exact DP = brute force.

use powermap_governance::coalition::{min_winning_size, on_proposal, smallest_winning};
use powermap_governance::game::{DecisionRule, Turnout, WeightedGame};
use powermap_governance::indices::{brute_force, indices, IndexOptions, Method};
use powermap_governance::mechanism::{weights, Mechanism, MechanismParams};
use powermap_governance::power::PowerTable;
use powermap_governance::rules::QuorumCounts;
use powermap_governance::votes::{Proposal, Support, Vote};
use proptest::prelude::*;

fn table(ws: &[u32]) -> PowerTable {
    PowerTable::from_weights(
        ws.iter()
            .enumerate()
            .map(|(i, w)| (format!("v{i}"), *w as f64)),
    )
}

fn rule(quorum: f64, counts: QuorumCounts) -> DecisionRule {
    DecisionRule {
        quorum,
        counts,
        approval: 0.5,
        strict: true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn winning_size_never_falls_when_quorum_rises(
        ws in prop::collection::vec(1u32..1000, 1..40),
        q1 in 0u32..20_000,
        dq in 0u32..5_000,
        t in 0.0f64..1.0,
    ) {
        let tb = table(&ws);
        for turnout in [Turnout::Full, Turnout::Fraction(t)] {
            let lo = smallest_winning(&tb, &rule(q1 as f64, QuorumCounts::For), turnout).size;
            let hi = smallest_winning(&tb, &rule((q1 + dq) as f64, QuorumCounts::For), turnout).size;
            match (lo, hi) {
                (Some(a), Some(b)) => prop_assert!(b >= a),
                (None, Some(_)) => prop_assert!(false, "higher quorum reachable, lower not"),
                _ => {}
            }
        }
    }

    #[test]
    fn caps_never_raise_the_top_holder(
        ws in prop::collection::vec(1u32..10_000, 1..50),
        cap in 0.001f64..1.0,
    ) {
        let tb = table(&ws);
        let p = MechanismParams { cap, delegation_cap: cap, ..MechanismParams::default() };
        let token = weights(&tb, Mechanism::Token, &p);
        let token_share = token[0] / token.iter().sum::<f64>();
        for m in [Mechanism::Cap, Mechanism::DelegationCap] {
            let capped = weights(&tb, m, &p);
            for (c, t) in capped.iter().zip(&token) {
                prop_assert!(c <= t);
            }
            let top = capped.iter().cloned().fold(0.0, f64::max);
            prop_assert!(top / capped.iter().sum::<f64>() <= token_share + 1e-12);
        }
    }

    #[test]
    fn banzhaf_sums_to_one(
        ws in prop::collection::vec(1u32..500, 1..30),
        frac in 0.05f64..0.95,
        sampled in any::<bool>(),
    ) {
        let w: Vec<f64> = ws.iter().map(|&x| x as f64).collect();
        let total: f64 = w.iter().sum();
        let g = WeightedGame::new(w, frac * total, false);
        let opts = IndexOptions {
            method: if sampled { Method::Sampled } else { Method::Auto },
            samples: 300,
            ..IndexOptions::default()
        };
        let ix = indices(&g, &opts);
        for v in [&ix.banzhaf.values, &ix.shapley_shubik.values] {
            let s: f64 = v.iter().sum();
            prop_assert!(s == 0.0 || (s - 1.0).abs() < 1e-9, "sum {s}");
        }
    }

    #[test]
    fn exact_dp_equals_brute_force(
        ws in prop::collection::vec(0u32..40, 1..8),
        q in 1u32..200,
        strict in any::<bool>(),
    ) {
        let w: Vec<f64> = ws.iter().map(|&x| x as f64).collect();
        let g = WeightedGame::new(w, q as f64, strict);
        let ix = indices(&g, &IndexOptions { method: Method::Exact, ..IndexOptions::default() });
        prop_assert_eq!(ix.banzhaf.method, "exact");
        prop_assert_eq!(ix.shapley_shubik.method, "exact");
        let (raw, ss) = brute_force(&g);
        for i in 0..raw.len() {
            prop_assert!((raw[i] - ix.banzhaf_raw[i]).abs() < 1e-9, "banzhaf {i}: {} vs {}", raw[i], ix.banzhaf_raw[i]);
            prop_assert!((ss[i] - ix.shapley_shubik.values[i]).abs() < 1e-9, "ss {i}: {} vs {}", ss[i], ix.shapley_shubik.values[i]);
        }
    }

    #[test]
    fn greedy_winning_is_minimal(ws in prop::collection::vec(1u32..100, 1..12), q in 1u32..600) {
        let mut w: Vec<f64> = ws.iter().map(|&x| x as f64).collect();
        w.sort_by(|a, b| b.total_cmp(a));
        let g = WeightedGame::new(w.clone(), q as f64, true);
        let n = w.len();
        let best = (0u32..1 << n)
            .filter(|m| g.wins((0..n).filter(|i| m >> i & 1 == 1).map(|i| w[i]).sum()))
            .map(|m| m.count_ones() as usize)
            .min();
        prop_assert_eq!(min_winning_size(&g), best);
    }

    #[test]
    fn proposal_coalitions_match_brute_force(
        votes in prop::collection::vec((1u32..100, 0u8..3), 1..10),
        quorum in 0u32..400,
        counts in 0u8..3,
    ) {
        let p = Proposal {
            key: "2.1".into(),
            governor: "2".into(),
            number: 10,
            label: "Bravo #10".into(),
            votes: {
                let mut v: Vec<Vote> = votes.iter().enumerate().map(|(i, &(w, s))| Vote {
                    voter: format!("v{i}"),
                    support: [Support::For, Support::Against, Support::Abstain][s as usize],
                    votes: w as f64,
                    block: 0,
                    time: String::new(),
                }).collect();
                v.sort_by(|a, b| b.votes.total_cmp(&a.votes).then(a.voter.cmp(&b.voter)));
                v
            },
        };
        let r = rule(quorum as f64, [QuorumCounts::For, QuorumCounts::ForAbstain, QuorumCounts::All][counts as usize]);
        let c = on_proposal(&p, &r);
        let n = p.votes.len();
        let tally = |m: u32, pass: bool| {
            let (mut f, mut a, mut ab) = (0.0, 0.0, 0.0);
            for (i, v) in p.votes.iter().enumerate() {
                let inside = m >> i & 1 == 1;
                let s = if inside {
                    if pass { Support::For } else { Support::Against }
                } else if pass && v.support == Support::For {
                    continue; // other supporters stay home
                } else {
                    v.support
                };
                match s {
                    Support::For => f += v.votes,
                    Support::Against => a += v.votes,
                    Support::Abstain => ab += v.votes,
                }
            }
            r.passes(f, a, ab)
        };
        let best_pass = (0u32..1 << n).filter(|&m| tally(m, true)).map(|m| m.count_ones() as usize).min();
        // Defeat: members (For or Abstain voters) vote Against, or all stay home.
        let home = |m: u32| {
            let (mut f, mut a, mut ab) = (0.0, 0.0, 0.0);
            for (i, v) in p.votes.iter().enumerate() {
                if m >> i & 1 == 1 {
                    continue;
                }
                match v.support {
                    Support::For => f += v.votes,
                    Support::Against => a += v.votes,
                    Support::Abstain => ab += v.votes,
                }
            }
            r.passes(f, a, ab)
        };
        let not_against = |m: u32| (0..n).all(|i| m >> i & 1 == 0 || p.votes[i].support != Support::Against);
        let best_defeat = (0u32..1 << n)
            .filter(|&m| not_against(m) && (!tally(m, false) || !home(m)))
            .map(|m| m.count_ones() as usize)
            .min();
        prop_assert_eq!(c.pass_alone.size, best_pass);
        prop_assert_eq!(c.defeat.size, best_defeat);
    }
}

//! The real Uniswap votes (`data/signalcorps-uniswap/`) under the shipped Uniswap rules: pinned
//! outcomes, coalition sizes and indices.

use std::path::Path;

use powermap_governance::coalition::{smallest_blocking, smallest_winning};
use powermap_governance::game::{DecisionRule, Turnout, Verdict};
use powermap_governance::indices::IndexOptions;
use powermap_governance::report::proposals;
use powermap_governance::rules;
use powermap_governance::votes::VoteRecords;

fn records() -> VoteRecords {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv");
    VoteRecords::parse_csv(&std::fs::read_to_string(path).unwrap(), "votes.csv").unwrap()
}

#[test]
fn every_proposal_outcome_and_coalition() {
    let rec = records();
    assert_eq!(rec.proposals.len(), 21);
    assert_eq!(
        rec.proposals.iter().map(|p| p.votes.len()).sum::<usize>(),
        10_835
    );
    let rules = rules::builtin("uniswap").unwrap().unwrap();
    let opts = IndexOptions {
        samples: 200,
        ..IndexOptions::default()
    };
    let ps = proposals(&rec, &rules, &opts);
    let labels: Vec<&str> = ps.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Alpha #1",
            "Alpha #2",
            "Alpha #3",
            "Alpha #4",
            "Alpha #5",
            "Alpha v2 #1",
            "Alpha v2 #2",
            "Alpha v2 #3",
            "Bravo #9",
            "Bravo #10",
            "Bravo #11",
            "Alpha v2 #4",
            "Bravo #13",
            "Bravo #14",
            "Bravo #16",
            "Bravo #17",
            "Bravo #18",
            "Bravo #19",
            "Bravo #20",
            "Bravo #22",
            "Bravo #23"
        ]
    );
    let passed: Vec<bool> = ps.iter().map(|p| p.verdict == Verdict::Passed).collect();
    let expect_passed = [
        false, false, true, true, false, true, true, true, true, true, true, false, true, true,
        true, false, false, true, true, true, true,
    ];
    assert_eq!(passed, expect_passed);
    let pass: Vec<Option<usize>> = ps.iter().map(|p| p.pass_alone.size).collect();
    let n = None;
    assert_eq!(
        pass,
        [
            Some(9),
            n,
            Some(3),
            Some(4),
            n,
            Some(4),
            Some(4),
            Some(5),
            Some(5),
            Some(5),
            Some(5),
            n,
            Some(6),
            Some(9),
            Some(8),
            n,
            n,
            Some(10),
            Some(10),
            Some(6),
            Some(8)
        ]
    );
    let defeat: Vec<usize> = ps.iter().map(|p| p.defeat.size.unwrap()).collect();
    assert_eq!(
        defeat,
        [0, 0, 2, 5, 0, 3, 1, 2, 4, 4, 5, 0, 1, 1, 3, 0, 0, 2, 1, 4, 1]
    );
    // Alpha v2 #2 passed 47.6M to 47.0M: one large For voter switching defeats it.
    let close = &ps[6];
    assert_eq!(close.defeat.members.len(), 1);
    // The three voters who could have passed Alpha #3 alone.
    let a3: Vec<&str> = ps[2]
        .pass_alone
        .members
        .iter()
        .map(|m| m.0.as_str())
        .collect();
    assert_eq!(
        a3,
        [
            "0x7e4a8391c728fed9069b2962699ab416628b19fa",
            "0x2b1ad6184a6b0fac06bd225ed37c2abc04415ff4",
            "0xbbf3f1421d886e9b2c5d716b5192ac998af2012c"
        ]
    );
}

#[test]
fn latest_power_coalitions() {
    let table = records().latest_power();
    assert_eq!(table.len(), 4_533);
    assert!(
        (table.total() / 1e6 - 218.04).abs() < 0.01,
        "{}",
        table.total()
    );
    assert_eq!(
        table.holders[0].name,
        "0x2b1ad6184a6b0fac06bd225ed37c2abc04415ff4"
    );
    let rules = rules::builtin("uniswap").unwrap().unwrap();
    let rule = DecisionRule::from_rules(&rules, table.total());
    assert_eq!(
        smallest_winning(&table, &rule, Turnout::Full).size,
        Some(12)
    );
    assert_eq!(smallest_blocking(&table, &rule).size, Some(12));
    // If nobody else turns out against, only the 40M quorum binds: 4 voters suffice.
    assert_eq!(
        smallest_winning(&table, &rule, Turnout::Fraction(0.0)).size,
        Some(4)
    );
}

//! Reference test: our EDI mapping against EDI's own outputs on its sample data
//! (`tests/reference/edi-samples/`, EDI commit 605ebc9), block by block.

#[path = "robustness/mod.rs"]
mod robustness;

use std::collections::HashMap;
use std::path::PathBuf;

use powermap_edi::{edi_mapping_method, load_mapping_information, read_sorted, EdiMapper, Ledger};
use powermap_model::Rule;
use serde_json::Value;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/edi-samples")
}

const LEDGERS: [Ledger; 4] = [
    Ledger::Bitcoin,
    Ledger::Cardano,
    Ledger::Ethereum,
    Ledger::Tezos,
];

/// EDI's mapping_method → the rule we must have used (and whether an ownership link applied).
fn expected_rule(method: &str) -> (Option<Rule>, bool) {
    match method {
        "known_identifiers" => (Some(Rule::Identifier), false),
        "known_addresses" => (Some(Rule::Address), false),
        "known_clusters" => (Some(Rule::Cluster), false),
        "known_legal_links" => (None, true), // any rule, then a legal link
        "fallback_mapping" => (Some(Rule::Unattributed), false),
        other => panic!("unexpected EDI mapping_method {other:?}"),
    }
}

fn check(ledger: Ledger, clustering: bool) -> usize {
    let base = reference();
    let registry =
        load_mapping_information(&base.join("input/mapping_information"), ledger).unwrap();
    let mapper = EdiMapper::new(registry, clustering);
    let raw = base.join(format!("input/raw_block_data/{ledger}_raw_data.json"));
    let blocks = read_sorted(&raw, ledger).unwrap();
    let (run, file) = if clustering {
        (
            "snapshot_pw1__clustering-true",
            "mapped_data_clustered.json",
        )
    } else {
        (
            "snapshot_pw1__clustering-false",
            "mapped_data_non_clustered.json",
        )
    };
    let expected_path = base.join(format!("runs/{run}/processed_data/{ledger}/{file}"));
    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
    assert_eq!(
        blocks.len(),
        expected.len(),
        "{ledger} clustering={clustering}: block count"
    );

    let by_number: HashMap<&str, &Value> = expected
        .iter()
        .map(|e| (e["number"].as_str().unwrap(), e))
        .collect();
    assert_eq!(
        by_number.len(),
        expected.len(),
        "block numbers are unique in the samples"
    );

    let mut matched = 0;
    let mut failures = Vec::new();
    for b in &blocks {
        let got = mapper.map(b, "raw").expect("separate never excludes");
        let e = by_number[b.number.as_str()];
        let want_creator = e["creator"].as_str().unwrap();
        let want_method = e["mapping_method"].as_str().unwrap();
        let want_ts = e["timestamp"].as_str().unwrap();
        let want_addrs = e["reward_addresses"].as_str();
        let (want_rule, want_link) = expected_rule(want_method);
        let att = &got.attribution;
        let ok = att.entity == want_creator
            && edi_mapping_method(att) == want_method
            && want_rule.is_none_or(|r| r == att.rule)
            && att.owner_source.is_some() == want_link
            && b.timestamp == want_ts
            && b.reward_addresses.as_deref() == want_addrs
            && got.observation.network == ledger.id()
            && got.observation.weight == 1.0;
        if ok {
            matched += 1;
        } else {
            failures.push(format!(
                "block {}: expected creator {want_creator:?} ({want_method}), reward_addresses {want_addrs:?}\n           got {:?} ({}, rule {:?}), reward_addresses {:?}",
                b.number,
                att.entity,
                edi_mapping_method(att),
                att.rule,
                b.reward_addresses
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{ledger} clustering={clustering}: {} of {} blocks differ:\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n")
    );

    // Order: EDI sorts by timestamp for every ledger but Ethereum; so do we (for all).
    if ledger != Ledger::Ethereum {
        let ours: Vec<&str> = blocks.iter().map(|b| b.number.as_str()).collect();
        let theirs: Vec<&str> = expected
            .iter()
            .map(|e| e["number"].as_str().unwrap())
            .collect();
        assert_eq!(ours, theirs, "{ledger}: block order");
    }
    eprintln!(
        "{ledger:>8} clustering={clustering:<5}: {matched}/{} blocks match EDI",
        blocks.len()
    );
    matched
}

#[test]
fn edi_reference_mapping_all_ledgers_both_flags() {
    let mut total = 0;
    for ledger in LEDGERS {
        for clustering in [true, false] {
            total += check(ledger, clustering);
        }
    }
    // 13 bitcoin + 5 cardano + 10 ethereum + 6 tezos blocks, twice.
    assert_eq!(total, 2 * (13 + 5 + 10 + 6));
}

#[test]
fn mapped_data_is_identical_across_runs_with_same_flag() {
    // The README says mapped data depend only on the clustering flag; guard our choice of run.
    let base = reference();
    for ledger in LEDGERS {
        let a = std::fs::read(base.join(format!(
            "runs/snapshot_pw1__clustering-true/processed_data/{ledger}/mapped_data_clustered.json"
        )))
        .unwrap();
        let b = std::fs::read(base.join(format!(
            "runs/w30_f30_pw1__clustering-true/processed_data/{ledger}/mapped_data_clustered.json"
        )))
        .unwrap();
        assert_eq!(a, b, "{ledger}");
    }
}

#[test]
fn explain_a_reference_block() {
    let base = reference();
    let registry =
        load_mapping_information(&base.join("input/mapping_information"), Ledger::Bitcoin).unwrap();
    let blocks = read_sorted(
        &base.join("input/raw_block_data/bitcoin_raw_data.json"),
        Ledger::Bitcoin,
    )
    .unwrap();
    let b = blocks.iter().find(|b| b.number == "649061").unwrap();
    let x = registry.explain_evidence(
        &format!("bitcoin block {}", b.number),
        &b.evidence(),
        powermap_attribution::ResolveOptions::default(),
    );
    let text = x.to_string();
    eprintln!("{text}");
    assert!(text.contains("→ \"Bitmain\""), "{text}");
    assert!(
        text.contains("tag \"Mined by AntPool\" → \"AntPool\""),
        "{text}"
    );
}

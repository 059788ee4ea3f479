//! Golden tests: every adapter on the real files shipped under `data/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use powermap_model::{Layer, Observation};
use powermap_sources::{read, read_counted, uniswap::proposal_id};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn load(id: &str, rel: &str, layer: Option<Layer>) -> Vec<Observation> {
    read(id, &data(rel), layer)
        .unwrap_or_else(|e| panic!("{id}: {e}"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

/// Weight per key, as a share of the total.
fn shares<K: Ord>(obs: &[Observation], key: impl Fn(&Observation) -> K) -> BTreeMap<K, f64> {
    let total: f64 = obs.iter().map(|o| o.weight).sum();
    let mut m = BTreeMap::new();
    for o in obs {
        *m.entry(key(o)).or_insert(0.0) += o.weight / total;
    }
    m
}

fn close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "got {got}, want {want} ± {tol}");
}

const STAKING: &str = "clientdiversity-org/eth_staking_entities_rated_daily.csv";

#[test]
fn eth_staking_entities_model_the_unlabelled_remainder() {
    let obs = load("eth_staking_entities", STAKING, None);
    assert_eq!(
        obs.len(),
        2_853 + 78,
        "labelled rows + one unlabelled row per day"
    );
    assert!(obs
        .iter()
        .all(|o| o.network == "ethereum" && o.layer == Layer::Consensus));
    let first = &obs[0];
    assert_eq!(first.time.to_rfc3339(), "2023-08-23T00:00:00+00:00");
    assert_eq!(first.entity.as_deref(), Some("Lido"));
    assert_eq!(first.weight, 241_052.0);
    assert_eq!(
        first.source.as_deref(),
        Some("clientdiversity-org/eth_staking_entities_rated_daily.csv")
    );
    let days = powermap_sources::ethereum::staking_days(&data(STAKING)).unwrap();
    assert_eq!(days.len(), 78);
    for (day, d) in &days {
        let of_day: Vec<_> = obs.iter().filter(|o| o.time == *day).collect();
        let total: f64 = of_day.iter().map(|o| o.weight).sum();
        let unlabelled: Vec<_> = of_day
            .iter()
            .filter(|o| o.subject == "unlabelled")
            .collect();
        assert_eq!(unlabelled.len(), 1);
        assert!(unlabelled[0].entity.is_none());
        let labelled = 1.0 - unlabelled[0].weight / total;
        // SOURCES.md: 0.64–0.68 (exactly: 0.6377 on 2023-09-22 … 0.6806 on 2023-12-06).
        assert!(
            (0.6376..=0.6806).contains(&labelled),
            "{day}: labelled {labelled}"
        );
        close(labelled, d.labelled_share(), 1e-9);
        // Labelled share + unlabelled remainder = 1: the weights add up to the day's total.
        close(total / d.total, 1.0, 1e-12);
    }
    let d0 = days.values().next().unwrap();
    close(d0.labelled_share(), 0.649_153_693, 1e-8);
    close(d0.total, 747_182.07, 0.01);
}

#[test]
fn eth_client_share_keeps_the_six_sources_apart() {
    let obs = load(
        "eth_client_share",
        "clientdiversity-org/eth_client_share_daily.csv",
        None,
    );
    assert_eq!(obs.len(), 18_044);
    let networks: BTreeSet<_> = obs.iter().map(|o| o.network.as_str()).collect();
    assert_eq!(
        networks.into_iter().collect::<Vec<_>>(),
        [
            "ethereum:blockprint:consensus",
            "ethereum:edi:execution",
            "ethereum:ethernodes:execution",
            "ethereum:migalabs:consensus",
            "ethereum:rated:consensus",
            "ethereum:supermajority:execution",
        ]
    );
    let mut per_group: BTreeMap<(String, i64), f64> = BTreeMap::new();
    for o in &obs {
        assert_eq!(o.layer, Layer::Software);
        *per_group
            .entry((o.network.clone(), o.time.timestamp()))
            .or_default() += o.weight;
    }
    assert_eq!(per_group.len(), 2_755);
    assert!(per_group.values().all(|s| (s - 1.0).abs() < 1e-3));
    let blockprint_prysm = &obs[0];
    assert_eq!(blockprint_prysm.subject, "prysm");
    assert_eq!(blockprint_prysm.weight, 0.462712);
    assert!(obs
        .iter()
        .filter(|o| o.subject == "other")
        .all(|o| o.entity.is_none()));
}

#[test]
fn eth_stake_by_client_joins_entity_stake() {
    let obs = load(
        "eth_staking_entity_clients",
        "clientdiversity-org/eth_staking_entity_clients_rated_daily.csv",
        None,
    );
    assert_eq!(obs.len(), 7_274 + 78);
    let days = powermap_sources::ethereum::staking_days(&data(STAKING)).unwrap();
    for (day, d) in &days {
        let total: f64 = obs
            .iter()
            .filter(|o| o.time == *day)
            .map(|o| o.weight)
            .sum();
        close(total / d.total, 1.0, 1e-9);
    }
    let lido_lighthouse = &obs[0];
    assert_eq!(lido_lighthouse.network, "ethereum:stake-by-client");
    assert_eq!(lido_lighthouse.subject, "Lido/Lighthouse");
    assert_eq!(lido_lighthouse.entity.as_deref(), Some("Lighthouse"));
    close(lido_lighthouse.weight, 241_052.0 * 0.3716908321156944, 1e-6);
    let first_day: Vec<_> = obs
        .iter()
        .filter(|o| o.time == obs[0].time)
        .cloned()
        .collect();
    let by_client = shares(&first_day, |o| o.entity.clone());
    // Unlabelled stake has no known client: about 35 % on the first day (plus a sliver of
    // labelled stake the client rows do not cover).
    close(by_client[&None], 1.0 - 0.649_153_693, 1e-5);
}

#[test]
fn solana_epoch_860_every_layer() {
    const FILE: &str = "alpenglow-solana-sui/solana_validators_epoch860.csv";
    let all = load("solana_validators", FILE, None);
    assert_eq!(all.len(), 963 * 4);
    let consensus = load("solana_validators", FILE, Some(Layer::Consensus));
    assert_eq!(consensus.len(), 963);
    assert_eq!(consensus[0].time.to_rfc3339(), "2025-10-06T00:00:00+00:00");
    let total: f64 = consensus.iter().map(|o| o.weight).sum();
    close(total / 1e6, 414.485, 0.001);
    assert_eq!(consensus[0].entity.as_deref(), Some("binance staking"));
    assert_eq!(consensus.iter().filter(|o| o.entity.is_none()).count(), 134);

    let clients = shares(
        &load("solana_validators", FILE, Some(Layer::Software)),
        |o| o.subject.clone(),
    );
    close(clients["JitoLabs"], 0.7056, 0.0001);
    close(clients["Firedancer"], 0.2084, 0.0001);
    close(clients["Paladin"], 0.0556, 0.0001);
    close(clients["Agave"], 0.0211, 0.0001);

    let countries = shares(
        &load("solana_validators", FILE, Some(Layer::Geography)),
        |o| o.subject.clone(),
    );
    close(countries["DE"], 0.3014, 0.0001);
    close(countries["NL"], 0.1724, 0.0001);
    close(countries["US"], 0.1484, 0.0001);

    let asns = shares(
        &load("solana_validators", FILE, Some(Layer::Infrastructure)),
        |o| o.subject.clone(),
    );
    close(asns["AS20326"], 0.2338, 0.0001);
    close(asns["AS396356"], 0.2017, 0.0001);
}

#[test]
fn solana_epoch_780_has_no_clients() {
    const FILE: &str = "alpenglow-solana-sui/solana_validators_epoch780.csv";
    let all = load("solana_validators", FILE, None);
    assert_eq!(all.len(), 1_293 * 3, "software is skipped");
    assert!(all.iter().all(|o| o.layer != Layer::Software));
    assert_eq!(all[0].time.to_rfc3339(), "2025-04-17T00:00:00+00:00");
    let total: f64 = all
        .iter()
        .filter(|o| o.layer == Layer::Consensus)
        .map(|o| o.weight)
        .sum();
    close(total / 1e6, 389.810, 0.001);
    let err = read("solana_validators", &data(FILE), Some(Layer::Software))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("epoch 780 has no software_client"), "{err}");
}

#[test]
fn cosmos_validator_tokens_per_chain() {
    let (obs, skipped) = read_counted(
        "cosmos_validators",
        &data("envoylabs-cosmos/cosmos_validator_tokens_2024-02-20.csv"),
        None,
    )
    .unwrap();
    let obs: Vec<_> = obs.collect::<Result<_, _>>().unwrap();
    assert_eq!(obs.len(), 827);
    assert_eq!(
        skipped.get(),
        0,
        "every row of this file is bonded and unjailed"
    );
    let mut per_chain: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &obs {
        *per_chain.entry(o.network.as_str()).or_default() += 1;
    }
    assert_eq!(
        per_chain.into_iter().collect::<Vec<_>>(),
        [
            ("akash", 100),
            ("cosmoshub", 180),
            ("dydx", 60),
            ("evmos", 150),
            ("juno", 148),
            ("osmosis", 150),
            ("sei", 39)
        ]
    );
    assert_eq!(obs[0].entity.as_deref(), Some("kava_labs"));
    assert_eq!(obs[0].weight, 15_520_783_918_539.0);
    assert_eq!(obs[0].height, Some(15_095_285));
}

#[test]
fn cosmos_jailed_and_unbonded_rows_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.csv");
    std::fs::write(
        &path,
        "chain,block_height,block_time,operator_address,moniker,tokens_base_units,status,jailed,commission_rate\n\
         x,1,2024-02-20T00:00:00Z,a,A,10,BOND_STATUS_BONDED,False,0\n\
         x,1,2024-02-20T00:00:00Z,b,B,10,BOND_STATUS_BONDED,True,0\n\
         x,1,2024-02-20T00:00:00Z,c,,10,BOND_STATUS_UNBONDED,False,0\n",
    )
    .unwrap();
    let (obs, skipped) = read_counted("cosmos_validators", &path, None).unwrap();
    let obs: Vec<_> = obs.collect::<Result<_, _>>().unwrap();
    assert_eq!(obs.len(), 1);
    assert_eq!(skipped.get(), 2);
}

#[test]
fn cosmos_valsets_are_monthly_snapshots() {
    let obs = load(
        "cosmos_valsets",
        "envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv",
        None,
    );
    assert_eq!(obs.len(), 1_212);
    let snapshots: BTreeSet<_> = obs.iter().map(|o| (o.network.clone(), o.time)).collect();
    assert_eq!(snapshots.len(), 26);
    assert_eq!(obs[0].subject, "A79F15C8BFA5B4046C717B7CDE1F205397774B1F");
    assert_eq!(obs[0].weight, 3003.0);
}

#[test]
fn uniswap_votes_decode_proposals() {
    let obs = load(
        "uniswap_votes",
        "signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv",
        None,
    );
    assert_eq!(obs.len(), 10_835);
    let proposals: BTreeMap<String, usize> = obs.iter().fold(BTreeMap::new(), |mut m, o| {
        let p = o.source.as_deref().unwrap().split_once('#').unwrap().1;
        *m.entry(p.to_string()).or_default() += 1;
        m
    });
    assert_eq!(proposals.len(), 21);
    assert_eq!(proposals["bravo-10"], 75);
    assert_eq!(proposals["bravo-20"], 663);
    assert_eq!(proposals["bravo-9"], 41);
    assert_eq!(proposals["bravo-11"], 1_965);
    assert_eq!(proposals["alpha-5"], 55);
    let total: f64 = obs.iter().map(|o| o.weight).sum();
    close(total, 1_115_171_199.6, 1.0);
    assert_eq!(obs[0].time.to_rfc3339(), "2022-07-13T02:01:11+00:00");
    assert_eq!(obs[0].height, Some(15_131_527));
    assert!(obs
        .iter()
        .all(|o| o.network == "uniswap" && o.layer == Layer::Governance));
}

#[test]
fn uniswap_proposal_ids() {
    assert_eq!(proposal_id("2.1").as_deref(), Some("bravo-10"));
    assert_eq!(proposal_id("2.2").as_deref(), Some("bravo-20"));
    assert_eq!(proposal_id("2.09").as_deref(), Some("bravo-9"));
    assert_eq!(proposal_id("2.23").as_deref(), Some("bravo-23"));
    assert_eq!(proposal_id("0.5").as_deref(), Some("alpha-5"));
    assert_eq!(proposal_id("1.4").as_deref(), Some("alpha2-4"));
    assert_eq!(proposal_id("3.1"), None);
    assert_eq!(proposal_id("2"), None);
}

#[test]
fn edi_node_crawls() {
    let orgs = load(
        "edi_network",
        "edi-published/network/clustered_organizations_consensus.csv",
        None,
    );
    assert_eq!(orgs.len(), 983);
    assert_eq!(orgs.iter().map(|o| o.weight).sum::<f64>(), 8_860.0);
    assert_eq!(orgs[0].network, "ethereum:edi:consensus");
    assert_eq!(orgs[0].layer, Layer::Infrastructure);
    assert_eq!(orgs[0].subject, "Hetzner");
    assert_eq!(orgs[0].weight, 1_412.0);
    assert_eq!(orgs[0].time.to_rfc3339(), "2026-08-06T00:00:00+00:00");

    let countries = load(
        "edi_geography",
        "edi-published/geography/countries_consensus.csv",
        None,
    );
    assert_eq!(countries.len(), 80);
    assert_eq!(countries.iter().map(|o| o.weight).sum::<f64>(), 8_860.0);
    assert_eq!(countries[0].subject, "United States");
    assert_eq!(countries[0].layer, Layer::Geography);

    let btc = load(
        "edi_geography",
        "edi-published/geography/countries_bitcoin.csv",
        None,
    );
    assert_eq!(btc[0].network, "bitcoin");
    assert_eq!(btc[0].subject, "Tor");
}

#[test]
fn errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("votes.csv");
    std::fs::write(
        &path,
        "PROPOSAL,SUPPORT,VOTER_ADDRESS,VOTES,BLOCK_NUMBER,BLOCK_TIMESTAMP\n\
         2.1,For,0xabc,1.5,10,2022-07-13 02:01:11.000\n\
         2.1,For,0xdef,-3,11,2022-07-13 02:01:11.000\n",
    )
    .unwrap();
    let err = read("uniswap_votes", &path, None)
        .unwrap()
        .find_map(Result::err)
        .unwrap()
        .to_string();
    assert!(
        err.ends_with("votes.csv:3: field \"VOTES\": expected a number ≥ 0, got \"-3\""),
        "{err}"
    );

    let err = read("edi_network", &path, Some(Layer::Consensus))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("cannot produce layer consensus"), "{err}");
    let err = read("uniswap_votes", &dir.path().join("missing.csv"), None)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("missing.csv"), "{err}");
}

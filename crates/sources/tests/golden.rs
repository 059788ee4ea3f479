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

/// Weight per entity (`None` = no entity) on the latest time of `obs`, as shares.
fn latest_shares(obs: &[Observation]) -> BTreeMap<Option<String>, f64> {
    let last = obs.iter().map(|o| o.time).max().unwrap();
    let latest: Vec<_> = obs.iter().filter(|o| o.time == last).cloned().collect();
    shares(&latest, |o| o.entity.clone())
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

const OPERATORS: &str = "supermajority-operators/eth_operator_execution_clients_history.csv";

#[test]
fn eth_lido_operators_one_version_per_day() {
    let (obs, skipped) = read_counted("eth_lido_operators", &data(OPERATORS), None).unwrap();
    let obs: Vec<_> = obs.collect::<Result<_, _>>().unwrap();
    // 22 versions on 20 days: the earlier of the two versions committed on 2024-02-26 (74 rows)
    // and on 2024-04-02 (77 rows) are superseded.
    assert_eq!(skipped.get(), 151);
    let consensus: Vec<_> = obs
        .iter()
        .filter(|o| o.layer == Layer::Consensus)
        .cloned()
        .collect();
    let software: Vec<_> = obs
        .iter()
        .filter(|o| o.layer == Layer::Software)
        .cloned()
        .collect();
    assert_eq!(software.len(), 1_626 - 151);
    assert_eq!(
        consensus.len(),
        888,
        "operators summed over clients, per version"
    );
    assert!(consensus.iter().all(|o| o.network == "ethereum:operators"));
    assert!(software
        .iter()
        .all(|o| o.network == "ethereum:operators-by-execution-client"));
    let days: BTreeSet<_> = obs.iter().map(|o| o.time).collect();
    assert_eq!(days.len(), 20);
    assert_eq!(
        days.iter().next_back().unwrap().to_rfc3339(),
        "2024-05-16T00:00:00+00:00"
    );

    // Latest version (604f2bd53e41): 46 operators, 681,641 validators (SOURCES.md).
    let last = *days.iter().next_back().unwrap();
    let latest: Vec<_> = consensus.iter().filter(|o| o.time == last).collect();
    assert_eq!(latest.len(), 46);
    assert_eq!(latest.iter().map(|o| o.weight).sum::<f64>(), 681_641.0);
    assert_eq!(
        latest[0].source.as_deref(),
        Some("supermajority-operators/eth_operator_execution_clients_history.csv#604f2bd53e41")
    );
    let by_operator = latest_shares(&consensus);
    close(by_operator[&some("Coinbase")], 137_918.0 / 681_641.0, 1e-12);
    close(by_operator[&some("Kiln")], 0.0626, 0.0001);
    close(by_operator[&some("P2P.org")], 0.0526, 0.0001);

    let by_client = latest_shares(&software);
    close(by_client[&some("Geth")], 0.3527, 0.0001);
    close(by_client[&some("Nethermind")], 0.3472, 0.0001);
    close(by_client[&some("Besu")], 0.1659, 0.0001);
    close(by_client[&some("unknown")], 76_849.0 / 681_641.0, 1e-12);
    assert!(
        !by_client.contains_key(&None),
        "Unknown is an explicit entity"
    );
    // Geth's share of the first version was 60.5 %.
    let first = software.iter().map(|o| o.time).min().unwrap();
    let first: Vec<_> = software
        .iter()
        .filter(|o| o.time == first)
        .cloned()
        .collect();
    close(
        shares(&first, |o| o.entity.clone())[&some("Geth")],
        0.6046,
        0.0001,
    );
}

#[test]
fn eth_deposit_labels_keep_sources_apart() {
    let (obs, skipped) = read_counted(
        "eth_deposit_labels",
        &data("eth-deposits-labels/eth_validator_label_counts.csv"),
        None,
    )
    .unwrap();
    let obs: Vec<_> = obs.collect::<Result<_, _>>().unwrap();
    assert_eq!(obs.len(), 28 + 33);
    // 4 NA (Coinbase ×2, ethsta Kraken and Lido) + 40 uncounted ethereumpools zeros.
    assert_eq!(skipped.get(), 44);
    assert!(
        obs.iter()
            .all(|o| o.layer == Layer::Consensus
                && o.time.to_rfc3339() == "2022-12-31T00:00:00+00:00")
    );
    let lido: Vec<_> = obs
        .iter()
        .filter(|o| o.network == "ethereum:lido-operators-2022")
        .cloned()
        .collect();
    assert_eq!(lido.len(), 28);
    assert_eq!(lido.iter().map(|o| o.weight).sum::<f64>(), 129_832.0);
    assert_eq!(lido[0].subject, "allnodes_lido");
    assert_eq!(lido[0].entity.as_deref(), Some("allnodes"));
    let lido_shares = shares(&lido, |o| o.entity.clone());
    close(lido_shares[&some("p2porg")], 7_391.0 / 129_832.0, 1e-12);
    assert_eq!(lido.iter().filter(|o| o.weight >= 7_390.0).count(), 10);

    let ethsta: Vec<_> = obs
        .iter()
        .filter(|o| o.network == "ethereum:deposit-labels:ethsta")
        .cloned()
        .collect();
    assert_eq!(ethsta.len(), 33, "every other counted row");
    assert_eq!(ethsta.iter().map(|o| o.weight).sum::<f64>(), 67_055.0);
    let ethsta_shares = shares(&ethsta, |o| o.entity.clone());
    close(ethsta_shares[&some("stakedus")], 0.1847, 0.0001);
    close(ethsta_shares[&some("bitcoinsuisse")], 0.1342, 0.0001);
    close(ethsta_shares[&some("stakefish")], 0.1285, 0.0001);
}

#[test]
fn sui_validators_every_layer() {
    const FILE: &str = "alpenglow-solana-sui/sui_validators.csv";
    let all = load("sui_validators", FILE, None);
    assert_eq!(all.len(), 106 * 3);
    assert!(all.iter().all(|o| o.network == "sui"));
    let consensus = load("sui_validators", FILE, Some(Layer::Consensus));
    assert_eq!(consensus.len(), 106);
    assert_eq!(consensus[0].time.to_rfc3339(), "2025-04-29T00:00:00+00:00");
    assert_eq!(consensus[0].subject, "Mysten-1");
    close(consensus[0].weight, 235_248_877.446939, 1e-6);
    let total: f64 = consensus.iter().map(|o| o.weight).sum();
    close(total / 1e9, 8.079_274, 1e-6); // billion SUI
    let stake = shares(&consensus, |o| o.entity.clone());
    close(stake[&some("Mysten-1")], 0.0291, 0.0001);
    close(stake[&some("Figment")], 0.0286, 0.0001);

    let clouds = shares(
        &load("sui_validators", FILE, Some(Layer::Infrastructure)),
        |o| o.entity.clone(),
    );
    close(clouds[&some("Latitude.sh")], 0.1643, 0.0001);
    close(clouds[&some("OVH SAS")], 0.1505, 0.0001);
    close(clouds[&some("The Constant Company, LLC")], 0.0991, 0.0001);
    assert!(clouds.contains_key(&some("Tencent Cloud")));
    close(clouds[&None], 28_462_138.392_726_8 / total, 1e-9); // Stakely: no IP

    let countries = shares(&load("sui_validators", FILE, Some(Layer::Geography)), |o| {
        o.subject.clone()
    });
    close(countries["US"], 0.2082, 0.0001);
    close(countries["GB"], 0.1173, 0.0001);
    close(countries["DE"], 0.1151, 0.0001);
    assert!(countries.contains_key("unknown"));
}

#[test]
fn eth_entity_relays_join_entity_stake() {
    let obs = load(
        "eth_entity_relays",
        "clientdiversity-org/eth_staking_entity_relays_rated_daily.csv",
        None,
    );
    assert_eq!(obs.len(), 15_303 + 78);
    assert!(obs
        .iter()
        .all(|o| o.network == "ethereum:stake-by-relay" && o.layer == Layer::Infrastructure));
    let days = powermap_sources::ethereum::staking_days(&data(STAKING)).unwrap();
    for (day, d) in &days {
        let total: f64 = obs
            .iter()
            .filter(|o| o.time == *day)
            .map(|o| o.weight)
            .sum();
        close(total / d.total, 1.0, 1e-9);
    }
    let lido_blocknative = &obs[0];
    assert_eq!(lido_blocknative.subject, "Lido/blocknative");
    assert_eq!(lido_blocknative.entity.as_deref(), Some("blocknative"));
    close(
        lido_blocknative.weight,
        241_052.0 * 0.09358245329000812,
        1e-6,
    );
    assert!(obs
        .iter()
        .filter(|o| o.subject.ends_with("/no_mev_boost"))
        .all(|o| o.entity.is_none()));

    // 2024-02-03: a third of the stake is unlabelled; among relays, ultra sound leads.
    let latest = latest_shares(&obs);
    close(latest[&some("ultra_sound_money")], 0.1753, 0.0001);
    close(latest[&some("bloxroute_maxprofit")], 0.1560, 0.0001);
    close(latest[&some("flashbots")], 0.0982, 0.0001);
    close(latest[&None], 0.3328 + 0.0346, 0.0002); // unlabelled + no MEV-boost
}

#[test]
fn edi_software_clients_per_ledger() {
    let eth = load(
        "edi_software_clients",
        "edi-published/software/doughnut/clients/ethereum_consensus.csv",
        None,
    );
    assert_eq!(eth.len(), 7);
    assert_eq!(eth.iter().map(|o| o.weight).sum::<f64>(), 8_739.0);
    assert_eq!(eth[0].network, "ethereum:edi:consensus");
    assert_eq!(eth[0].layer, Layer::Software);
    assert_eq!(eth[0].time.to_rfc3339(), "2026-06-26T00:00:00+00:00");
    let s = shares(&eth, |o| o.subject.clone());
    close(s["Lighthouse"], 0.4620, 0.0001);
    close(s["Unknown"], 0.3308, 0.0001);
    close(s["Prysm"], 0.1054, 0.0001);
    assert!(eth
        .iter()
        .find(|o| o.subject == "Unknown")
        .unwrap()
        .entity
        .is_none());

    let exec = load(
        "edi_software_clients",
        "edi-published/software/doughnut/clients/ethereum_execution.csv",
        None,
    );
    assert_eq!(exec[0].network, "ethereum:edi:execution");
    close(
        shares(&exec, |o| o.subject.clone())["Unknown"],
        0.7817,
        0.0001,
    );

    let btc = load(
        "edi_software_clients",
        "edi-published/software/doughnut/clients/bitcoin.csv",
        None,
    );
    assert_eq!(btc[0].network, "bitcoin");
    assert_eq!(
        (btc[0].subject.as_str(), btc[0].weight),
        ("Bitcoin Core", 19_933.0)
    );
    assert_eq!(btc[0].time.to_rfc3339(), "2026-07-01T00:00:00+00:00");
}

#[test]
fn edi_code_authorship_per_ledger() {
    let btc = load(
        "edi_code_authorship",
        "edi-published/software/doughnut/bitcoin/by_number_of_commits_per_author.csv",
        None,
    );
    assert_eq!(btc.len(), 1_206);
    assert_eq!(btc.iter().map(|o| o.weight).sum::<f64>(), 49_594.0);
    assert!(btc
        .iter()
        .all(|o| o.network == "bitcoin:code:commits" && o.layer == Layer::Software));
    assert_eq!(btc[0].time.to_rfc3339(), "2026-07-06T00:00:00+00:00");
    let s = shares(&btc, |o| o.entity.clone());
    close(s[&some("Wladimir J. van der Laan")], 0.1443, 0.0001);
    close(s[&some("MarcoFalke")], 0.1417, 0.0001);
    close(s[&some("fanquake")], 0.1084, 0.0001);

    let geth = load(
        "edi_code_authorship",
        "edi-published/software/doughnut/ethereum_execution/by_number_of_commits_per_author.csv",
        None,
    );
    assert_eq!(geth.len(), 2_597);
    assert_eq!(geth[0].network, "ethereum:execution-code:commits");
    assert_eq!(geth.iter().map(|o| o.weight).sum::<f64>(), 80_549.0);

    // Every shipped ledger reads.
    for ledger in [
        "bitcoin_cash",
        "cardano",
        "ethereum_consensus",
        "litecoin",
        "polkadot",
        "solana",
        "tezos",
        "xrpl",
        "zcash",
    ] {
        let obs = load(
            "edi_code_authorship",
            &format!(
                "edi-published/software/doughnut/{ledger}/by_number_of_commits_per_author.csv"
            ),
            None,
        );
        assert!(!obs.is_empty(), "{ledger}");
    }
}

#[test]
fn edi_governance_proposal_authorship() {
    let eip = load(
        "edi_governance",
        "edi-published/governance/authorship/authorship_ethereum.csv",
        None,
    );
    assert_eq!(eip.len(), 1_301);
    close(eip.iter().map(|o| o.weight).sum::<f64>(), 1_073.6, 1e-6);
    assert!(eip
        .iter()
        .all(|o| o.network == "ethereum:proposals" && o.layer == Layer::Governance));
    assert_eq!(eip[0].time.to_rfc3339(), "2025-12-31T00:00:00+00:00");
    assert_eq!(
        (eip[0].entity.as_deref(), eip[0].weight),
        (Some("Vitalik Buterin"), 34.7)
    );

    let bip = load(
        "edi_governance",
        "edi-published/governance/authorship/authorship_bitcoin.csv",
        None,
    );
    assert_eq!(bip.len(), 130);
    close(bip.iter().map(|o| o.weight).sum::<f64>(), 176.2, 1e-6);
    let s = shares(&bip, |o| o.entity.clone());
    close(s[&some("Pieter Wuille")], 0.0868, 0.0001);
    close(s[&some("Ava Chow")], 0.0698, 0.0001);
    close(s[&some("Luke Dashjr")], 0.0681, 0.0001);

    let cip = load(
        "edi_governance",
        "edi-published/governance/authorship/authorship_cardano.csv",
        None,
    );
    assert_eq!(cip.len(), 148);
    assert_eq!(cip[0].network, "cardano:proposals");
    close(cip.iter().map(|o| o.weight).sum::<f64>(), 127.4, 1e-6);
}

#[test]
fn skip_reasons_are_named() {
    let (_, s) = read_counted(
        "eth_deposit_labels",
        &data("eth-deposits-labels/eth_validator_label_counts.csv"),
        None,
    )
    .unwrap();
    assert!(s.reason().contains("NA"), "{}", s.reason());
    let (_, s) = read_counted(
        "cosmos_validators",
        &data("envoylabs-cosmos/cosmos_validator_tokens_2024-02-20.csv"),
        None,
    )
    .unwrap();
    assert_eq!(s.reason(), "jailed or not bonded");
}

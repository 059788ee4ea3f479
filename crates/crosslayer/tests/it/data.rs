//! Building dependency models from the shipped datasets (what a report command does).

use std::collections::BTreeMap;
use std::path::PathBuf;

use powermap_crosslayer::{DependencyModel, Kind, Owners, Row};

/// `data/<rel>` of the workspace, from this crate's manifest directory.
pub fn data_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

fn records(rel: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(data_path(rel)).expect("open dataset");
    let header = r.headers().unwrap().clone();
    let rows = r.records().map(|x| x.unwrap()).collect();
    (header, rows)
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).expect(name)
}

/// Solana epoch 860: one unit per vote account, weight = active stake in SOL; operator =
/// name (vote account when unnamed), client (not `Unknown`), provider = `AS<asn>`, country.
/// Unknown client, ASN or country: no dependency of that kind.
pub fn solana_rows() -> Vec<Row> {
    let (h, recs) = records("alpenglow-solana-sui/solana_validators_epoch860.csv");
    let (vote, name, stake, client, asn, country) = (
        col(&h, "vote_account"),
        col(&h, "name"),
        col(&h, "active_stake_lamports"),
        col(&h, "software_client"),
        col(&h, "asn"),
        col(&h, "country_code"),
    );
    let mut rows = Vec::new();
    for r in &recs {
        let unit = r[vote].to_string();
        let w = r[stake].parse::<u64>().unwrap() as f64 / 1e9;
        rows.push(Row::bare(unit.clone(), w));
        let op = if r[name].is_empty() {
            &r[vote]
        } else {
            &r[name]
        };
        rows.push(Row::new(unit.clone(), w, Kind::Operator, op, 1.0));
        if !r[client].is_empty() && &r[client] != "Unknown" {
            rows.push(Row::new(unit.clone(), w, Kind::Client, &r[client], 1.0));
        }
        if !r[asn].is_empty() {
            rows.push(Row::new(
                unit.clone(),
                w,
                Kind::Provider,
                format!("AS{}", &r[asn]),
                1.0,
            ));
        }
        if !r[country].is_empty() {
            rows.push(Row::new(unit.clone(), w, Kind::Country, &r[country], 1.0));
        }
    }
    rows
}

/// Solana epoch 860 as a model, no owner merges.
pub fn solana() -> DependencyModel {
    DependencyModel::from_rows(solana_rows(), &Owners::new()).unwrap()
}

/// Ethereum on the latest date of the Rated files: one unit per staking entity (weight =
/// validator count; operator = the entity, fraction 1; client mix from
/// `share_of_entity`), plus the unlabelled remainder `total − Σ validators` (with `total =
/// Σ validators / Σ network_penetration`) as one unit with no dependency at all.
pub fn ethereum() -> (String, DependencyModel) {
    let (h, recs) = records("clientdiversity-org/eth_staking_entities_rated_daily.csv");
    let (date, entity, vc, np) = (
        col(&h, "date"),
        col(&h, "entity"),
        col(&h, "validator_count"),
        col(&h, "network_penetration"),
    );
    let latest = recs.iter().map(|r| r[date].to_string()).max().unwrap();
    let mut weights: BTreeMap<String, f64> = BTreeMap::new();
    let mut penetration = 0.0;
    let mut rows = Vec::new();
    for r in recs.iter().filter(|r| r[date] == *latest) {
        let w: f64 = r[vc].parse().unwrap();
        penetration += r[np].parse::<f64>().unwrap();
        weights.insert(r[entity].to_string(), w);
        rows.push(Row::new(&r[entity], w, Kind::Operator, &r[entity], 1.0));
    }
    let labelled: f64 = weights.values().sum();
    rows.push(Row::bare("unlabelled", labelled / penetration - labelled));

    let (h, recs) = records("clientdiversity-org/eth_staking_entity_clients_rated_daily.csv");
    let (date, entity, client, share) = (
        col(&h, "date"),
        col(&h, "entity"),
        col(&h, "consensus_client"),
        col(&h, "share_of_entity"),
    );
    for r in recs.iter().filter(|r| r[date] == *latest) {
        let f: f64 = r[share].parse().unwrap();
        if f > 0.0 && &r[client] != "Unknown" {
            let w = weights[&r[entity]];
            rows.push(Row::new(
                &r[entity],
                w,
                Kind::Client,
                &r[client],
                f.min(1.0),
            ));
        }
    }
    (
        latest,
        DependencyModel::from_rows(rows, &Owners::new()).unwrap(),
    )
}

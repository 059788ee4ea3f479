//! Ethereum datasets from clientdiversity.org (`data/clientdiversity-org/`).
//!
//! - [`staking_entities`]: Rated's daily staking entities, plus one explicit `unlabelled`
//!   observation per day for the stake no labelled entity covers.
//! - [`client_share`]: daily client shares from six sources, each its own analysis group.
//! - [`staking_entity_clients`]: stake-weighted client exposure (entity stake × client share).
//! - [`staking_entity_relays`]: stake-weighted MEV-boost relay exposure (entity stake × relay
//!   share of the entity's blocks).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use powermap_model::{Layer, Observation};

use crate::table::{source_label, Table};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "clientdiversity-org";
/// File name of the staking-entities table, which the client join reads beside its own file.
pub const STAKING_FILE: &str = "eth_staking_entities_rated_daily.csv";
/// Subject of the per-day remainder that no labelled row covers.
pub const UNLABELLED: &str = "unlabelled";

/// One day of Rated's staking entities.
#[derive(Debug, Clone, PartialEq)]
pub struct StakingDay {
    /// The day (00:00 UTC).
    pub day: DateTime<Utc>,
    /// Labelled entities: (entity, validator_count, network_penetration), in file order.
    pub entities: Vec<(String, f64, f64)>,
    /// Estimated validators on the network that day: Σ validator_count / Σ network_penetration.
    pub total: f64,
}

impl StakingDay {
    /// Σ network_penetration of the labelled rows (0.64–0.68 in the shipped file).
    pub fn labelled_share(&self) -> f64 {
        self.entities.iter().map(|e| e.2).sum()
    }

    /// Validators not covered by any labelled row: `total − Σ validator_count`
    /// (= `(1 − Σ network_penetration) × total`), never negative.
    pub fn unlabelled(&self) -> f64 {
        let labelled: f64 = self.entities.iter().map(|e| e.1).sum();
        (self.total - labelled).max(0.0)
    }

    /// Validator count of `entity` that day.
    pub fn validators(&self, entity: &str) -> Option<f64> {
        self.entities.iter().find(|e| e.0 == entity).map(|e| e.1)
    }
}

/// Reads the staking-entities table into days (the file is small: 78 days × ~40 rows).
pub fn staking_days(path: &Path) -> Result<BTreeMap<DateTime<Utc>, StakingDay>, SourceError> {
    const COLS: &[&str] = &["date", "entity", "validator_count", "network_penetration"];
    let mut days: BTreeMap<DateTime<Utc>, StakingDay> = BTreeMap::new();
    let mut first_line: HashMap<DateTime<Utc>, u64> = HashMap::new();
    for row in Table::open(path, COLS)? {
        let row = row?;
        let day = row.day(0)?;
        let entity = row.required(1)?.to_string();
        let validators = row.weight(2)?;
        let penetration = row.weight(3)?;
        if penetration > 1.0 {
            return Err(row.err(3, format!("expected a share in [0, 1], got {penetration}")));
        }
        first_line.entry(day).or_insert(row.line());
        days.entry(day)
            .or_insert_with(|| StakingDay {
                day,
                entities: Vec::new(),
                total: 0.0,
            })
            .entities
            .push((entity, validators, penetration));
    }
    for (day, d) in days.iter_mut() {
        let share = d.labelled_share();
        let count: f64 = d.entities.iter().map(|e| e.1).sum();
        if share <= 0.0 || share > 1.0 + 1e-9 {
            return Err(SourceError::field(
                path,
                first_line[day],
                "network_penetration",
                format!(
                    "labelled shares on {} add up to {share}, expected (0, 1]",
                    day.format("%Y-%m-%d")
                ),
            ));
        }
        d.total = count / share;
    }
    Ok(days)
}

/// `eth_staking_entities`: one consensus observation per labelled entity and day
/// (weight = validator_count), plus one `unlabelled` observation per day (no entity) carrying
/// the validators no labelled row covers, so every day's weights add up to the estimated total.
pub fn staking_entities(path: &Path) -> Result<Observations, SourceError> {
    let source = source_label(DATASET, path);
    let mut out = Vec::new();
    for d in staking_days(path)?.into_values() {
        let unlabelled = d.unlabelled();
        for (entity, validators, _) in d.entities {
            out.push(Ok(obs(
                "ethereum",
                Layer::Consensus,
                d.day,
                entity.clone(),
                Some(entity),
                validators,
                &source,
            )));
        }
        out.push(Ok(obs(
            "ethereum",
            Layer::Consensus,
            d.day,
            UNLABELLED.into(),
            None,
            unlabelled,
            &source,
        )));
    }
    Ok(Box::new(out.into_iter()))
}

/// Network id of one client-share series: `ethereum:<source>:<layer>`.
pub fn client_share_network(source: &str, layer: &str) -> String {
    format!("ethereum:{source}:{layer}")
}

/// `eth_client_share`: one software observation per (date, source, layer, client), with
/// network `ethereum:<source>:<layer>` so each source is its own analysis group; weight = share.
/// `other` and `unknown` carry no entity. Streams the file.
pub fn client_share(path: &Path) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &["date", "source", "layer", "client", "share"];
    let source = source_label(DATASET, path);
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.map(move |row| {
        let row = row?;
        let day = row.day(0)?;
        let network = client_share_network(row.required(1)?, row.required(2)?);
        let client = row.required(3)?.to_string();
        let share = row.weight(4)?;
        let entity = (!matches!(client.as_str(), "other" | "unknown")).then(|| client.clone());
        Ok(obs(
            &network,
            Layer::Software,
            day,
            client,
            entity,
            share,
            &source,
        ))
    })))
}

/// Where the client join finds the staking-entities table: beside `clients_path`.
pub fn staking_path_for(clients_path: &Path) -> PathBuf {
    clients_path.with_file_name(STAKING_FILE)
}

/// `eth_staking_entity_clients`: stake-weighted consensus-client exposure on network
/// `ethereum:stake-by-client`. Each (day, entity, client) row becomes subject
/// `<entity>/<client>`, entity = the client (none for `Unknown`), weight = the entity's
/// validator_count that day × share_of_entity (joined on date + entity with
/// [`STAKING_FILE`] in the same folder). Each day also gets one `unlabelled` observation (no
/// entity) for stake whose client is not known: unlabelled stake and any labelled stake the
/// client breakdown does not cover.
pub fn staking_entity_clients(path: &Path) -> Result<Observations, SourceError> {
    stake_weighted(
        path,
        &["date", "entity", "consensus_client", "share_of_entity"],
        "ethereum:stake-by-client",
        Layer::Software,
        "Unknown",
    )
}

/// Network of [`staking_entity_relays`].
pub const RELAY_NETWORK: &str = "ethereum:stake-by-relay";
/// The relay value of blocks built without MEV-boost (the proposer built its own block).
pub const NO_RELAY: &str = "no_mev_boost";

/// `eth_entity_relays`: stake-weighted MEV-boost relay exposure on network
/// [`RELAY_NETWORK`], layer infrastructure. Each (day, entity, relay) row of Rated's relay mix
/// becomes subject `<entity>/<relay>`, entity = the relay (none for [`NO_RELAY`]: locally built
/// blocks depend on no relay, and with the default treatment each entity's local building is
/// its own entity), weight = the entity's validator_count that day × share_of_entity_blocks
/// (the same join as [`staking_entity_clients`]). Each day also gets one `unlabelled`
/// observation (no entity) for the stake no relay row covers.
pub fn staking_entity_relays(path: &Path) -> Result<Observations, SourceError> {
    stake_weighted(
        path,
        &["date", "entity", "mev_relay", "share_of_entity_blocks"],
        RELAY_NETWORK,
        Layer::Infrastructure,
        NO_RELAY,
    )
}

/// The join shared by the client and relay mixes: `cols` = date, entity, the thing shared out,
/// its share of the entity; rows whose thing is `no_entity` get no entity.
fn stake_weighted(
    path: &Path,
    cols: &'static [&'static str],
    network: &'static str,
    layer: Layer,
    no_entity: &'static str,
) -> Result<Observations, SourceError> {
    let days = staking_days(&staking_path_for(path))?;
    let source = source_label(DATASET, path);
    let mut per_day: BTreeMap<DateTime<Utc>, Vec<Observation>> = BTreeMap::new();
    for row in Table::open(path, cols)? {
        let row = row?;
        let day = row.day(0)?;
        let entity = row.required(1)?;
        let thing = row.required(2)?;
        let share = row.weight(3)?;
        let stake = days
            .get(&day)
            .and_then(|d| d.validators(entity))
            .ok_or_else(|| {
                row.err(
                    1,
                    format!(
                        "{entity:?} has no row on this day in {STAKING_FILE} (the join needs one)"
                    ),
                )
            })?;
        let owner = (thing != no_entity).then(|| thing.to_string());
        per_day.entry(day).or_default().push(obs(
            network,
            layer,
            day,
            format!("{entity}/{thing}"),
            owner,
            stake * share,
            &source,
        ));
    }
    let mut out = Vec::new();
    for (day, rows) in per_day {
        let covered: f64 = rows.iter().map(|o| o.weight).sum();
        let total = days[&day].total;
        out.extend(rows.into_iter().map(Ok));
        out.push(Ok(obs(
            network,
            layer,
            day,
            UNLABELLED.into(),
            None,
            (total - covered).max(0.0),
            &source,
        )));
    }
    Ok(Box::new(out.into_iter()))
}

pub(crate) fn obs(
    network: &str,
    layer: Layer,
    time: DateTime<Utc>,
    subject: String,
    entity: Option<String>,
    weight: f64,
    source: &str,
) -> Observation {
    Observation {
        network: network.to_string(),
        layer,
        time,
        height: None,
        subject,
        entity,
        weight,
        source: Some(source.to_string()),
    }
}

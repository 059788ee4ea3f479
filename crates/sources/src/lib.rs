//! Layer sources: adapters that convert real datasets into observations (the open format).
//!
//! This is the edge of the flow, before ingest's open format:
//!
//! ```text
//! dataset (staking, clients, relays, validators, votes, crawls, authorship) ──sources──▶ Observation ──attribution──▶ … ──metrics
//! ```
//!
//! Each adapter reads one kind of file shipped under `data/` and yields
//! [`Observation`]s with `network`, `layer`, `time` (UTC; snapshots get a documented date),
//! `subject` (the raw identifier), `entity` (when the dataset names one), `weight` and `source`
//! (`<dataset>/<file>`). [`all`] lists the adapters; [`read`] runs one by id. The mapping of
//! every adapter to observation fields, with the caveats of each dataset, is in
//! `docs/sources.md`; `powermap import` writes the result as an observation file.
//!
//! ```no_run
//! # fn main() -> Result<(), powermap_sources::SourceError> {
//! use powermap_model::Layer;
//!
//! let path = "data/alpenglow-solana-sui/solana_validators_epoch860.csv";
//! let stake: f64 = powermap_sources::read("solana_validators", path.as_ref(), Some(Layer::Consensus))?
//!     .map(|o| o.map(|o| o.weight))
//!     .sum::<Result<f64, _>>()?;
//! assert!((stake / 1e6 - 414.5).abs() < 0.1); // million SOL
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use powermap_model::Layer;

pub mod authorship;
pub mod cosmos;
pub mod edi;
mod error;
pub mod eth_deposits;
pub mod ethereum;
pub mod solana;
mod stream;
pub mod sui;
pub mod supermajority;
mod table;
pub mod uniswap;

pub use error::SourceError;
pub use stream::{Observations, Skipped};

/// What one adapter reads and gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceInfo {
    /// Stable snake_case id (`powermap import <id>`).
    pub id: &'static str,
    /// One line: what the dataset is and how it maps.
    pub description: &'static str,
    /// The shipped copy, relative to the repository root.
    pub default_file: &'static str,
    /// The layers it can produce.
    pub layers: &'static [Layer],
}

/// Why adapter `id` skips rows (see [`Skipped::reason`]).
fn skip_reason(id: &str) -> &'static str {
    match id {
        "cosmos_validators" => "jailed or not bonded",
        "eth_lido_operators" => "superseded by a later version committed the same day",
        "eth_deposit_labels" => "count NA (label file missing upstream) or 0 (keys not counted)",
        _ => "",
    }
}

/// Every adapter, in a stable order.
pub fn all() -> Vec<SourceInfo> {
    vec![
        SourceInfo {
            id: "eth_staking_entities",
            description: "Ethereum staking entities per day (Rated, 2023-08-23 … 2024-02-03): validators per labelled entity, plus one `unlabelled` row per day for the rest",
            default_file: "data/clientdiversity-org/eth_staking_entities_rated_daily.csv",
            layers: &[Layer::Consensus],
        },
        SourceInfo {
            id: "eth_client_share",
            description: "Ethereum client shares per day from six sources, each its own network `ethereum:<source>:<layer>`; weight = share",
            default_file: "data/clientdiversity-org/eth_client_share_daily.csv",
            layers: &[Layer::Software],
        },
        SourceInfo {
            id: "eth_staking_entity_clients",
            description: "Ethereum stake by consensus client (network `ethereum:stake-by-client`): entity validators × client share, joined with the staking-entities file beside it",
            default_file: "data/clientdiversity-org/eth_staking_entity_clients_rated_daily.csv",
            layers: &[Layer::Software],
        },
        SourceInfo {
            id: "eth_entity_relays",
            description: "Ethereum stake by MEV-boost relay (network `ethereum:stake-by-relay`): entity validators × relay share of its blocks, joined with the staking-entities file beside it",
            default_file: "data/clientdiversity-org/eth_staking_entity_relays_rated_daily.csv",
            layers: &[Layer::Infrastructure],
        },
        SourceInfo {
            id: "eth_lido_operators",
            description: "Ethereum validators per node operator, self-reported to supermajority.info (22 versions, 2024-02-02 … 2024-05-16; Lido operators included): by operator (`ethereum:operators`) and by execution client (`ethereum:operators-by-execution-client`)",
            default_file: "data/supermajority-operators/eth_operator_execution_clients_history.csv",
            layers: supermajority::LAYERS,
        },
        SourceInfo {
            id: "eth_deposit_labels",
            description: "Ethereum validator keys per label ≈ 2022-12-31 (alrevuelta/eth-deposits): Lido per operator (`ethereum:lido-operators-2022`), other labels per label source (`ethereum:deposit-labels:<source>`); NA and 0 counts skipped",
            default_file: "data/eth-deposits-labels/eth_validator_label_counts.csv",
            layers: &[Layer::Consensus],
        },
        SourceInfo {
            id: "solana_validators",
            description: "Solana validators (validators.app, epoch 860 ≈ 2025-10-06; epoch 780 ≈ 2025-04-17 has no clients): stake in SOL by vote account, client, ASN and country",
            default_file: "data/alpenglow-solana-sui/solana_validators_epoch860.csv",
            layers: solana::LAYERS,
        },
        SourceInfo {
            id: "solana_datacenters",
            description: "Solana stake per validators.app data centre (`<asn>-<country>-<city>`, network `solana:datacenter`), the unit of the Solana Foundation Delegation Program's 15 % cap; same files as solana_validators",
            default_file: "data/alpenglow-solana-sui/solana_validators_epoch860.csv",
            layers: &[Layer::Infrastructure],
        },
        SourceInfo {
            id: "sui_validators",
            description: "Sui validators (≈ 2025-04-29): stake in SUI by validator, hosting provider and country",
            default_file: "data/alpenglow-solana-sui/sui_validators.csv",
            layers: sui::LAYERS,
        },
        SourceInfo {
            id: "cosmos_validators",
            description: "Bonded validator tokens of seven Cosmos-SDK chains on 2024-02-20 (network = chain, entity = moniker); jailed/unbonded rows skipped",
            default_file: "data/envoylabs-cosmos/cosmos_validator_tokens_2024-02-20.csv",
            layers: &[Layer::Consensus],
        },
        SourceInfo {
            id: "cosmos_valsets",
            description: "Monthly CometBFT validator sets of dYdX and Sei for their first year (voting power by consensus address)",
            default_file: "data/envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv",
            layers: &[Layer::Consensus],
        },
        SourceInfo {
            id: "uniswap_votes",
            description: "Uniswap on-chain votes 2020-10 … 2022-07 (21 proposals): UNI per voter address; source names the proposal",
            default_file: "data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv",
            layers: &[Layer::Governance],
        },
        SourceInfo {
            id: "edi_network",
            description: "EDI node crawl: nodes per hosting organisation (clustered_organizations_<ledger>.csv; default: Ethereum consensus nodes)",
            default_file: "data/edi-published/network/clustered_organizations_consensus.csv",
            layers: &[Layer::Infrastructure],
        },
        SourceInfo {
            id: "edi_geography",
            description: "EDI node crawl: nodes per country (countries_<ledger>.csv; default: Ethereum consensus nodes)",
            default_file: "data/edi-published/geography/countries_consensus.csv",
            layers: &[Layer::Geography],
        },
        SourceInfo {
            id: "edi_software_clients",
            description: "EDI node crawl: nodes per client implementation (software/doughnut/clients/<ledger>.csv; default: Ethereum consensus nodes)",
            default_file: "data/edi-published/software/doughnut/clients/ethereum_consensus.csv",
            layers: &[Layer::Software],
        },
        SourceInfo {
            id: "edi_code_authorship",
            description: "EDI: commits (or lines changed) per author over a ledger's client repositories (software/doughnut/<ledger>/by_*_per_author.csv; network e.g. `bitcoin:code:commits`; default: Bitcoin commits)",
            default_file: "data/edi-published/software/doughnut/bitcoin/by_number_of_commits_per_author.csv",
            layers: &[Layer::Software],
        },
        SourceInfo {
            id: "edi_governance",
            description: "EDI: improvement proposals per author, co-authorship split (governance/authorship/authorship_<ledger>.csv; network `<ledger>:proposals`; default: Ethereum EIPs)",
            default_file: "data/edi-published/governance/authorship/authorship_ethereum.csv",
            layers: &[Layer::Governance],
        },
    ]
}

/// The adapter with this id.
pub fn info(id: &str) -> Result<SourceInfo, SourceError> {
    all()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| SourceError::UnknownSource {
            id: id.to_string(),
            known: all().iter().map(|s| s.id).collect::<Vec<_>>().join(", "),
        })
}

/// Converts the file at `path` with adapter `id` into observations of `layer` (every layer
/// the adapter gives when `None`).
pub fn read(id: &str, path: &Path, layer: Option<Layer>) -> Result<Observations, SourceError> {
    read_counted(id, path, layer).map(|(obs, _)| obs)
}

/// [`read`], also returning the count of rows skipped on purpose (filled while streaming).
pub fn read_counted(
    id: &str,
    path: &Path,
    layer: Option<Layer>,
) -> Result<(Observations, Skipped), SourceError> {
    let source = info(id)?;
    let skipped = Skipped::new(skip_reason(source.id));
    // Sources with several layers choose them themselves.
    match source.id {
        "solana_validators" => return Ok((solana::read(path, layer)?, skipped)),
        "sui_validators" => return Ok((sui::read(path, layer)?, skipped)),
        "eth_lido_operators" => {
            return Ok((supermajority::read(path, layer, &skipped)?, skipped));
        }
        _ => {}
    }
    if let Some(l) = layer {
        if !source.layers.contains(&l) {
            return Err(SourceError::LayerUnavailable {
                id: source.id,
                layer: l,
                path: path.to_path_buf(),
                reason: format!(
                    "it gives {}",
                    source
                        .layers
                        .iter()
                        .map(|l| l.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    let obs = match source.id {
        "eth_staking_entities" => ethereum::staking_entities(path)?,
        "eth_client_share" => ethereum::client_share(path)?,
        "eth_staking_entity_clients" => ethereum::staking_entity_clients(path)?,
        "eth_entity_relays" => ethereum::staking_entity_relays(path)?,
        "eth_deposit_labels" => eth_deposits::labels(path, skipped.clone())?,
        "cosmos_validators" => cosmos::validator_tokens(path, skipped.clone())?,
        "cosmos_valsets" => cosmos::valsets(path)?,
        "solana_datacenters" => solana::read_datacenters(path)?,
        "uniswap_votes" => uniswap::votes(path)?,
        "edi_network" => edi::network(path)?,
        "edi_geography" => edi::geography(path)?,
        "edi_software_clients" => edi::software_clients(path)?,
        "edi_code_authorship" => authorship::code(path)?,
        "edi_governance" => authorship::proposals(path)?,
        other => unreachable!("source {other} is listed in all() but not dispatched"),
    };
    Ok((obs, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case() {
        let ids: Vec<_> = all().iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        assert!(ids
            .iter()
            .all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn every_source_is_dispatched() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for s in all() {
            let n = read(s.id, &dir.join(s.default_file), None)
                .unwrap_or_else(|e| panic!("{}: {e}", s.id))
                .count();
            assert!(n > 0, "{}", s.id);
        }
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let err = read("nope", Path::new("x.csv"), None).err().unwrap();
        assert!(err.to_string().contains("eth_staking_entities"), "{err}");
    }
}

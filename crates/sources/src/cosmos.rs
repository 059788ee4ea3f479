//! Cosmos-SDK validator sets (`data/envoylabs-cosmos/`).
//!
//! - [`validator_tokens`]: bonded validators of seven chains on 2024-02-20; network = chain,
//!   subject = operator address, entity = moniker, weight = bonded tokens in the chain's base
//!   units (decimals differ between chains, so compare shares, not weights, across chains).
//!   Jailed or not-bonded rows are skipped and counted.
//! - [`valsets`]: monthly CometBFT validator sets of dYdX and Sei; subject = hex consensus
//!   address (no moniker in the data), weight = voting power, time = block time, height = block.

use std::path::Path;

use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, Skipped, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "envoylabs-cosmos";

/// `cosmos_validators`: one consensus observation per bonded, unjailed validator.
pub fn validator_tokens(path: &Path, skipped: Skipped) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &[
        "chain",
        "block_height",
        "block_time",
        "operator_address",
        "moniker",
        "tokens_base_units",
        "status",
        "jailed",
    ];
    let source = source_label(DATASET, path);
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.filter_map(move |row| {
        let row = match row {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let parsed = (|| {
            let bonded = row.required(6)? == "BOND_STATUS_BONDED";
            if !bonded || row.bool(7)? {
                skipped.add(1);
                return Ok(None);
            }
            let mut o = obs(
                row.required(0)?,
                Layer::Consensus,
                row.time(2)?,
                row.required(3)?.to_string(),
                Some(row.str(4))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                row.u128(5)? as f64,
                &source,
            );
            o.height = Some(row.u128(1)? as u64);
            Ok(Some(o))
        })();
        parsed.transpose()
    })))
}

/// `cosmos_valsets`: one consensus observation per validator and monthly snapshot.
pub fn valsets(path: &Path) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &[
        "chain",
        "block_height",
        "block_time",
        "validator_consensus_address",
        "voting_power",
    ];
    let source = source_label(DATASET, path);
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.map(move |row| {
        let row = row?;
        let mut o = obs(
            row.required(0)?,
            Layer::Consensus,
            row.time(2)?,
            row.required(3)?.to_string(),
            None,
            row.weight(4)?,
            &source,
        );
        o.height = Some(row.u128(1)? as u64);
        Ok(o)
    })))
}

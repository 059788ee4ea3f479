//! Uniswap on-chain governance votes (`data/signalcorps-uniswap/`).
//!
//! One governance observation per VoteCast event: network `uniswap`, subject = voter address
//! (no entity), weight = VOTES (UNI), time = BLOCK_TIMESTAMP (UTC), height = BLOCK_NUMBER, and
//! `source` = `<dataset>/<file>#<proposal>` with the proposal decoded by [`proposal_id`]. Votes
//! of every support value (For, Against, Abstain) count: the layer measures who holds voting
//! power, not how it was used.

use std::path::Path;

use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "signalcorps-uniswap";

/// Decodes the upstream `PROPOSAL` value `<governor>.<id>` into `alpha-<id>`, `alpha2-<id>` or
/// `bravo-<id>`.
///
/// Governor Bravo ids are two digits whose trailing zero was lost to float formatting upstream,
/// so `2.1` is Bravo #10, `2.2` Bravo #20, while `2.09` and `2.11` are #9 and #11. Alpha ids are
/// one digit (`0.5`, the voided Alpha #5, is kept as it is in the data).
pub fn proposal_id(raw: &str) -> Option<String> {
    let (governor, id) = raw.split_once('.')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (name, id) = match governor {
        "0" => ("alpha", id.to_string()),
        "1" => ("alpha2", id.to_string()),
        "2" if id.len() == 1 => ("bravo", format!("{id}0")),
        "2" => ("bravo", id.to_string()),
        _ => return None,
    };
    let n: u32 = id.parse().ok()?;
    Some(format!("{name}-{n}"))
}

/// `uniswap_votes`: streams the vote file.
pub fn votes(path: &Path) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &[
        "PROPOSAL",
        "VOTER_ADDRESS",
        "VOTES",
        "BLOCK_NUMBER",
        "BLOCK_TIMESTAMP",
    ];
    let source = source_label(DATASET, path);
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.map(move |row| {
        let row = row?;
        let raw = row.required(0)?;
        let proposal = proposal_id(raw)
            .ok_or_else(|| row.err(0, format!("expected <governor 0|1|2>.<id>, got {raw:?}")))?;
        let mut o = obs(
            "uniswap",
            Layer::Governance,
            row.time(4)?,
            row.required(1)?.to_string(),
            None,
            row.weight(2)?,
            &format!("{source}#{proposal}"),
        );
        o.height = Some(row.u128(3)? as u64);
        Ok(o)
    })))
}

//! Solana validators from validators.app dumps (`data/alpenglow-solana-sui/`): one function per
//! layer from the same file.
//!
//! | layer | subject | entity | weight |
//! |---|---|---|---|
//! | consensus | `vote_account` | `name` when not empty | active stake in SOL |
//! | software | `software_client` | the client | active stake in SOL |
//! | infrastructure | `AS<asn>` | the same | active stake in SOL |
//! | geography | `country_code` | the same | active stake in SOL |
//!
//! A missing ASN, country or client becomes subject `unknown` with no entity (as does the
//! client validators.app calls `Unknown`); a row with an empty `epoch` belongs to the file's epoch. Delinquent
//! validators are kept: their stake is still delegated to them. Epoch 780 has no
//! `software_client`, so it yields no software layer (an error when that layer is asked for).

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "alpenglow-solana-sui";

/// The layers a Solana validator file can give, in output order.
pub const LAYERS: &[Layer] = &[
    Layer::Consensus,
    Layer::Software,
    Layer::Infrastructure,
    Layer::Geography,
];

/// Lamports per SOL.
const LAMPORTS: f64 = 1e9;

/// The snapshot date used for an epoch (the files carry no date).
///
/// - 860 → 2025-10-06: the day upstream committed the validators.app dump, taken while epoch
///   860 was current.
/// - 780 → 2025-04-17: 80 epochs (≈ 2.15 days each, ≈ 172 days) before that, inside the
///   April–May 2025 range SOURCES.md gives.
pub fn epoch_date(epoch: u64) -> Option<DateTime<Utc>> {
    let (y, m, d) = match epoch {
        860 => (2025, 10, 6),
        780 => (2025, 4, 17),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// One validator row.
#[derive(Debug, Clone, PartialEq)]
pub struct Validator {
    /// Vote account (the consensus identity).
    pub vote_account: String,
    /// Operator name, if given.
    pub name: Option<String>,
    /// Active stake in SOL.
    pub stake: f64,
    /// Client implementation (empty in epoch 780).
    pub software_client: String,
    /// Autonomous system number, if known.
    pub asn: String,
    /// ISO country code, if known.
    pub country_code: String,
    /// validators.app's data-centre key (`<asn>-<country>-<city>`), if known.
    pub data_center: String,
}

/// A whole Solana validator file (≈ 1,000 rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The epoch.
    pub epoch: u64,
    /// The date used for it ([`epoch_date`]).
    pub time: DateTime<Utc>,
    /// The validators, in file order.
    pub validators: Vec<Validator>,
}

impl Snapshot {
    /// True when some row names its client (epoch 780 names none).
    pub fn has_software(&self) -> bool {
        self.validators
            .iter()
            .any(|v| !v.software_client.is_empty())
    }
}

/// Reads a validator file.
pub fn snapshot(path: &Path) -> Result<Snapshot, SourceError> {
    const COLS: &[&str] = &[
        "epoch",
        "vote_account",
        "name",
        "active_stake_lamports",
        "software_client",
        "asn",
        "country_code",
        "data_center_key",
    ];
    let mut epoch = None;
    let mut validators = Vec::new();
    for row in Table::open(path, COLS)? {
        let row = row?;
        // One row of epoch 860 has an empty epoch; it belongs to the file's epoch.
        if !row.str(0).is_empty() {
            let e = row.u128(0)? as u64;
            match epoch {
                None => {
                    let time = epoch_date(e).ok_or_else(|| {
                        row.err(
                            0,
                            format!("no snapshot date is known for epoch {e} (known: 780, 860)"),
                        )
                    })?;
                    epoch = Some((e, time));
                }
                Some((first, _)) if first != e => {
                    return Err(row.err(
                        0,
                        format!("one file must hold one epoch: {e} after {first}"),
                    ))
                }
                Some(_) => {}
            }
        }
        validators.push(Validator {
            vote_account: row.required(1)?.to_string(),
            name: Some(row.str(2))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            stake: row.u128(3)? as f64 / LAMPORTS,
            software_client: row.str(4).to_string(),
            asn: row.str(5).to_string(),
            country_code: row.str(6).to_string(),
            data_center: row.str(7).to_string(),
        });
    }
    let (epoch, time) =
        epoch.ok_or_else(|| SourceError::field(path, 1, "epoch", "the file has no rows"))?;
    Ok(Snapshot {
        epoch,
        time,
        validators,
    })
}

/// Observations for `layer` (all available layers when `None`; epoch 780 then skips software).
pub fn read(path: &Path, layer: Option<Layer>) -> Result<Observations, SourceError> {
    let snap = snapshot(path)?;
    let layers: Vec<Layer> =
        match layer {
            Some(Layer::Software) if !snap.has_software() => {
                return Err(SourceError::LayerUnavailable {
                    id: "solana_validators",
                    layer: Layer::Software,
                    path: path.to_path_buf(),
                    reason: format!(
                        "epoch {} has no software_client column values (only software_version)",
                        snap.epoch
                    ),
                })
            }
            Some(l) if LAYERS.contains(&l) => vec![l],
            Some(l) => return Err(SourceError::LayerUnavailable {
                id: "solana_validators",
                layer: l,
                path: path.to_path_buf(),
                reason:
                    "Solana validator files give consensus, software, infrastructure and geography"
                        .into(),
            }),
            None => LAYERS
                .iter()
                .copied()
                .filter(|&l| l != Layer::Software || snap.has_software())
                .collect(),
        };
    let source = source_label(DATASET, path);
    let mut out = Vec::new();
    for l in layers {
        for v in &snap.validators {
            let (subject, entity) = match l {
                Layer::Consensus => (v.vote_account.clone(), v.name.clone()),
                Layer::Software => known(&v.software_client, ""),
                Layer::Infrastructure => known(&v.asn, "AS"),
                _ => known(&v.country_code, ""),
            };
            out.push(Ok(obs(
                "solana", l, snap.time, subject, entity, v.stake, &source,
            )));
        }
    }
    Ok(Box::new(out.into_iter()))
}

/// `prefix + value` as subject and entity, or `unknown` with no entity when empty.
fn known(value: &str, prefix: &str) -> (String, Option<String>) {
    if value.is_empty() {
        ("unknown".into(), None)
    } else if value == "Unknown" {
        (value.into(), None)
    } else {
        let s = format!("{prefix}{value}");
        (s.clone(), Some(s))
    }
}

//! Ethereum validator labels from alrevuelta/eth-deposits (`data/eth-deposits-labels/`):
//! counts of labelled validator public keys per entity, around late 2022.
//!
//! One consensus observation per counted row, weight = `unique_validator_pubkeys`:
//!
//! | rows | network | subject | entity |
//! |---|---|---|---|
//! | `parent_pool` = `lido` | [`LIDO_NETWORK`] | label (`allnodes_lido`) | operator (`allnodes`) |
//! | the rest | `ethereum:deposit-labels:<label_source>` ([`label_network`]) | label | label |
//!
//! The two label sources (`ethereumpools`, `ethsta`) overlap (both label Binance, Kraken,
//! stakefish, …), so each is its own network and they are never summed. Shares are shares of the
//! *labelled* keys of one source, not of all validators: the file gives no total.
//!
//! Skipped and counted ([`Skipped`]): `NA…` counts (label files of ≥ 4 MiB missing from the
//! snapshot: Coinbase in both sources, ethsta's Kraken and Lido) and counts of `0`. The zeros
//! are not evidence of zero validators: every non-Lido `ethereumpools` label file upstream lists
//! `\x`-prefixed keys (e.g. `binance.txt` holds thousands) that the count did not recognise, so
//! a zero would only add fake entities.
//!
//! The file carries no date: every observation is dated [`snapshot_date`] (2022-12-31). The
//! labels were committed 2023-05-03; Lido's 129,832 keys match its size around Q4 2022.
//! `source` = `<dataset>/<file>#<repo_path>`.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, Skipped, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "eth-deposits-labels";
/// Network of Lido's per-operator split.
pub const LIDO_NETWORK: &str = "ethereum:lido-operators-2022";

/// The date every observation gets: 2022-12-31 ("around late 2022"; see the module docs).
pub fn snapshot_date() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2022, 12, 31)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// Network of the non-Lido labels of one label source: `ethereum:deposit-labels:<source>`.
pub fn label_network(label_source: &str) -> String {
    format!("ethereum:deposit-labels:{label_source}")
}

/// Lido's operator name from its label: `allnodes_lido` → `allnodes`.
pub fn lido_operator(label: &str) -> &str {
    label
        .strip_suffix("_lido")
        .filter(|s| !s.is_empty())
        .unwrap_or(label)
}

/// `eth_deposit_labels`: streams the label counts.
pub fn labels(path: &Path, skipped: Skipped) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &[
        "label_source",
        "repo_path",
        "entity",
        "parent_pool",
        "unique_validator_pubkeys",
    ];
    let label = source_label(DATASET, path);
    let time = snapshot_date();
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.filter_map(move |row| {
        let row = match row {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let parsed = (|| {
            let label_source = row.required(0)?;
            let repo_path = row.required(1)?;
            let entity = row.required(2)?;
            let network = match row.str(3) {
                "" => label_network(label_source),
                "lido" => LIDO_NETWORK.to_string(),
                other => return Err(row.err(3, format!("expected `lido` or empty, got {other:?}"))),
            };
            let count = row.str(4);
            if count.starts_with("NA") {
                skipped.add(1);
                return Ok(None);
            }
            let n = row.u128(4)?;
            if n == 0 {
                skipped.add(1);
                return Ok(None);
            }
            let owner = if network == LIDO_NETWORK {
                lido_operator(entity)
            } else {
                entity
            };
            Ok(Some(obs(
                &network,
                Layer::Consensus,
                time,
                entity.to_string(),
                Some(owner.to_string()),
                n as f64,
                &format!("{label}#{repo_path}"),
            )))
        })();
        parsed.transpose()
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lido_operators_and_label_sources_are_separate_networks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        std::fs::write(
            &path,
            "label_source,repo_path,entity,parent_pool,unique_validator_pubkeys\n\
             ethereumpools,ethereumpools/binance.txt,binance,,0\n\
             ethereumpools,ethereumpools/lido/p2porg_lido.txt,p2porg_lido,lido,7391\n\
             ethsta,ethsta/binance.csv,binance,,4726\n\
             ethsta,ethsta/kraken.csv,kraken,,NA_file_over_4MiB_absent_from_snapshot\n",
        )
        .unwrap();
        let skipped = Skipped::default();
        let obs: Vec<_> = labels(&path, skipped.clone())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(obs.len(), 2);
        assert_eq!(skipped.get(), 2, "one zero, one NA");
        assert_eq!(obs[0].network, "ethereum:lido-operators-2022");
        assert_eq!(obs[0].subject, "p2porg_lido");
        assert_eq!(obs[0].entity.as_deref(), Some("p2porg"));
        assert_eq!(obs[0].weight, 7391.0);
        assert_eq!(
            obs[0].source.as_deref(),
            Some("eth-deposits-labels/labels.csv#ethereumpools/lido/p2porg_lido.txt")
        );
        assert_eq!(obs[1].network, "ethereum:deposit-labels:ethsta");
        assert_eq!(obs[1].entity.as_deref(), Some("binance"));
        assert_eq!(obs[1].time.to_rfc3339(), "2022-12-31T00:00:00+00:00");
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        std::fs::write(
            &path,
            "label_source,repo_path,entity,parent_pool,unique_validator_pubkeys\n\
             ethsta,ethsta/a.csv,a,,-4\n\
             ethsta,ethsta/a.csv,a,rocketpool,4\n",
        )
        .unwrap();
        let errs: Vec<_> = labels(&path, Skipped::default())
            .unwrap()
            .filter_map(Result::err)
            .map(|e| e.to_string())
            .collect();
        assert!(errs[0].ends_with(
            "labels.csv:2: field \"unique_validator_pubkeys\": expected an integer ≥ 0, got \"-4\""
        ));
        assert!(errs[1].ends_with(
            "labels.csv:3: field \"parent_pool\": expected `lido` or empty, got \"rocketpool\""
        ));
    }

    #[test]
    fn operator_names() {
        assert_eq!(lido_operator("allnodes_lido"), "allnodes");
        assert_eq!(lido_operator("_lido"), "_lido");
        assert_eq!(lido_operator("kiln"), "kiln");
    }
}

//! Node crawls published by the Edinburgh Decentralisation Index (`data/edi-published/`).
//!
//! - [`network`]: `network/clustered_organizations_<ledger>.csv`, node count per hosting
//!   organisation → layer `infrastructure`.
//! - [`geography`]: `geography/countries_<ledger>.csv`, node count per country → layer
//!   `geography`.
//! - [`software_clients`]: `software/doughnut/clients/<ledger>.csv`, node count per client
//!   implementation → layer `software`.
//!
//! The files start with `Organizations,<date>` (`Countries,<date>`, `Clients,<date>`): the
//! crawl date, used as the time of every row. Subject and entity are the organisation, country
//! or client as EDI names it (EDI's hosting "organisation" is the first word of the ISP name, so
//! `The` or `LLC` appear, and Tor is one organisation); the client EDI calls `Unknown` (nodes
//! whose client the crawler could not tell) has no entity. weight = node count. The network is
//! taken from `<ledger>` ([`network_id`]).

use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{open, source_label};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "edi-published";

/// Network id for an EDI ledger name: `consensus` and `execution` (the client files say
/// `ethereum_consensus`, `ethereum_execution`) are Ethereum's node crawls
/// (`ethereum:edi:consensus`, `ethereum:edi:execution`), `bitcoin_without_tor` is
/// `bitcoin:without-tor`, and every other ledger keeps its name (`bitcoin`, `cardano`, …).
pub fn network_id(ledger: &str) -> String {
    match ledger {
        "consensus" | "execution" => format!("ethereum:edi:{ledger}"),
        "ethereum_consensus" => "ethereum:edi:consensus".into(),
        "ethereum_execution" => "ethereum:edi:execution".into(),
        "bitcoin_without_tor" => "bitcoin:without-tor".into(),
        other => other.to_string(),
    }
}

/// `edi_network`: infrastructure observations from `clustered_organizations_<ledger>.csv`.
pub fn network(path: &Path) -> Result<Observations, SourceError> {
    read(
        path,
        "clustered_organizations_",
        "Organizations",
        Layer::Infrastructure,
    )
}

/// `edi_geography`: geography observations from `countries_<ledger>.csv`.
pub fn geography(path: &Path) -> Result<Observations, SourceError> {
    read(path, "countries_", "Countries", Layer::Geography)
}

/// `edi_software_clients`: software observations from `clients/<ledger>.csv`; the client
/// `Unknown` has no entity.
pub fn software_clients(path: &Path) -> Result<Observations, SourceError> {
    read(path, "", "Clients", Layer::Software)
}

fn read(path: &Path, prefix: &str, label: &str, layer: Layer) -> Result<Observations, SourceError> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let ledger = stem.strip_prefix(prefix).ok_or_else(|| {
        SourceError::field(
            path,
            0,
            "file name",
            format!("expected {prefix}<ledger>.csv, got {stem:?}"),
        )
    })?;
    let network = network_id(ledger);
    // Client files are named by ledger only: keep their folder in `source`.
    let source = match layer {
        Layer::Software => source_label(&format!("{DATASET}/software/doughnut/clients"), path),
        _ => source_label(DATASET, path),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(open(path)?);
    let mut records = reader.records();
    let csv_err = |source: csv::Error| SourceError::Csv {
        path: path.to_path_buf(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    };
    let first = records
        .next()
        .transpose()
        .map_err(csv_err)?
        .ok_or_else(|| SourceError::field(path, 1, "date", "the file is empty"))?;
    let first_label = first
        .get(0)
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .trim();
    if first_label != label {
        return Err(SourceError::field(
            path,
            1,
            "label",
            format!("expected a first line `{label},YYYY-MM-DD`, got {first_label:?}"),
        ));
    }
    let date_text = first.get(1).unwrap_or("").trim();
    let time = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
        .map_err(|_| {
            SourceError::field(
                path,
                1,
                "date",
                format!("expected a first line `{label},YYYY-MM-DD`, got {date_text:?}"),
            )
        })?
        .and_time(NaiveTime::MIN)
        .and_utc();
    let mut out = Vec::new();
    for record in records {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(0, |p| p.line());
        // EDI publishes a few rows with no name (nodes whose ISP it could not name): they
        // become subject `unknown` with no entity, as missing values do in every adapter.
        let name = match record.get(0).unwrap_or("").trim() {
            "" => "unknown",
            n => n,
        };
        let count_text = record.get(1).unwrap_or("").trim();
        let count = count_text
            .parse::<f64>()
            .ok()
            .filter(|c| c.is_finite() && *c >= 0.0)
            .ok_or_else(|| {
                SourceError::field(
                    path,
                    line,
                    "count",
                    format!("expected a node count ≥ 0, got {count_text:?}"),
                )
            })?;
        let entity = (name != "unknown" && (layer != Layer::Software || name != "Unknown"))
            .then(|| name.to_string());
        out.push(Ok(obs(
            &network,
            layer,
            time,
            name.to_string(),
            entity,
            count,
            &source,
        )));
    }
    Ok(Box::new(out.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_crawls_keep_unknown_without_entity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ethereum_execution.csv");
        std::fs::write(&path, "Clients,2026-06-26\nUnknown,6825\nGeth,1222\n").unwrap();
        let obs: Vec<_> = software_clients(&path)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[0].network, "ethereum:edi:execution");
        assert_eq!(obs[0].layer, Layer::Software);
        assert_eq!(
            (obs[0].subject.as_str(), obs[0].entity.as_deref()),
            ("Unknown", None)
        );
        assert_eq!(obs[1].entity.as_deref(), Some("Geth"));
        assert_eq!(
            obs[1].source.as_deref(),
            Some("edi-published/software/doughnut/clients/ethereum_execution.csv")
        );
        assert_eq!(obs[1].time.to_rfc3339(), "2026-06-26T00:00:00+00:00");
    }

    #[test]
    fn an_unnamed_organisation_is_unknown() {
        // clustered_organizations_bitcoin_without_tor.csv has one such row (10 nodes).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clustered_organizations_bitcoin.csv");
        std::fs::write(&path, "Organizations,2026-07-07\nHetzner,587\n,10\n").unwrap();
        let obs: Vec<_> = network(&path).unwrap().map(Result::unwrap).collect();
        assert_eq!(
            (
                obs[1].subject.as_str(),
                obs[1].entity.as_deref(),
                obs[1].weight
            ),
            ("unknown", None, 10.0)
        );
    }

    #[test]
    fn the_first_line_must_carry_the_expected_label() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bitcoin.csv");
        std::fs::write(&path, "Countries,2026-07-01\nUS,3\n").unwrap();
        let err = software_clients(&path).err().unwrap().to_string();
        assert!(
            err.ends_with(
                "bitcoin.csv:1: field \"label\": expected a first line `Clients,YYYY-MM-DD`, got \"Countries\""
            ),
            "{err}"
        );
        std::fs::write(&path, "Clients,2026-07-01\nBitcoin Core,many\n").unwrap();
        let err = software_clients(&path).err().unwrap().to_string();
        assert!(
            err.ends_with(
                "bitcoin.csv:2: field \"count\": expected a node count ≥ 0, got \"many\""
            ),
            "{err}"
        );
    }

    #[test]
    fn ledger_network_ids() {
        assert_eq!(network_id("ethereum_consensus"), "ethereum:edi:consensus");
        assert_eq!(network_id("consensus"), "ethereum:edi:consensus");
        assert_eq!(network_id("bitcoin_without_tor"), "bitcoin:without-tor");
        assert_eq!(network_id("zcash"), "zcash");
    }
}

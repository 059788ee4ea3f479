//! Node crawls published by the Edinburgh Decentralisation Index (`data/edi-published/`).
//!
//! - [`network`]: `network/clustered_organizations_<ledger>.csv`, node count per hosting
//!   organisation → layer `infrastructure`.
//! - [`geography`]: `geography/countries_<ledger>.csv`, node count per country → layer
//!   `geography`.
//!
//! Both files start with `Organizations,<date>` (or `Countries,<date>`): the crawl date, used
//! as the time of every row. Subject and entity are the organisation or country as EDI names it
//! (EDI's hosting "organisation" is the first word of the ISP name, so `The` or `LLC` appear,
//! and Tor is one organisation); weight = node count. The network is taken from `<ledger>`
//! ([`network_id`]).

use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{open, source_label};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "edi-published";

/// Network id for an EDI ledger name: `consensus` and `execution` are Ethereum's node crawls
/// (`ethereum:edi:consensus`, `ethereum:edi:execution`), `bitcoin_without_tor` is
/// `bitcoin:without-tor`, and every other ledger keeps its name (`bitcoin`, `cardano`, …).
pub fn network_id(ledger: &str) -> String {
    match ledger {
        "consensus" | "execution" => format!("ethereum:edi:{ledger}"),
        "bitcoin_without_tor" => "bitcoin:without-tor".into(),
        other => other.to_string(),
    }
}

/// `edi_network`: infrastructure observations from `clustered_organizations_<ledger>.csv`.
pub fn network(path: &Path) -> Result<Observations, SourceError> {
    read(path, "clustered_organizations_", Layer::Infrastructure)
}

/// `edi_geography`: geography observations from `countries_<ledger>.csv`.
pub fn geography(path: &Path) -> Result<Observations, SourceError> {
    read(path, "countries_", Layer::Geography)
}

fn read(path: &Path, prefix: &str, layer: Layer) -> Result<Observations, SourceError> {
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
    let source = source_label(DATASET, path);
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
    let date_text = first.get(1).unwrap_or("").trim();
    let time = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
        .map_err(|_| {
            SourceError::field(
                path,
                1,
                "date",
                format!("expected a first line `<label>,YYYY-MM-DD`, got {date_text:?}"),
            )
        })?
        .and_time(NaiveTime::MIN)
        .and_utc();
    let mut out = Vec::new();
    for record in records {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(0, |p| p.line());
        let name = record.get(0).unwrap_or("").trim();
        if name.is_empty() {
            return Err(SourceError::field(path, line, "name", "must not be empty"));
        }
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
        out.push(Ok(obs(
            &network,
            layer,
            time,
            name.to_string(),
            Some(name.to_string()),
            count,
            &source,
        )));
    }
    Ok(Box::new(out.into_iter()))
}

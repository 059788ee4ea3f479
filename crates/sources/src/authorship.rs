//! Authorship distributions published by the Edinburgh Decentralisation Index
//! (`data/edi-published/`): who writes the code, and who writes the improvement proposals.
//!
//! - [`code`] (`edi_code_authorship`): `software/doughnut/<ledger>/by_<measure>_per_author.csv`,
//!   contribution per commit author over the whole history of the ledger's client repositories
//!   (several repositories of one ledger merged, as EDI does) → layer `software`, network
//!   [`code_network`]. The measure is the file's: `number_of_commits` (the shipped files; one
//!   unit per commit) or `lines_changed` (lines added + deleted).
//! - [`proposals`] (`edi_governance`): `governance/authorship/authorship_<ledger>.csv`, improvement
//!   proposals (BIP, EIP, CIP) per author → layer `governance`, network `<ledger>:proposals`,
//!   weight = `weighted_contribution` (each proposal's one unit split between its co-authors, so
//!   the weights add up to about the number of proposals).
//!
//! subject = entity = the author as EDI names it (EDI merges an author's aliases). Neither file
//! carries a date: see [`CODE_DATE`] and [`PROPOSALS_DATE`]. `source` is
//! `edi-published/software/doughnut/<ledger>/<file>` (the code file names repeat per ledger)
//! and `edi-published/<file>`.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{open, source_label, Table};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "edi-published";

/// Date of every code-authorship observation: 2026-07-06, the latest window of EDI's software
/// line series published with the doughnuts (they cover each ledger's history up to EDI's
/// crawl; repositories that stopped earlier, such as solana-labs/solana, end earlier).
pub const CODE_DATE: (i32, u32, u32) = (2026, 7, 6);
/// Date of every proposal-authorship observation: 2025-12-31, the end of the last year the
/// per-year proposal metrics published beside the files cover (the authorship is cumulative).
pub const PROPOSALS_DATE: (i32, u32, u32) = (2025, 12, 31);

fn date((y, m, d): (i32, u32, u32)) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// The code-contribution measures [`code`] reads, by the name in the file name, with the id
/// used in the network.
pub const CODE_MEASURES: &[(&str, &str)] =
    &[("number_of_commits", "commits"), ("lines_changed", "lines")];

/// Network of one ledger's code authorship: `<chain>:code:<measure>`, where Ethereum's two
/// client families are `ethereum:consensus-code:…` and `ethereum:execution-code:…`
/// (`bitcoin:code:commits`, `ethereum:execution-code:lines`). The measure is part of the id so
/// commits and lines are never summed.
pub fn code_network(ledger: &str, measure: &str) -> String {
    match ledger.strip_prefix("ethereum_") {
        Some(part) => format!("ethereum:{part}-code:{measure}"),
        None => format!("{ledger}:code:{measure}"),
    }
}

/// Network of one ledger's proposal authorship: `<ledger>:proposals`.
pub fn proposals_network(ledger: &str) -> String {
    format!("{ledger}:proposals")
}

/// `edi_code_authorship`: one software observation per author (file without header:
/// `author,value`), streamed.
pub fn code(path: &Path) -> Result<Observations, SourceError> {
    let name = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let (field, measure) = name
        .strip_prefix("by_")
        .and_then(|s| s.strip_suffix("_per_author.csv"))
        .and_then(|m| CODE_MEASURES.iter().find(|(file, _)| *file == m))
        .copied()
        .ok_or_else(|| {
            SourceError::field(
                path,
                0,
                "file name",
                format!(
                    "expected by_number_of_commits_per_author.csv or by_lines_changed_per_author.csv, got {name:?}"
                ),
            )
        })?;
    let ledger = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            SourceError::field(
                path,
                0,
                "folder",
                "expected software/doughnut/<ledger>/ as the file's folder",
            )
        })?;
    let network = code_network(ledger, measure);
    let source = source_label(&format!("{DATASET}/software/doughnut/{ledger}"), path);
    let time = date(CODE_DATE);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(open(path)?);
    let path = path.to_path_buf();
    Ok(Box::new(reader.into_records().map(move |record| {
        let record = record.map_err(|source| SourceError::Csv {
            path: path.clone(),
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let author = record.get(0).unwrap_or("").trim();
        if author.is_empty() {
            return Err(SourceError::field(
                &path,
                line,
                "author",
                "must not be empty",
            ));
        }
        let text = record.get(1).unwrap_or("").trim();
        let value = text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                SourceError::field(
                    &path,
                    line,
                    field,
                    format!("expected a number ≥ 0, got {text:?}"),
                )
            })?;
        Ok(obs(
            &network,
            Layer::Software,
            time,
            author.to_string(),
            Some(author.to_string()),
            value,
            &source,
        ))
    })))
}

/// `edi_governance`: one governance observation per proposal author, streamed.
pub fn proposals(path: &Path) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &["author", "weighted_contribution"];
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let ledger = stem
        .strip_prefix("authorship_")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            SourceError::field(
                path,
                0,
                "file name",
                format!("expected authorship_<ledger>.csv, got {stem:?}"),
            )
        })?;
    let network = proposals_network(ledger);
    let source = source_label(DATASET, path);
    let time = date(PROPOSALS_DATE);
    let table = Table::open(path, COLS)?;
    Ok(Box::new(table.map(move |row| {
        let row = row?;
        let author = row.required(0)?;
        Ok(obs(
            &network,
            Layer::Governance,
            time,
            author.to_string(),
            Some(author.to_string()),
            row.weight(1)?,
            &source,
        ))
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_ids() {
        assert_eq!(code_network("bitcoin", "commits"), "bitcoin:code:commits");
        assert_eq!(
            code_network("ethereum_execution", "lines"),
            "ethereum:execution-code:lines"
        );
        assert_eq!(proposals_network("cardano"), "cardano:proposals");
    }

    #[test]
    fn code_reads_author_rows_and_names_the_measure() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("zcash");
        std::fs::create_dir(&folder).unwrap();
        let path = folder.join("by_lines_changed_per_author.csv");
        std::fs::write(&path, "Gavin Andresen,404795\n\"Doe, Jane\",0\n").unwrap();
        let obs: Vec<_> = code(&path).unwrap().map(Result::unwrap).collect();
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[0].network, "zcash:code:lines");
        assert_eq!(obs[0].layer, Layer::Software);
        assert_eq!(obs[0].weight, 404_795.0);
        assert_eq!(obs[1].entity.as_deref(), Some("Doe, Jane"));
        assert_eq!(obs[0].time.to_rfc3339(), "2026-07-06T00:00:00+00:00");
        assert_eq!(
            obs[0].source.as_deref(),
            Some("edi-published/software/doughnut/zcash/by_lines_changed_per_author.csv")
        );

        std::fs::write(&path, "a,1\nb,x\n").unwrap();
        let err = code(&path)
            .unwrap()
            .find_map(Result::err)
            .unwrap()
            .to_string();
        assert!(
            err.ends_with(":2: field \"lines_changed\": expected a number ≥ 0, got \"x\""),
            "{err}"
        );
        std::fs::write(&path, "a,1\nb\n").unwrap();
        let err = code(&path)
            .unwrap()
            .find_map(Result::err)
            .unwrap()
            .to_string();
        assert!(err.contains(":2:"), "{err}");

        let merges = folder.join("by_merge_commits_per_author.csv");
        std::fs::write(&merges, "a,1\n").unwrap();
        let err = code(&merges).err().unwrap().to_string();
        assert!(
            err.contains("expected by_number_of_commits_per_author.csv"),
            "{err}"
        );
    }

    #[test]
    fn proposals_read_weighted_contributions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authorship_bitcoin.csv");
        std::fs::write(
            &path,
            "rank,author,weighted_contribution,percentage\n1,Pieter Wuille,15.3,8.66\n2,Ava Chow,-1,6.97\n",
        )
        .unwrap();
        let mut obs = proposals(&path).unwrap();
        let first = obs.next().unwrap().unwrap();
        assert_eq!(first.network, "bitcoin:proposals");
        assert_eq!(first.layer, Layer::Governance);
        assert_eq!(first.weight, 15.3);
        assert_eq!(first.time.to_rfc3339(), "2025-12-31T00:00:00+00:00");
        let err = obs.next().unwrap().unwrap_err().to_string();
        assert!(
            err.ends_with(":3: field \"weighted_contribution\": expected a number ≥ 0, got \"-1\""),
            "{err}"
        );
        let err = proposals(&dir.path().join("votes.csv"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("expected authorship_<ledger>.csv"), "{err}");
    }
}

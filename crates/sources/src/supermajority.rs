//! Per-operator Ethereum validator counts by execution client, from supermajority.info's
//! `services.json` history (`data/supermajority-operators/`).
//!
//! The file holds every committed version of the list (`commit_date`, `commit`) with one row per
//! (operator, execution client): `validator_count`. Two layers come from it:
//!
//! | layer | network | subject | entity | weight |
//! |---|---|---|---|---|
//! | consensus | [`CONSENSUS_NETWORK`] | operator | operator | validators, summed over its clients |
//! | software | [`SOFTWARE_NETWORK`] | `<operator>/<client>` | client (`Unknown` → `unknown`) | validators |
//!
//! time = `commit_date` (00:00 UTC); `source` = `<dataset>/<file>#<commit>`.
//!
//! **Counts are self-reported** by the operators (or copied from Lido's node-operator report),
//! not measured on chain, and cover only the operators that reported: shares are shares of the
//! reported validators, not of all of Ethereum. The CEX rows (Binance, Kraken, OKX, …) report
//! client `Unknown`, kept as the explicit entity `unknown` (never dropped).
//!
//! Two versions were committed on the same day twice (2024-02-26, 2024-04-02). Within one
//! day the version listed last in the file (the file lists versions oldest first) supersedes
//! the earlier ones: their rows are skipped and counted ([`Skipped`]), so a day never sums two
//! versions of the same list.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, Skipped, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "supermajority-operators";
/// Network of the consensus layer: validators per reporting operator.
pub const CONSENSUS_NETWORK: &str = "ethereum:operators";
/// Network of the software layer: the same validators by execution client.
pub const SOFTWARE_NETWORK: &str = "ethereum:operators-by-execution-client";
/// The layers this source gives, in output order.
pub const LAYERS: &[Layer] = &[Layer::Consensus, Layer::Software];
/// Entity of the validators whose client the operator did not report (`Unknown` upstream).
pub const UNKNOWN_CLIENT: &str = "unknown";

/// One committed version of the operator list.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// `commit_date` (00:00 UTC).
    pub day: DateTime<Utc>,
    /// The upstream commit (abbreviated hash as the file gives it).
    pub commit: String,
    /// (operator, execution client, validators), in file order.
    pub rows: Vec<(String, String, f64)>,
}

impl Version {
    /// Validators per operator (summed over its clients), in order of first appearance.
    pub fn operators(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = Vec::new();
        for (operator, _, n) in &self.rows {
            match out.iter_mut().find(|(o, _)| o == operator) {
                Some((_, sum)) => *sum += n,
                None => out.push((operator.clone(), *n)),
            }
        }
        out
    }

    /// All validators of this version.
    pub fn total(&self) -> f64 {
        self.rows.iter().map(|r| r.2).sum()
    }
}

/// Reads the history: one [`Version`] per `commit_date`, oldest first. Rows of a version
/// superseded by a later one on the same day are added to `skipped`. The file is small
/// (1,626 rows), so it is read whole.
pub fn versions(path: &Path, skipped: &Skipped) -> Result<Vec<Version>, SourceError> {
    const COLS: &[&str] = &[
        "commit_date",
        "commit",
        "operator",
        "execution_client",
        "validator_count",
    ];
    let mut days: BTreeMap<DateTime<Utc>, Version> = BTreeMap::new();
    let mut superseded: HashSet<(DateTime<Utc>, String)> = HashSet::new();
    for row in Table::open(path, COLS)? {
        let row = row?;
        let day = row.day(0)?;
        let commit = row.required(1)?;
        let operator = row.required(2)?.to_string();
        let client = row.required(3)?.to_string();
        let validators = row.weight(4)?;
        if superseded.contains(&(day, commit.to_string())) {
            return Err(row.err(
                1,
                format!(
                    "commit {commit:?} reappears after a later version of {}; each version must be one block of rows",
                    day.format("%Y-%m-%d")
                ),
            ));
        }
        let version = days.entry(day).or_insert_with(|| Version {
            day,
            commit: commit.to_string(),
            rows: Vec::new(),
        });
        if version.commit != commit {
            skipped.add(version.rows.len() as u64);
            superseded.insert((
                day,
                std::mem::replace(&mut version.commit, commit.to_string()),
            ));
            version.rows.clear();
        }
        version.rows.push((operator, client, validators));
    }
    Ok(days.into_values().collect())
}

/// `eth_lido_operators`: observations of `layer` (both layers when `None`).
pub fn read(
    path: &Path,
    layer: Option<Layer>,
    skipped: &Skipped,
) -> Result<Observations, SourceError> {
    let layers: Vec<Layer> = match layer {
        None => LAYERS.to_vec(),
        Some(l) if LAYERS.contains(&l) => vec![l],
        Some(l) => return Err(SourceError::LayerUnavailable {
            id: "eth_lido_operators",
            layer: l,
            path: path.to_path_buf(),
            reason:
                "it gives consensus (validators per operator) and software (by execution client)"
                    .into(),
        }),
    };
    let versions = versions(path, skipped)?;
    let label = source_label(DATASET, path);
    let mut out = Vec::new();
    for l in layers {
        for v in &versions {
            let source = format!("{label}#{}", v.commit);
            if l == Layer::Consensus {
                for (operator, n) in v.operators() {
                    out.push(Ok(obs(
                        CONSENSUS_NETWORK,
                        l,
                        v.day,
                        operator.clone(),
                        Some(operator),
                        n,
                        &source,
                    )));
                }
            } else {
                for (operator, client, n) in &v.rows {
                    out.push(Ok(obs(
                        SOFTWARE_NETWORK,
                        l,
                        v.day,
                        format!("{operator}/{client}"),
                        Some(client_entity(client)),
                        *n,
                        &source,
                    )));
                }
            }
        }
    }
    Ok(Box::new(out.into_iter()))
}

/// The entity of an execution client as the file names it: the name itself, except
/// `Unknown` (any case), which becomes the explicit entity [`UNKNOWN_CLIENT`].
pub fn client_entity(client: &str) -> String {
    if client.eq_ignore_ascii_case("unknown") {
        UNKNOWN_CLIENT.to_string()
    } else {
        client.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "commit_date,commit,operator,execution_client,validator_count,source_is_lido_hex_report,source_url\n";

    fn file(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops.csv");
        std::fs::write(&path, format!("{HEADER}{body}")).unwrap();
        (dir, path)
    }

    #[test]
    fn operators_sum_their_clients_and_unknown_is_kept() {
        let (_d, path) = file(
            "2024-01-01,aaa,Kiln,Geth,10,yes,\n\
             2024-01-01,aaa,Kiln,Nethermind,5,yes,\n\
             2024-01-01,aaa,Binance,Unknown,7,,\n",
        );
        let skipped = Skipped::default();
        let obs: Vec<_> = read(&path, None, &skipped)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(obs.len(), 2 + 3);
        assert_eq!(obs[0].network, CONSENSUS_NETWORK);
        assert_eq!((obs[0].subject.as_str(), obs[0].weight), ("Kiln", 15.0));
        assert_eq!(
            obs[0].source.as_deref(),
            Some("supermajority-operators/ops.csv#aaa")
        );
        let unknown = obs.iter().find(|o| o.subject == "Binance/Unknown").unwrap();
        assert_eq!(unknown.network, SOFTWARE_NETWORK);
        assert_eq!(unknown.entity.as_deref(), Some("unknown"));
        assert_eq!(skipped.get(), 0);
    }

    #[test]
    fn a_later_version_the_same_day_supersedes_the_earlier() {
        let (_d, path) = file(
            "2024-01-01,aaa,Kiln,Geth,10,,\n\
             2024-01-01,aaa,Lido,Geth,3,,\n\
             2024-01-01,bbb,Kiln,Geth,12,,\n\
             2024-01-02,ccc,Kiln,Geth,13,,\n",
        );
        let skipped = Skipped::default();
        let v = versions(&path, &skipped).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].commit, "bbb");
        assert_eq!(v[0].total(), 12.0);
        assert_eq!(skipped.get(), 2);
    }

    #[test]
    fn interleaved_versions_and_bad_counts_are_errors() {
        let (_d, path) = file(
            "2024-01-01,aaa,Kiln,Geth,10,,\n\
             2024-01-01,bbb,Kiln,Geth,12,,\n\
             2024-01-01,aaa,Lido,Geth,3,,\n",
        );
        let err = versions(&path, &Skipped::default())
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("ops.csv:4: field \"commit\": commit \"aaa\" reappears after a later version of 2024-01-01; each version must be one block of rows"), "{err}");
        let (_d, path) = file("2024-01-01,aaa,Kiln,Geth,many,,\n");
        let err = versions(&path, &Skipped::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(":2: field \"validator_count\": expected a number ≥ 0, got \"many\""),
            "{err}"
        );
        let err = read(&path, Some(Layer::Geography), &Skipped::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot produce layer geography"), "{err}");
    }

    #[test]
    fn layer_selection() {
        let (_d, path) = file("2024-01-01,aaa,Kiln,Geth,10,,\n2024-01-01,aaa,Kiln,Besu,1,,\n");
        let only = |l| read(&path, Some(l), &Skipped::default()).unwrap().count();
        assert_eq!(only(Layer::Consensus), 1);
        assert_eq!(only(Layer::Software), 2);
    }
}

//! Sui validators (`data/alpenglow-solana-sui/sui_validators.csv`, verbatim from the Alpenglow
//! research repo): stake in SUI by validator, hosting provider and country.
//!
//! | layer | subject | entity |
//! |---|---|---|
//! | consensus | `name` | the same |
//! | infrastructure | `cloud` (the IP's registered organisation) | the same, see [`cloud`] |
//! | geography | `country` (ISO code) | the same |
//!
//! network `sui`, **weight = `stake`** (SUI) in every layer. An empty `cloud` or `country`
//! becomes subject `unknown` with no entity (one validator, Stakely, has no IP at all); the
//! cloud value that is a street address rather than an organisation is mapped ([`cloud`]).
//!
//! The file carries no date: every observation is dated [`snapshot_date`], 2025-04-29, the
//! day upstream committed it.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::Layer;

use crate::ethereum::obs;
use crate::table::{source_label, Table};
use crate::{Observations, SourceError};

/// Dataset folder under `data/`.
pub const DATASET: &str = "alpenglow-solana-sui";
/// The network id.
pub const NETWORK: &str = "sui";
/// The layers a Sui validator file gives, in output order.
pub const LAYERS: &[Layer] = &[Layer::Consensus, Layer::Infrastructure, Layer::Geography];
/// Subject of a row with no cloud or country.
pub const UNKNOWN: &str = "unknown";

/// Cloud values that are not organisation names, and the organisation they stand for.
///
/// `Tencent Building, Kejizhongyi Avenue` is the registrant address the IP database gives for
/// Tencent Cloud's ranges (43.130.0.0/16 here), not an organisation.
pub const CLOUD_ALIASES: &[(&str, &str)] =
    &[("Tencent Building, Kejizhongyi Avenue", "Tencent Cloud")];

/// The date every observation gets: 2025-04-29, when upstream committed the file.
pub fn snapshot_date() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2025, 4, 29)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// Subject and entity for a `cloud` value: empty → (`unknown`, none); an alias in
/// [`CLOUD_ALIASES`] → (raw value, the organisation); otherwise the value for both.
pub fn cloud(value: &str) -> (String, Option<String>) {
    if value.is_empty() {
        return (UNKNOWN.into(), None);
    }
    let entity = CLOUD_ALIASES
        .iter()
        .find(|(raw, _)| *raw == value)
        .map_or(value, |(_, org)| org);
    (value.to_string(), Some(entity.to_string()))
}

/// `sui_validators`: observations of `layer` (all three when `None`), streamed: the file is
/// read once per layer.
pub fn read(path: &Path, layer: Option<Layer>) -> Result<Observations, SourceError> {
    const COLS: &[&str] = &["name", "stake", "cloud", "country"];
    let layers: Vec<Layer> = match layer {
        None => LAYERS.to_vec(),
        Some(l) if LAYERS.contains(&l) => vec![l],
        Some(l) => {
            return Err(SourceError::LayerUnavailable {
                id: "sui_validators",
                layer: l,
                path: path.to_path_buf(),
                reason: "Sui validator files give consensus, infrastructure and geography".into(),
            })
        }
    };
    let source = source_label(DATASET, path);
    let time = snapshot_date();
    let mut parts: Vec<Observations> = Vec::new();
    for l in layers {
        let table = Table::open(path, COLS)?;
        let source = source.clone();
        parts.push(Box::new(table.map(move |row| {
            let row = row?;
            let name = row.required(0)?;
            let stake = row.weight(1)?;
            let (subject, entity) = match l {
                Layer::Consensus => (name.to_string(), Some(name.to_string())),
                Layer::Infrastructure => cloud(row.str(2)),
                _ => match row.str(3) {
                    "" => (UNKNOWN.into(), None),
                    c => (c.to_string(), Some(c.to_string())),
                },
            };
            Ok(obs(NETWORK, l, time, subject, entity, stake, &source))
        })));
    }
    Ok(Box::new(parts.into_iter().flatten()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sui.csv");
        std::fs::write(
            &path,
            format!("name,stake,address,ip,cloud,city,country,coords,ping\n{body}"),
        )
        .unwrap();
        (dir, path)
    }

    #[test]
    fn three_layers_with_unknown_and_aliased_clouds() {
        let (_d, path) = file(
            "A,10.5,/dns/a,1.2.3.4,OVH SAS,Lille,FR,\"1,2\",0\n\
             B,4,/dns/b,,,,,\"1,2\",0\n\
             C,1,/dns/c,43.130.1.1,\"Tencent Building, Kejizhongyi Avenue\",Ashburn,US,\"1,2\",0\n",
        );
        let obs: Vec<_> = read(&path, None).unwrap().map(Result::unwrap).collect();
        assert_eq!(obs.len(), 9);
        assert!(obs.iter().all(|o| o.network == "sui"));
        assert_eq!(obs[0].layer, Layer::Consensus);
        assert_eq!(obs[0].weight, 10.5);
        assert_eq!(obs[0].time.to_rfc3339(), "2025-04-29T00:00:00+00:00");
        let infra: Vec<_> = obs
            .iter()
            .filter(|o| o.layer == Layer::Infrastructure)
            .collect();
        assert_eq!(infra[0].entity.as_deref(), Some("OVH SAS"));
        assert_eq!(
            (infra[1].subject.as_str(), infra[1].entity.as_deref()),
            ("unknown", None)
        );
        assert_eq!(infra[2].subject, "Tencent Building, Kejizhongyi Avenue");
        assert_eq!(infra[2].entity.as_deref(), Some("Tencent Cloud"));
        let geo: Vec<_> = obs.iter().filter(|o| o.layer == Layer::Geography).collect();
        assert_eq!(geo[0].entity.as_deref(), Some("FR"));
        assert_eq!(
            (geo[1].subject.as_str(), geo[1].entity.as_deref()),
            ("unknown", None)
        );
    }

    #[test]
    fn errors() {
        let (_d, path) = file("A,-1,/dns/a,,,,,,\n");
        let err = read(&path, Some(Layer::Consensus))
            .unwrap()
            .find_map(Result::err)
            .unwrap()
            .to_string();
        assert!(
            err.ends_with("sui.csv:2: field \"stake\": expected a number ≥ 0, got \"-1\""),
            "{err}"
        );
        let err = read(&path, Some(Layer::Software))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("cannot produce layer software"), "{err}");
        let (_d, path) = file(",1,/dns/a,,,,,,\n");
        let err = read(&path, None)
            .unwrap()
            .find_map(Result::err)
            .unwrap()
            .to_string();
        assert!(
            err.ends_with(":2: field \"name\": must not be empty"),
            "{err}"
        );
    }
}

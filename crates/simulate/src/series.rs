//! The observed series a model is calibrated on: dated snapshots of weight per entity, with
//! what the weight measures, how much of the network it covers, and the weight that belongs
//! to no entity (the *dispersed remainder*).
//!
//! Built from model types only: an [`Analysis`] (one snapshot per window, dated by the
//! window's representative day) or a stream of [`Observation`]s (one snapshot per UTC day).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use powermap_model::{Analysis, Observation};
use serde::Serialize;

use crate::{Result, SimulateError};

/// What a series' weight counts. It decides the observation model: block counts are a
/// sample of the underlying hash-rate shares, everything else is read as the state itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Blocks produced per window: a multinomial sample of each producer's share.
    Blocks,
    /// Validator counts (Ethereum before Pectra: 32 ETH each; after EIP-7251 consolidation
    /// a count no longer measures stake).
    Validators,
    /// Stake (SOL, ATOM…).
    Stake,
    /// CometBFT voting power (bonded stake divided by the power reduction).
    VotingPower,
}

impl Measure {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Measure::Blocks => "blocks",
            Measure::Validators => "validators",
            Measure::Stake => "stake",
            Measure::VotingPower => "voting_power",
        }
    }

    /// True when snapshots are samples (block counts) rather than the state itself.
    pub fn sampled(self) -> bool {
        self == Measure::Blocks
    }
}

/// What a series is, carried into every output that uses it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesMeta {
    /// Network id (`bitcoin`, `ethereum`, `solana`, `dydx`, `sei`).
    pub network: String,
    /// What the weight counts.
    pub measure: Measure,
    /// The weight's unit in words, e.g. `blocks per 30-day window`.
    pub unit: String,
    /// Where the data comes from (dataset, file, upstream).
    pub source: String,
    /// How much of the network the named entities cover and what the remainder is.
    pub coverage: String,
    /// What one entity is (pool owner, Rated staking entity, vote account…).
    pub entity: String,
}

/// One dated snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The day it describes.
    pub date: NaiveDate,
    /// Weight per entity, aligned with [`Series::entities`] (0 when absent).
    pub weights: Vec<f64>,
    /// Weight that belongs to no entity: unattributed blocks, unlabelled validators. Read as
    /// dispersed over many small holders (see `docs/simulate.md`).
    pub remainder: f64,
}

impl Snapshot {
    /// Total weight, remainder included.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum::<f64>() + self.remainder
    }

    /// Share of the remainder in the total (0 for an empty snapshot).
    pub fn remainder_share(&self) -> f64 {
        let t = self.total();
        if t > 0.0 {
            self.remainder / t
        } else {
            0.0
        }
    }
}

/// One way of grouping entities (hosting ASN, data centre): a label per entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouping {
    /// The kind, e.g. `asn` or `data_center` (used by scenario rules).
    pub kind: String,
    /// Label per entity, aligned with [`Series::entities`]; empty when unknown.
    pub labels: Vec<String>,
}

/// Dated snapshots of one network layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// What the series is.
    pub meta: SeriesMeta,
    /// Entity names, in first-seen order.
    pub entities: Vec<String>,
    /// Snapshots, oldest first, dates strictly increasing.
    pub snapshots: Vec<Snapshot>,
    /// Groupings of the entities as of the last snapshot (may be empty).
    pub groupings: Vec<Grouping>,
}

impl Series {
    /// One snapshot per window of `analysis` (dated by the window's representative day);
    /// entities named in `remainder` (e.g. `unknown`) form the dispersed remainder. Windows
    /// without weight are skipped.
    pub fn from_analysis(
        analysis: &Analysis,
        meta: SeriesMeta,
        remainder: &[&str],
    ) -> Result<Self> {
        let rows = analysis.windows.iter().flat_map(|w| {
            w.distribution
                .entries()
                .iter()
                .map(move |s| (w.window.representative, s.name.as_str(), s.weight))
        });
        Series::from_rows(rows, meta, remainder)
    }

    /// One snapshot per UTC day of the observations; an observation's entity is its
    /// pre-attributed entity, else its subject. Subjects or entities named in `remainder`
    /// (e.g. `unlabelled`) form the dispersed remainder.
    pub fn from_observations<I>(obs: I, meta: SeriesMeta, remainder: &[&str]) -> Result<Self>
    where
        I: IntoIterator<Item = Observation>,
    {
        let obs: Vec<Observation> = obs.into_iter().collect();
        let rows = obs.iter().map(|o| {
            let name = o.entity.as_deref().unwrap_or(&o.subject);
            let name = if remainder.contains(&o.subject.as_str()) {
                o.subject.as_str()
            } else {
                name
            };
            (o.time.date_naive(), name, o.weight)
        });
        Series::from_rows(rows, meta, remainder)
    }

    fn from_rows<'a, I>(rows: I, meta: SeriesMeta, remainder: &[&str]) -> Result<Self>
    where
        I: IntoIterator<Item = (NaiveDate, &'a str, f64)>,
    {
        let bad = |message: String| SimulateError::Series {
            network: meta.network.clone(),
            message,
        };
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut entities: Vec<String> = Vec::new();
        let mut days: BTreeMap<NaiveDate, (Vec<(usize, f64)>, f64)> = BTreeMap::new();
        for (date, name, weight) in rows {
            if !weight.is_finite() || weight < 0.0 {
                return Err(bad(format!(
                    "{date}: weight {weight} of `{name}` is not a finite number ≥ 0"
                )));
            }
            let day = days.entry(date).or_default();
            if remainder.contains(&name) {
                day.1 += weight;
                continue;
            }
            let i = *index.entry(name.to_string()).or_insert_with(|| {
                entities.push(name.to_string());
                entities.len() - 1
            });
            day.0.push((i, weight));
        }
        let snapshots: Vec<Snapshot> = days
            .into_iter()
            .map(|(date, (ws, rest))| {
                let mut weights = vec![0.0; entities.len()];
                for (i, w) in ws {
                    weights[i] += w;
                }
                Snapshot {
                    date,
                    weights,
                    remainder: rest,
                }
            })
            .filter(|s| s.total() > 0.0)
            .collect();
        if snapshots.is_empty() {
            return Err(bad("no snapshot carries any weight".into()));
        }
        Ok(Series {
            meta,
            entities,
            snapshots,
            groupings: Vec::new(),
        })
    }

    /// Adds a grouping (`asn`, `data_center`…) from an entity → label map; entities not in
    /// the map get an empty label (unknown, never capped).
    pub fn with_grouping(mut self, kind: &str, labels: &HashMap<String, String>) -> Self {
        let labels = self
            .entities
            .iter()
            .map(|e| labels.get(e).cloned().unwrap_or_default())
            .collect();
        self.groupings.push(Grouping {
            kind: kind.to_string(),
            labels,
        });
        self
    }

    /// The snapshots up to and including `date` (for backtests); `None` when none remain.
    pub fn until(&self, date: NaiveDate) -> Option<Series> {
        let snapshots: Vec<Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| s.date <= date)
            .cloned()
            .collect();
        if snapshots.is_empty() {
            return None;
        }
        Some(Series {
            snapshots,
            ..self.clone()
        })
    }

    /// The newest snapshot.
    pub fn last(&self) -> &Snapshot {
        self.snapshots
            .last()
            .expect("a series has at least one snapshot")
    }

    /// The oldest snapshot.
    pub fn first(&self) -> &Snapshot {
        &self.snapshots[0]
    }

    /// Days between the first and the last snapshot.
    pub fn span_days(&self) -> i64 {
        (self.last().date - self.first().date).num_days()
    }

    /// Mean total weight per snapshot (the sample size of block-count windows).
    pub fn mean_total(&self) -> f64 {
        self.snapshots.iter().map(Snapshot::total).sum::<f64>() / self.snapshots.len() as f64
    }

    /// Range of the remainder's share over the snapshots, `(min, max)`.
    pub fn remainder_range(&self) -> (f64, f64) {
        self.snapshots
            .iter()
            .map(Snapshot::remainder_share)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s), hi.max(s))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use powermap_model::Layer;

    fn meta() -> SeriesMeta {
        SeriesMeta {
            network: "test".into(),
            measure: Measure::Stake,
            unit: "stake".into(),
            source: "test".into(),
            coverage: "all".into(),
            entity: "validator".into(),
        }
    }

    fn obs(day: u32, subject: &str, entity: Option<&str>, weight: f64) -> Observation {
        Observation {
            network: "test".into(),
            layer: Layer::Consensus,
            time: Utc.with_ymd_and_hms(2024, 1, day, 12, 0, 0).unwrap(),
            height: None,
            subject: subject.into(),
            entity: entity.map(str::to_string),
            weight,
            source: None,
        }
    }

    #[test]
    fn groups_observations_by_day_with_a_remainder() {
        let s = Series::from_observations(
            [
                obs(2, "a1", Some("A"), 3.0),
                obs(1, "a1", Some("A"), 2.0),
                obs(1, "unlabelled", None, 5.0),
                obs(2, "b", None, 1.0),
            ],
            meta(),
            &["unlabelled"],
        )
        .unwrap();
        assert_eq!(s.entities, ["A", "b"]);
        assert_eq!(s.snapshots.len(), 2);
        assert_eq!(s.first().weights, [2.0, 0.0]);
        assert_eq!(s.first().remainder, 5.0);
        assert_eq!(s.last().weights, [3.0, 1.0]);
        assert_eq!(s.remainder_range(), (0.0, 5.0 / 7.0));
        assert!(s
            .until(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap())
            .is_none());
    }

    #[test]
    fn rejects_bad_weights_and_empty_series() {
        let err =
            Series::from_observations([obs(1, "a", None, f64::NAN)], meta(), &[]).unwrap_err();
        assert!(err.to_string().contains("series `test`"), "{err}");
        assert!(Series::from_observations([obs(1, "a", None, 0.0)], meta(), &[]).is_err());
    }
}

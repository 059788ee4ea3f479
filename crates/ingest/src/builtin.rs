//! Datasets embedded in the binary, so `powermap` works with no input at all.
//!
//! `bitcoin-pools`: every Bitcoin block from 2021-01-02 to 2026-04-22 with the pool that mined
//! it, from `data/bitcoin-pool-blocks/` (see `data/README.md` for provenance and licence).
//!
//! ```
//! use powermap_ingest::builtin;
//! let info = &builtin::datasets()[0];
//! assert_eq!(info.id, builtin::BITCOIN_POOLS);
//! let first = builtin::open(info.id).unwrap().next().unwrap().unwrap();
//! assert_eq!(first.height, Some(info.first_height));
//! ```

use bytes::Bytes;
use chrono::{DateTime, Utc};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use powermap_model::{Layer, Observation};
use serde::Serialize;

use crate::formats::columns::{self, NumCol, StrCol, TimeCol};
use crate::{IngestError, ObservationRef, Position, ReadRef, BATCH_ROWS};

/// Id of the built-in Bitcoin pool dataset.
pub const BITCOIN_POOLS: &str = "bitcoin-pools";

const SOURCE: &str = "bitcoin-pool-blocks";

static BITCOIN_POOLS_PARQUET: &[u8] =
    include_bytes!("../../../data/bitcoin-pool-blocks/blocks_post_2021.parquet");
static BITCOIN_POOLS_COMMIT: &str = include_str!("../../../data/bitcoin-pool-blocks/COMMIT");

/// What `powermap datasets` lists about a built-in dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetInfo {
    /// Stable id, passed to [`open`].
    pub id: &'static str,
    /// One line on what it holds.
    pub description: &'static str,
    /// Network of every observation.
    pub network: &'static str,
    /// Layer of every observation.
    pub layer: Layer,
    /// Number of observations.
    pub rows: u64,
    /// Time of the first observation.
    pub first_time: DateTime<Utc>,
    /// Time of the last observation.
    pub last_time: DateTime<Utc>,
    /// Lowest block height.
    pub first_height: u64,
    /// Highest block height.
    pub last_height: u64,
    /// Licence of the data.
    pub licence: &'static str,
    /// Where the snapshot was taken from, pinned to a commit.
    pub upstream: String,
}

/// Every built-in dataset. The figures are pinned by tests against the embedded data.
pub fn datasets() -> Vec<DatasetInfo> {
    let commit = BITCOIN_POOLS_COMMIT.trim();
    vec![DatasetInfo {
        id: BITCOIN_POOLS,
        description: "Every Bitcoin block 2021-01-02 … 2026-04-22 with the mining pool that \
                      mined it (one observation per block, weight 1)",
        network: "bitcoin",
        layer: Layer::Consensus,
        rows: 282_174,
        first_time: DateTime::from_timestamp(1_609_547_186, 0).unwrap_or_default(),
        last_time: DateTime::from_timestamp(1_776_894_603, 0).unwrap_or_default(),
        first_height: 664_063,
        last_height: 946_236,
        licence: "BSD-2-Clause © 2026 Saurabh Kumar",
        upstream: format!(
            "https://github.com/sorukumar/bitcoin-mining-pools/tree/{commit}/dashboard/data"
        ),
    }]
}

/// Streams the observations of a built-in dataset.
pub fn open(id: &str) -> Result<BuiltinReader, IngestError> {
    if id != BITCOIN_POOLS {
        return Err(IngestError::UnknownDataset(id.to_string()));
    }
    let path = format!("builtin:{id}");
    let parquet_error = |source| IngestError::Parquet {
        path: path.clone().into(),
        source,
    };
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(Bytes::from_static(BITCOIN_POOLS_PARQUET))
            .map_err(parquet_error)?;
    let schema = builder.schema().clone();
    let find = |name: &str| {
        schema.index_of(name).map_err(|_| {
            IngestError::Internal(format!("{path}: embedded data lacks column \"{name}\""))
        })
    };
    let index = [find("height")?, find("pool_slug")?, find("date")?];
    let batches = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(parquet_error)?;
    Ok(BuiltinReader {
        batches,
        path,
        index,
        batch: None,
        offset: 0,
        done: false,
    })
}

/// Observations of a built-in dataset, in block order.
pub struct BuiltinReader {
    batches: ParquetRecordBatchReader,
    path: String,
    /// Batch columns of height, pool slug and date.
    index: [usize; 3],
    batch: Option<Batch>,
    offset: u64,
    done: bool,
}

struct Batch {
    height: NumCol,
    slug: StrCol,
    date: TimeCol,
    len: usize,
    next: usize,
}

impl Batch {
    fn observation(&self, i: usize) -> Result<ObservationRef<'_>, (&'static str, String)> {
        let missing = |f| (f, "missing value".to_string());
        let height = self.height.get(i).ok_or_else(|| missing("height"))?;
        let height = columns::height(height).map_err(|p| ("height", p))?;
        let subject = self.slug.get(i).ok_or_else(|| missing("pool_slug"))?;
        let time = self.date.get(i).map_err(|p| ("date", p))?;
        Ok(ObservationRef {
            network: "bitcoin",
            layer: Layer::Consensus,
            time: time.ok_or_else(|| missing("date"))?,
            height: Some(height),
            subject,
            entity: None,
            weight: 1.0,
            source: Some(SOURCE),
            subject_key: None,
            entity_key: None,
        })
    }
}

impl BuiltinReader {
    fn load(&self, rb: &arrow_array::RecordBatch) -> Option<Batch> {
        Some(Batch {
            height: NumCol::new(rb.column(self.index[0]))?,
            slug: StrCol::new(rb.column(self.index[1]))?,
            date: TimeCol::new(rb.column(self.index[2]))?,
            len: rb.num_rows(),
            next: 0,
        })
    }
}

impl ReadRef for BuiltinReader {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        // Load a batch with a row left first; the row is borrowed only after the loop.
        loop {
            match &self.batch {
                Some(b) if b.next < b.len => break,
                Some(b) => {
                    self.offset += b.len as u64;
                    self.batch = None;
                }
                None => {}
            }
            if self.done {
                return None;
            }
            let rb = match self.batches.next() {
                None => {
                    self.done = true;
                    continue;
                }
                Some(Err(source)) => Err(IngestError::Arrow {
                    path: self.path.clone().into(),
                    source,
                }),
                Some(Ok(rb)) => self.load(&rb).ok_or_else(|| {
                    IngestError::Internal(format!("{}: unexpected column types", self.path))
                }),
            };
            match rb {
                Ok(b) => self.batch = Some(b),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        let b = self.batch.as_mut()?;
        let i = b.next;
        b.next += 1;
        let row = self.offset + i as u64 + 1;
        let path = &self.path;
        Some(
            b.observation(i)
                .map_err(|(field, problem)| IngestError::Field {
                    path: path.clone().into(),
                    position: Position::Row(row),
                    field,
                    problem,
                }),
        )
    }
}

impl Iterator for BuiltinReader {
    type Item = Result<Observation, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|o| o.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Real figures of the embedded snapshot; if the data is updated, update them here and in
    /// [`datasets`].
    #[test]
    fn bitcoin_pools_figures_are_pinned() {
        let info = datasets().remove(0);
        let mut rows = 0u64;
        let mut counts: HashMap<String, u64> = HashMap::new();
        let (mut first, mut last) = (None, None);
        let (mut min_t, mut max_t) = (info.last_time, info.first_time);
        for obs in open(BITCOIN_POOLS).unwrap() {
            let obs = obs.unwrap();
            obs.validate().unwrap();
            rows += 1;
            first.get_or_insert(obs.height.unwrap());
            last = obs.height;
            min_t = min_t.min(obs.time);
            max_t = max_t.max(obs.time);
            assert_eq!(obs.source.as_deref(), Some(SOURCE));
            *counts.entry(obs.subject).or_default() += 1;
        }
        assert_eq!(rows, 282_174);
        assert_eq!(rows, info.rows);
        assert_eq!(first, Some(664_063));
        assert_eq!(last, Some(946_236));
        assert_eq!(
            (first, last),
            (Some(info.first_height), Some(info.last_height))
        );
        assert_eq!((min_t, max_t), (info.first_time, info.last_time));
        assert_eq!(counts.len(), 61);
        assert_eq!(counts["unknown"], 8_730);
        assert!(info
            .upstream
            .contains("ca5ba7844dcec868ed2f87e106900fd579eda582"));
    }

    #[test]
    fn unknown_dataset_is_an_error() {
        assert!(matches!(
            open("nope"),
            Err(IngestError::UnknownDataset(id)) if id == "nope"
        ));
    }
}

//! Folding attributed observations into weight per (day, entity), then per window.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::FxHashMap;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_model::{Distribution, Window};

use crate::{Population, WindowError, WindowSpec};

/// Weight per entity id within one window.
type WindowSums = Vec<(Window, Vec<(u32, f64)>)>;

/// One block kept for block-count windows.
#[derive(Debug, Clone, Copy)]
struct BlockRecord {
    height: u64,
    entity: u32,
    weight: f64,
    day: NaiveDate,
}

/// Entity ids below this are summed in a dense row per day (no hashing per observation);
/// the rest, in the rare input with more entities, in a sparse map. Bounds a row to 16 KiB.
const DENSE_IDS: u32 = 1024;

/// Accumulates attributed observations in any order.
///
/// Memory: one cell per (UTC day, entity) with weight (a dense row per day for the first
/// 1024 entities), plus one 32-byte record per observation when block windows were
/// requested (`keep_blocks`).
///
/// Callers feeding many observations per entity can [`intern`](Self::intern) the name once
/// and add by id ([`add_id`](Self::add_id)); [`add`](Self::add) does both.
#[derive(Debug, Default)]
pub struct Aggregator {
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    /// Row of each day in `rows`.
    days: FxHashMap<NaiveDate, usize>,
    /// Weight per entity id below [`DENSE_IDS`], one row per day; `None`: not seen that day.
    rows: Vec<Vec<Option<f64>>>,
    /// The day and row of the previous observation (inputs are mostly in time order).
    last: Option<(NaiveDate, usize)>,
    /// Weight per (UTC day, entity id) for ids from [`DENSE_IDS`] on.
    sparse: FxHashMap<(NaiveDate, u32), f64>,
    blocks: Option<Vec<BlockRecord>>,
    missing_heights: u64,
    observations: u64,
    range: Option<(NaiveDate, NaiveDate)>,
}

impl Aggregator {
    /// A new aggregator; `keep_blocks` keeps per-block records for block-count windows.
    pub fn new(keep_blocks: bool) -> Self {
        Aggregator {
            blocks: keep_blocks.then(Vec::new),
            ..Default::default()
        }
    }

    /// Adds `weight` for `entity` at `time` (its UTC day, as EDI takes the first 10
    /// characters of the timestamp).
    pub fn add(&mut self, time: DateTime<Utc>, height: Option<u64>, entity: &str, weight: f64) {
        let id = self.intern(entity);
        self.add_id(time, height, id, weight);
    }

    /// The id of `entity` (the same for the same name), for [`add_id`](Self::add_id).
    pub fn intern(&mut self, entity: &str) -> u32 {
        match self.index.get(entity) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(entity.to_string());
                self.index.insert(entity.to_string(), id);
                id
            }
        }
    }

    /// Like [`add`](Self::add), for an entity id from [`intern`](Self::intern).
    ///
    /// # Panics
    /// If `id` was not returned by [`intern`](Self::intern) on this aggregator.
    pub fn add_id(&mut self, time: DateTime<Utc>, height: Option<u64>, id: u32, weight: f64) {
        assert!(
            (id as usize) < self.names.len(),
            "entity id {id} was not interned"
        );
        // The UTC date without `date_naive`'s time zone offset arithmetic.
        let day = time.naive_utc().date();
        if id < DENSE_IDS {
            let row = match self.last {
                Some((d, row)) if d == day => row,
                _ => {
                    let next = self.rows.len();
                    let row = *self.days.entry(day).or_insert(next);
                    if row == next {
                        self.rows.push(Vec::new());
                    }
                    self.last = Some((day, row));
                    row
                }
            };
            let cells = &mut self.rows[row];
            if cells.len() <= id as usize {
                cells.resize(id as usize + 1, None);
            }
            *cells[id as usize].get_or_insert(0.0) += weight;
        } else {
            *self.sparse.entry((day, id)).or_insert(0.0) += weight;
        }
        self.range = Some(match self.range {
            None => (day, day),
            Some((a, b)) => (a.min(day), b.max(day)),
        });
        self.observations += 1;
        if let Some(blocks) = &mut self.blocks {
            match height {
                Some(height) => blocks.push(BlockRecord {
                    height,
                    entity: id,
                    weight,
                    day,
                }),
                None => self.missing_heights += 1,
            }
        }
    }

    /// Number of observations added.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// Number of distinct entities seen.
    pub fn entities(&self) -> usize {
        self.names.len()
    }

    /// First and last UTC day with data.
    pub fn day_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.range
    }

    /// The windows of `spec` over this data, oldest first, each with its distribution.
    ///
    /// Windows without any weight have an empty distribution (metrics report them as
    /// undefined, as EDI does). Population members with zero weight are added per `population`.
    pub fn distributions(
        &self,
        spec: &WindowSpec,
        population: Population,
    ) -> Result<Vec<(Window, Distribution)>, WindowError> {
        spec.validate()?;
        let sums = match spec {
            WindowSpec::Blocks { size, step } => self.block_sums(*size, *step)?,
            _ => match self.day_range().or(spec.explicit_timeframe()) {
                None => Vec::new(),
                Some((first, last)) => {
                    let by_day = self.by_day();
                    let mut acc = DenseSum::new(self.names.len());
                    spec.day_windows(first, last)
                        .into_iter()
                        .map(|w| {
                            for (_, cells) in by_day.range(w.start..=w.end) {
                                for &(id, weight) in cells {
                                    acc.add(id, weight);
                                }
                            }
                            (w, acc.take())
                        })
                        .collect()
                }
            },
        };
        let members = population_members(&sums, population);
        Ok(sums
            .into_iter()
            .zip(members)
            .map(|((window, weights), zeros)| {
                let dist = Distribution::from_weights(
                    weights
                        .iter()
                        .map(|&(id, w)| (self.names[id as usize].clone(), w))
                        .chain(
                            zeros
                                .iter()
                                .map(|&id| (self.names[id as usize].clone(), 0.0)),
                        ),
                )
                .expect("weights were validated when observations were read");
                (window, dist)
            })
            .collect())
    }

    /// The cells grouped by day, in day order.
    fn by_day(&self) -> BTreeMap<NaiveDate, Vec<(u32, f64)>> {
        let mut by_day: BTreeMap<NaiveDate, Vec<(u32, f64)>> = BTreeMap::new();
        for (&day, &row) in &self.days {
            let cells = self.rows[row]
                .iter()
                .enumerate()
                .filter_map(|(id, w)| w.map(|w| (id as u32, w)));
            by_day.entry(day).or_default().extend(cells);
        }
        for (&(day, id), &w) in &self.sparse {
            by_day.entry(day).or_default().push((id, w));
        }
        by_day
    }

    fn block_sums(&self, size: u64, step: u64) -> Result<WindowSums, WindowError> {
        let blocks = self.blocks.as_ref().ok_or(WindowError::MissingHeights(0))?;
        if self.missing_heights > 0 {
            return Err(WindowError::MissingHeights(self.missing_heights));
        }
        let mut sorted = blocks.clone();
        sorted.sort_by_key(|b| b.height);
        let n = sorted.len() as u64;
        if n < size {
            return Ok(Vec::new());
        }
        // Anchor at the newest block: the last window ends there.
        let mut starts = Vec::new();
        let mut end = n;
        while end >= size {
            starts.push(end - size);
            if end < step + size {
                break;
            }
            end -= step;
        }
        starts.reverse();
        Ok(starts
            .into_iter()
            .map(|s| {
                let slice = &sorted[s as usize..(s + size) as usize];
                let mut acc = DenseSum::new(self.names.len());
                for b in slice {
                    acc.add(b.entity, b.weight);
                }
                let acc = acc.take();
                let first_day = slice.iter().map(|b| b.day).min().expect("non-empty");
                let last_day = slice.iter().map(|b| b.day).max().expect("non-empty");
                let mut w = Window::days(first_day, last_day);
                w.heights = Some((slice[0].height, slice[slice.len() - 1].height));
                (w, acc)
            })
            .collect())
    }
}

/// Sums weights per entity id in a dense vector, remembering which ids were touched.
struct DenseSum {
    weights: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
}

impl DenseSum {
    fn new(entities: usize) -> Self {
        DenseSum {
            weights: vec![0.0; entities],
            seen: vec![false; entities],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, id: u32, weight: f64) {
        let i = id as usize;
        if !self.seen[i] {
            self.seen[i] = true;
            self.touched.push(id);
        }
        self.weights[i] += weight;
    }

    /// The sums so far (ids in first-touched order), resetting the accumulator.
    fn take(&mut self) -> Vec<(u32, f64)> {
        let out = self
            .touched
            .iter()
            .map(|&id| {
                self.seen[id as usize] = false;
                (id, std::mem::take(&mut self.weights[id as usize]))
            })
            .collect();
        self.touched.clear();
        out
    }
}

/// For each window, the zero-weight entities its population adds.
fn population_members(sums: &WindowSums, population: Population) -> Vec<Vec<u32>> {
    let producers: Vec<HashSet<u32>> = sums
        .iter()
        .map(|(_, m)| {
            m.iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|(id, _)| *id)
                .collect()
        })
        .collect();
    // Entities present in a window with zero weight are already in its distribution.
    let present: Vec<HashSet<u32>> = sums
        .iter()
        .map(|(_, m)| m.iter().map(|(id, _)| *id).collect())
        .collect();
    let all: HashSet<u32> = producers.iter().flatten().copied().collect();
    producers
        .iter()
        .enumerate()
        .map(|(k, own)| {
            if own.is_empty() {
                return Vec::new();
            }
            let mut extra: Vec<u32> = match population {
                Population::All => all.difference(own).copied().collect(),
                Population::Window(p) => {
                    let lo = k.saturating_sub(p as usize);
                    let hi = (k + p as usize).min(producers.len() - 1);
                    producers[lo..=hi]
                        .iter()
                        .flatten()
                        .filter(|id| !present[k].contains(id))
                        .copied()
                        .collect::<HashSet<_>>()
                        .into_iter()
                        .collect()
                }
            };
            extra.retain(|id| !present[k].contains(id));
            extra.sort_unstable();
            extra
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn population_adds_neighbours_with_zero() {
        let mut agg = Aggregator::new(false);
        agg.add(t(2024, 1, 1), None, "A", 1.0);
        agg.add(t(2024, 1, 1), None, "B", 1.0);
        agg.add(t(2024, 1, 2), None, "A", 1.0);
        agg.add(t(2024, 1, 3), None, "C", 1.0);
        let spec = WindowSpec::days(1, 1);
        let w0 = agg.distributions(&spec, Population::Window(0)).unwrap();
        assert_eq!(w0[1].1.len(), 1);
        let w1 = agg.distributions(&spec, Population::Window(1)).unwrap();
        assert_eq!(w1[1].1.len(), 3); // A produced, B and C neighbours
        assert_eq!(w1[0].1.len(), 2); // A, B; day 2 adds nothing new
        let all = agg.distributions(&spec, Population::All).unwrap();
        assert!(all.iter().all(|(_, d)| d.len() == 3));
    }

    #[test]
    fn block_windows_anchor_at_newest() {
        let mut agg = Aggregator::new(true);
        for h in 0..10u64 {
            agg.add(
                t(2024, 1, 1 + h as u32),
                Some(h),
                if h % 2 == 0 { "A" } else { "B" },
                1.0,
            );
        }
        let spec = WindowSpec::Blocks { size: 4, step: 4 };
        let out = agg.distributions(&spec, Population::Window(0)).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].0.heights, Some((6, 9)));
        assert_eq!(out[0].0.heights, Some((2, 5)));
        assert_eq!(out[1].1.total(), 4.0);
    }

    /// Ids past the dense rows, zero weights and out-of-order days sum like the rest.
    #[test]
    fn dense_and_sparse_cells_agree() {
        let mut agg = Aggregator::new(false);
        let names: Vec<String> = (0..1100).map(|i| format!("e{i}")).collect();
        for (k, day) in [3, 1, 3, 2, 1].into_iter().enumerate() {
            for (i, name) in names.iter().enumerate() {
                let w = if i % 7 == 0 { 0.0 } else { (k + 1) as f64 };
                agg.add(t(2024, 1, day), None, name, w);
            }
        }
        let id = agg.intern("e1050");
        agg.add_id(t(2024, 1, 2), None, id, 0.5);
        let out = agg
            .distributions(&WindowSpec::days(3, 3), Population::Window(0))
            .unwrap();
        assert_eq!(out.len(), 1);
        let d = &out[0].1;
        assert_eq!(d.len(), 1100);
        let expected: f64 = (1..=5).map(f64::from).sum::<f64>() * (1100 - 158) as f64 + 0.5;
        assert_eq!(d.total(), expected);
    }

    #[test]
    fn block_windows_need_heights() {
        let mut agg = Aggregator::new(true);
        agg.add(t(2024, 1, 1), None, "A", 1.0);
        let spec = WindowSpec::Blocks { size: 1, step: 1 };
        assert!(agg.distributions(&spec, Population::Window(0)).is_err());
    }
}

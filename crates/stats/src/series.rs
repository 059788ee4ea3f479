//! Time series read out of an [`Analysis`]: a metric, an entity's share, a top-k coalition's
//! share, one point per window at its representative date.

use chrono::NaiveDate;
use serde::Serialize;

use powermap_model::Analysis;

/// One value at one date, remembering which window of the analysis it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// The window's representative date.
    pub date: NaiveDate,
    /// The value.
    pub value: f64,
    /// Index of the window in [`Analysis::windows`].
    pub window: usize,
}

/// A labelled series of points, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// What the values are, e.g. `share:Foundry USA` or `hhi`.
    pub label: String,
    /// The points, in window order.
    pub points: Vec<Point>,
}

impl Series {
    /// A series from `(date, value)` pairs; `window` is the position.
    pub fn from_pairs(label: impl Into<String>, pairs: &[(NaiveDate, f64)]) -> Self {
        Series {
            label: label.into(),
            points: pairs
                .iter()
                .enumerate()
                .map(|(i, &(date, value))| Point {
                    date,
                    value,
                    window: i,
                })
                .collect(),
        }
    }

    /// Metric `id` per window, skipping windows where it is undefined. `None` if the
    /// analysis has no such metric column.
    pub fn metric(a: &Analysis, id: &str) -> Option<Self> {
        let col = a.metric_index(id)?;
        let points = a
            .windows
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                Some(Point {
                    date: w.window.representative,
                    value: w.values.get(col)?.as_f64()?,
                    window: i,
                })
            })
            .collect();
        Some(Series {
            label: id.to_string(),
            points,
        })
    }

    /// The entity's share of each window's total (0 where it produced nothing); windows
    /// with no weight at all are skipped.
    pub fn share(a: &Analysis, name: &str) -> Self {
        Self::per_window(a, format!("share:{name}"), |d| {
            d.weight_of(name) / d.total()
        })
    }

    /// Total weight per window (blocks, for block data): how much was produced, a proxy for
    /// the hash rate the windows saw. Empty windows are skipped.
    pub fn total(a: &Analysis) -> Self {
        Self::per_window(a, "total".to_string(), |d| d.total())
    }

    /// The combined share of the `k` heaviest entities of each window (the top-k coalition,
    /// whoever is in it); empty windows are skipped.
    pub fn top_k(a: &Analysis, k: usize) -> Self {
        Self::per_window(a, format!("top{k}"), |d| {
            d.entries().iter().take(k).map(|s| s.weight).sum::<f64>() / d.total()
        })
    }

    pub(crate) fn per_window(
        a: &Analysis,
        label: String,
        f: impl Fn(&powermap_model::Distribution) -> f64,
    ) -> Self {
        let points = a
            .windows
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.distribution.is_empty())
            .map(|(i, w)| Point {
                date: w.window.representative,
                value: f(&w.distribution),
                window: i,
            })
            .collect();
        Series { label, points }
    }

    /// Keeps only points whose windows do not overlap, choosing from the newest backwards.
    ///
    /// Overlapping windows (30-day windows stepped weekly) share most of their blocks, so
    /// neighbouring points are strongly correlated; trend intervals and change-point
    /// penalties assume independent noise and would be far too confident on them.
    pub fn non_overlapping(&self, a: &Analysis) -> Self {
        let mut kept: Vec<Point> = Vec::new();
        let mut boundary: Option<NaiveDate> = None;
        for p in self.points.iter().rev() {
            let w = &a.windows[p.window].window;
            if boundary.is_none_or(|b| w.end < b) {
                kept.push(*p);
                boundary = Some(w.start);
            }
        }
        kept.reverse();
        Series {
            label: self.label.clone(),
            points: kept,
        }
    }

    /// The last `n` points (all of them when there are fewer).
    pub fn last(&self, n: usize) -> Self {
        let skip = self.points.len().saturating_sub(n);
        Series {
            label: self.label.clone(),
            points: self.points[skip..].to_vec(),
        }
    }

    /// Points dated on or before `date`.
    pub fn until(&self, date: NaiveDate) -> Self {
        Series {
            label: self.label.clone(),
            points: self
                .points
                .iter()
                .copied()
                .filter(|p| p.date <= date)
                .collect(),
        }
    }

    /// The values alone.
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.value).collect()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

//! The result of analysing one network layer over a series of windows.

use serde::Serialize;

use crate::{Distribution, Layer, MetricValue, Window};

/// Metric values and the distribution of one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowResult {
    /// The window.
    pub window: Window,
    /// Weight per entity in the window (zero-weight population members included).
    pub distribution: Distribution,
    /// `(metric id, value)` in the order of [`Analysis::metrics`].
    pub values: Vec<MetricValue>,
}

/// How a result was produced, carried into every output row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Provenance {
    /// Dataset or input files analysed.
    pub dataset: String,
    /// The window specification, e.g. `30d every 30d, population 1`.
    pub window_spec: String,
    /// The attribution registry used (name and version).
    pub registry: String,
    /// How unattributed weight was treated (`separate`, `unknown`, `exclude`).
    pub unattributed: String,
}

/// One network layer analysed over a series of windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Network id (EDI calls it the ledger).
    pub network: String,
    /// Layer measured.
    pub layer: Layer,
    /// Whether ownership clustering was applied.
    pub clustering: bool,
    /// Metric ids, in column order.
    pub metrics: Vec<String>,
    /// One result per window, oldest first.
    pub windows: Vec<WindowResult>,
    /// How it was produced.
    pub provenance: Provenance,
}

impl Analysis {
    /// Index of a metric column by id.
    pub fn metric_index(&self, id: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == id)
    }
}

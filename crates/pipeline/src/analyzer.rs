//! Streaming aggregation of attributed observations and metric computation per window.

use chrono::{DateTime, NaiveDate, Utc};
use powermap_metrics::{default_metrics, Metric};
use powermap_model::{Analysis, Layer, Provenance, Rule, WindowResult};
use powermap_windows::{Aggregator, Population, WindowSpec};

use crate::PipelineError;

/// What to compute.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// How to cut windows.
    pub window: WindowSpec,
    /// Which zero-weight entities a window's population includes (EDI's population windows).
    pub population: Population,
    /// Metrics to compute, in column order.
    pub metrics: Vec<Metric>,
    /// Whether ownership clustering was applied upstream (recorded in the result).
    pub clustering: bool,
    /// Only observations on or after this day.
    pub from: Option<NaiveDate>,
    /// Only observations on or before this day.
    pub to: Option<NaiveDate>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            window: WindowSpec::days(30, 30),
            population: Population::default(),
            metrics: default_metrics(),
            clustering: true,
            from: None,
            to: None,
        }
    }
}

/// How many observations (and how much weight) each attribution rule decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributionStats {
    /// `(rule, observations, weight)` per rule seen, in first-seen order.
    pub by_rule: Vec<(Rule, u64, f64)>,
    /// Observations dropped because attribution excluded them.
    pub excluded: u64,
    /// Observations outside the `from`/`to` timeframe.
    pub outside_timeframe: u64,
}

impl AttributionStats {
    fn record(&mut self, rule: Rule, weight: f64) {
        match self.by_rule.iter_mut().find(|(r, _, _)| *r == rule) {
            Some(row) => {
                row.1 += 1;
                row.2 += weight;
            }
            None => self.by_rule.push((rule, 1, weight)),
        }
    }

    /// Share of weight that no rule attributed (0 when there is no weight).
    pub fn unattributed_share(&self) -> f64 {
        let total: f64 = self.by_rule.iter().map(|r| r.2).sum();
        if total == 0.0 {
            return 0.0;
        }
        let un: f64 = self
            .by_rule
            .iter()
            .filter(|r| r.0.is_unattributed())
            .map(|r| r.2)
            .sum();
        un / total
    }
}

/// Streams attributed observations into one aggregator per (network, layer).
#[derive(Debug)]
pub struct Analyzer {
    opts: AnalyzeOptions,
    groups: Vec<((String, Layer), Aggregator)>,
    stats: AttributionStats,
}

impl Analyzer {
    /// A new analyzer.
    pub fn new(opts: AnalyzeOptions) -> Self {
        Analyzer {
            opts,
            groups: Vec::new(),
            stats: AttributionStats::default(),
        }
    }

    /// Adds one attributed observation.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        network: &str,
        layer: Layer,
        time: DateTime<Utc>,
        height: Option<u64>,
        weight: f64,
        entity: &str,
        rule: Rule,
    ) {
        let keep_blocks = matches!(self.opts.window, WindowSpec::Blocks { .. });
        // A linear scan: inputs hold a handful of (network, layer) groups at most.
        let i = match self
            .groups
            .iter()
            .position(|((n, l), _)| n == network && *l == layer)
        {
            Some(i) => i,
            None => {
                self.groups
                    .push(((network.to_string(), layer), Aggregator::new(keep_blocks)));
                self.groups.len() - 1
            }
        };
        // The group exists even when all its observations fall outside the timeframe, so
        // the network still reports (empty) windows, as EDI does.
        let day = time.date_naive();
        if self.opts.from.is_some_and(|f| day < f) || self.opts.to.is_some_and(|t| day > t) {
            self.stats.outside_timeframe += 1;
            return;
        }
        self.stats.record(rule, weight);
        let agg = &mut self.groups[i].1;
        agg.add(time, height, entity, weight);
    }

    /// Counts an observation that attribution excluded.
    pub fn exclude(&mut self) {
        self.stats.excluded += 1;
    }

    /// Attribution statistics so far.
    pub fn stats(&self) -> &AttributionStats {
        &self.stats
    }

    /// Cuts windows and computes metrics: one [`Analysis`] per (network, layer), sorted.
    pub fn finish(self, provenance: Provenance) -> Result<Vec<Analysis>, PipelineError> {
        let window = with_timeframe(&self.opts.window, self.opts.from, self.opts.to);
        let metric_ids: Vec<String> = self.opts.metrics.iter().map(Metric::id).collect();
        let mut out = Vec::with_capacity(self.groups.len());
        let mut groups = self.groups;
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        for ((network, layer), agg) in groups {
            let windows = agg
                .distributions(&window, self.opts.population)?
                .into_iter()
                .map(|(window, distribution)| WindowResult {
                    values: self
                        .opts
                        .metrics
                        .iter()
                        .map(|m| m.compute(&distribution))
                        .collect(),
                    window,
                    distribution,
                })
                .collect();
            let mut provenance = provenance.clone();
            if provenance.window_spec.is_empty() {
                provenance.window_spec = format!(
                    "{}, population windows {}",
                    window.describe(),
                    self.opts.population
                );
            }
            out.push(Analysis {
                network,
                layer,
                clustering: self.opts.clustering,
                metrics: metric_ids.clone(),
                windows,
                provenance,
            });
        }
        Ok(out)
    }
}

/// Applies `from`/`to` to a day-based spec that left its timeframe open.
fn with_timeframe(spec: &WindowSpec, from: Option<NaiveDate>, to: Option<NaiveDate>) -> WindowSpec {
    let mut spec = spec.clone();
    match &mut spec {
        WindowSpec::Days { start, end, .. }
        | WindowSpec::Snapshot { start, end }
        | WindowSpec::Months { start, end } => {
            *start = start.or(from);
            *end = end.or(to);
        }
        WindowSpec::Blocks { .. } => {}
    }
    spec
}

//! Streaming aggregation of attributed observations and metric computation per window.

use chrono::{DateTime, NaiveDate, Utc};
use powermap_metrics::{default_metrics, Metric};
use powermap_model::{Analysis, Layer, Provenance, Rule, WindowResult};
use powermap_windows::{Aggregator, Population, WindowSpec};
use rustc_hash::FxHashMap;

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

/// A (network, layer) group of an [`Analyzer`] (see [`Analyzer::group`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupId(usize);

/// An entity name interned by an [`Analyzer`] (see [`Analyzer::entity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityId(u32);

/// One (network, layer): its aggregator, and the aggregator's id of each [`EntityId`].
#[derive(Debug)]
struct Group {
    key: (String, Layer),
    agg: Aggregator,
    /// Aggregator id by [`EntityId`]; [`UNSEEN`] until the entity is added to this group.
    ids: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

/// Streams attributed observations into one aggregator per (network, layer).
///
/// [`push`](Self::push) takes names. A caller resolving many observations to the same few
/// groups and entities can look each up once ([`group`](Self::group),
/// [`entity`](Self::entity)) and push by id ([`push_id`](Self::push_id)), hashing no text
/// per observation; both routes give the same result.
#[derive(Debug)]
pub struct Analyzer {
    opts: AnalyzeOptions,
    groups: Vec<Group>,
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    stats: AttributionStats,
    /// Timeframes pinned per group (see [`Analyzer::pin_timeframes`]).
    pins: DayRanges,
}

/// First and last UTC day per (network, layer).
pub(crate) type DayRanges = Vec<((String, Layer), (NaiveDate, NaiveDate))>;

impl Analyzer {
    /// A new analyzer.
    pub fn new(opts: AnalyzeOptions) -> Self {
        Analyzer {
            opts,
            groups: Vec::new(),
            names: Vec::new(),
            index: FxHashMap::default(),
            stats: AttributionStats::default(),
            pins: Vec::new(),
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
        let group = self.group(network, layer);
        let entity = self.entity(entity);
        self.push_id(group, time, height, weight, entity, rule);
    }

    /// The group of (`network`, `layer`), created empty if new.
    ///
    /// A group reports (empty) windows even when all its observations fall outside the
    /// timeframe, as EDI does.
    pub fn group(&mut self, network: &str, layer: Layer) -> GroupId {
        // A linear scan: inputs hold a handful of (network, layer) groups at most.
        let found = self
            .groups
            .iter()
            .position(|g| g.key.0 == network && g.key.1 == layer);
        GroupId(found.unwrap_or_else(|| {
            let keep_blocks = matches!(self.opts.window, WindowSpec::Blocks { .. });
            self.groups.push(Group {
                key: (network.to_string(), layer),
                agg: Aggregator::new(keep_blocks),
                ids: Vec::new(),
            });
            self.groups.len() - 1
        }))
    }

    /// The id of an entity name (the same for the same name, across groups).
    pub fn entity(&mut self, name: &str) -> EntityId {
        if let Some(&id) = self.index.get(name) {
            return EntityId(id);
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), id);
        EntityId(id)
    }

    /// Like [`push`](Self::push), with a group and entity from this analyzer.
    ///
    /// # Panics
    /// If `group` or `entity` came from another analyzer and is out of range.
    pub fn push_id(
        &mut self,
        group: GroupId,
        time: DateTime<Utc>,
        height: Option<u64>,
        weight: f64,
        entity: EntityId,
        rule: Rule,
    ) {
        let day = time.naive_utc().date();
        if self.opts.from.is_some_and(|f| day < f) || self.opts.to.is_some_and(|t| day > t) {
            self.stats.outside_timeframe += 1;
            return;
        }
        self.stats.record(rule, weight);
        let g = &mut self.groups[group.0];
        let e = entity.0 as usize;
        if g.ids.len() <= e {
            g.ids.resize(e + 1, UNSEEN);
        }
        if g.ids[e] == UNSEEN {
            g.ids[e] = g.agg.intern(&self.names[e]);
        }
        g.agg.add_id(time, height, g.ids[e], weight);
    }

    /// Counts an observation that attribution excluded.
    pub fn exclude(&mut self) {
        self.stats.excluded += 1;
    }

    /// The first and last day of each group's observations.
    pub(crate) fn group_day_ranges(&self) -> DayRanges {
        self.groups
            .iter()
            .filter_map(|g| Some((g.key.clone(), g.agg.day_range()?)))
            .collect()
    }

    /// Cuts each listed group's windows over the given days where `from`/`to` are open, so
    /// runs of the same input that drop different observations (e.g. unattributed ones) cut
    /// the same windows.
    pub(crate) fn pin_timeframes(&mut self, pins: DayRanges) {
        self.pins = pins;
    }

    /// Attribution statistics so far.
    pub fn stats(&self) -> &AttributionStats {
        &self.stats
    }

    /// Cuts windows and computes metrics: one [`Analysis`] per (network, layer), sorted.
    pub fn finish(self, provenance: Provenance) -> Result<Vec<Analysis>, PipelineError> {
        let metric_ids: Vec<String> = self.opts.metrics.iter().map(Metric::id).collect();
        let mut out = Vec::with_capacity(self.groups.len());
        let mut groups = self.groups;
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        for Group {
            key: (network, layer),
            agg,
            ..
        } in groups
        {
            let pin = self
                .pins
                .iter()
                .find(|(k, _)| k.0 == network && k.1 == layer)
                .map(|(_, days)| *days);
            let window = with_timeframe(
                &self.opts.window,
                self.opts.from.or(pin.map(|p| p.0)),
                self.opts.to.or(pin.map(|p| p.1)),
            );
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

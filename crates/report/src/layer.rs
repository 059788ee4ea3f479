//! One layer's section of a report: the latest distribution, decisive coalitions per failure
//! mode with their trend, single points of failure and the attribution-uncertainty range.

use chrono::{Days, NaiveDate};
use powermap_findings::Assessment;
use powermap_metrics::Metric;
use powermap_model::{Analysis, Boundary, Distribution, Threshold, Window};
use powermap_security::{CoalitionResult, SecurityModels, Spof};
use serde::Serialize;

use powermap_attribution::Unattributed;

pub use crate::cell::Trend;
use crate::spec::LayerSpec;

/// How far back a trend arrow looks.
pub const TREND_DAYS: u64 = 90;

/// One failure mode in one layer: the decisive coalition now, and its size in an earlier window.
#[derive(Debug, Clone, Serialize)]
pub struct CoalitionTrend {
    /// The coalition in the latest window, with threshold and citation.
    pub now: CoalitionResult,
    /// The earlier window compared with, and the coalition size there.
    pub before: Option<(Window, Option<usize>)>,
    /// Direction from `before` to `now`.
    pub trend: Trend,
}

/// For layers no security model covers: the fewest entities holding a share of the weight.
#[derive(Debug, Clone, Serialize)]
pub struct Concentration {
    /// The share, e.g. 1/2 (reached with `≥`).
    pub threshold: Threshold,
    /// Number of entities (`None`: not reachable).
    pub size: Option<usize>,
    /// The entities with their shares.
    pub members: Vec<(String, f64)>,
    /// The earlier window compared with, and the size there.
    pub before: Option<(Window, Option<usize>)>,
    /// Direction from `before`.
    pub trend: Trend,
}

/// Shares reported for layers without a security model.
pub const CONCENTRATION_SHARES: [Threshold; 3] =
    [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS];

/// Whether the spec says no security model applies (`models = "none"`).
pub fn unmodelled(spec: &LayerSpec) -> bool {
    spec.models.as_deref() == Some(NO_MODELS)
}

/// The `models` value for layers no failure mode applies to (authorship, code).
pub const NO_MODELS: &str = "none";

/// A value of one result under the three treatments of unattributed weight.
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyRow {
    /// What the value is (e.g. `halt_finality coalition size`, `top share`).
    pub what: String,
    /// The value under each treatment, in [`Unattributed::ALL`] order (`separate`: each
    /// unattributed unit its own entity, `None` when the spec gives no unit; `unknown`: one
    /// entity; `exclude`: left out).
    pub values: [Option<f64>; 3],
}

impl UncertaintyRow {
    /// The value under one treatment.
    pub fn value(&self, t: Unattributed) -> Option<f64> {
        self.values[t.index()]
    }

    /// `(lowest, highest)` over the treatments that have a value.
    pub fn range(&self) -> Option<(f64, f64)> {
        let vals: Vec<f64> = self.values.into_iter().flatten().collect();
        let lo = vals.iter().copied().reduce(f64::min)?;
        let hi = vals.iter().copied().reduce(f64::max)?;
        Some((lo, hi))
    }
}

/// How results move when unattributed weight is treated differently.
#[derive(Debug, Clone, Serialize)]
pub struct Uncertainty {
    /// The entity standing for unattributed weight.
    pub entity: String,
    /// Its share of the latest window.
    pub share: f64,
    /// Weight of one unattributed producer in the "each its own" treatment.
    pub unit: Option<f64>,
    /// The treatment the headline results use.
    pub headline: Unattributed,
    /// Per result, the value under each treatment.
    pub rows: Vec<UncertaintyRow>,
}

/// The latest window's distribution, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct Latest {
    /// The window.
    pub window: Window,
    /// Total weight.
    pub total: f64,
    /// Entities with weight.
    pub entities: usize,
    /// Heaviest entities with their shares (at most [`TOP`]).
    pub top: Vec<(String, f64)>,
    /// Selected metrics: `(id, value)`.
    pub metrics: Vec<(String, Option<f64>)>,
}

/// Entities listed per layer.
pub const TOP: usize = 10;

/// Everything the report says about one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// The spec it was built from.
    pub spec: LayerSpec,
    /// The network analysed (as the data names it).
    pub network: String,
    /// The network whose security models apply.
    pub models_network: String,
    /// Windows with weight.
    pub windows: usize,
    /// First and last day covered.
    pub span: (NaiveDate, NaiveDate),
    /// The latest window.
    pub latest: Latest,
    /// Decisive coalitions per failure mode, with trend.
    pub coalitions: Vec<CoalitionTrend>,
    /// Single points of failure in the latest window.
    pub spofs: Vec<Spof>,
    /// Concentration at 1/3, 1/2, 2/3, for layers no security model covers.
    pub concentration: Vec<Concentration>,
    /// Attribution uncertainty, when the layer has unattributed weight.
    pub uncertainty: Option<Uncertainty>,
    /// Where the numbers come from (dataset, windows, registry).
    pub provenance: powermap_model::Provenance,
    /// The analysis itself (for charts); not serialised.
    #[serde(skip)]
    pub analysis: Analysis,
}

/// Metrics shown per layer.
const METRICS: &[&str] = &["hhi", "gini", "entropy=1", "concentration_ratio=1"];

impl LayerReport {
    /// Builds the section from an analysis (which must have a window with weight).
    pub fn build(
        spec: &LayerSpec,
        report_network: &str,
        analysis: Analysis,
        models: &SecurityModels,
    ) -> Option<LayerReport> {
        let filled: Vec<usize> = (0..analysis.windows.len())
            .filter(|&i| analysis.windows[i].distribution.total() > 0.0)
            .collect();
        let &last = filled.last()?;
        let latest_w = &analysis.windows[last];
        let models_network = spec
            .models
            .clone()
            .unwrap_or_else(|| analysis.network.clone());
        let _ = report_network;
        let raw = &latest_w.distribution;
        // Computed once: the headline treatment is also one of the uncertainty table's columns.
        let treated = treat(raw, spec, spec.headline);
        let d = treated.as_ref().unwrap_or(raw);
        let none = SecurityModels::default();
        let models = if unmodelled(spec) { &none } else { models };
        let now = Assessment::of(
            models,
            &models_network,
            analysis.layer,
            d,
            Some(&latest_w.window),
        );
        let before = earlier(&analysis, &filled, last);
        let coalitions = now
            .coalitions
            .into_iter()
            .map(|now| {
                let before = before.map(|i| {
                    let w = &analysis.windows[i];
                    let earlier = treat(&w.distribution, spec, spec.headline)
                        .unwrap_or_else(|| w.distribution.clone());
                    let then =
                        Assessment::of(models, &models_network, analysis.layer, &earlier, None)
                            .coalitions
                            .into_iter()
                            .find(|c| c.failure_mode == now.failure_mode)
                            .and_then(|c| c.size);
                    (w.window.clone(), then)
                });
                let trend = match &before {
                    Some((_, then)) => Trend::between(*then, now.size),
                    None => Trend::Unknown,
                };
                CoalitionTrend { now, before, trend }
            })
            .collect::<Vec<_>>();
        let spofs = now.spofs;
        let uncertainty = uncertainty(spec, &models_network, &analysis, raw, &treated, models);
        let concentration = if unmodelled(spec) {
            concentration(spec, &analysis, d, before)
        } else {
            Vec::new()
        };
        let latest = Latest {
            window: latest_w.window.clone(),
            total: raw.total(),
            entities: raw.producers().len(),
            top: raw
                .producers()
                .iter()
                .take(TOP)
                .enumerate()
                .map(|(i, e)| (e.name.clone(), raw.share(i)))
                .collect(),
            metrics: METRICS
                .iter()
                .map(|id| {
                    let m = Metric::parse(id).expect("constant metric id");
                    (id.to_string(), m.compute(raw).as_f64())
                })
                .collect(),
        };
        let first = &analysis.windows[filled[0]].window;
        Some(LayerReport {
            spec: spec.clone(),
            network: analysis.network.clone(),
            models_network,
            windows: filled.len(),
            span: (first.start, latest_w.window.end),
            latest,
            coalitions,
            spofs,
            concentration,
            uncertainty,
            provenance: analysis.provenance.clone(),
            analysis,
        })
    }
}

fn concentration(
    spec: &LayerSpec,
    a: &Analysis,
    d: &Distribution,
    before: Option<usize>,
) -> Vec<Concentration> {
    let size = |x: &Distribution, t: Threshold| {
        powermap_metrics::decisive_coalition(x, t, Boundary::AtLeast).map(<[_]>::len)
    };
    CONCENTRATION_SHARES
        .iter()
        .map(|&t| {
            let found = powermap_metrics::decisive_coalition(d, t, Boundary::AtLeast);
            let total = d.total();
            let before = before.map(|i| {
                let w = &a.windows[i];
                let earlier = treat(&w.distribution, spec, spec.headline)
                    .unwrap_or_else(|| w.distribution.clone());
                (w.window.clone(), size(&earlier, t))
            });
            let now = found.map(<[_]>::len);
            Concentration {
                threshold: t,
                size: now,
                members: found
                    .unwrap_or_default()
                    .iter()
                    .map(|e| (e.name.clone(), e.weight / total))
                    .collect(),
                trend: match &before {
                    Some((_, then)) => Trend::between(*then, now),
                    None => Trend::Unknown,
                },
                before,
            }
        })
        .collect()
}

/// The window to compare the latest with: the last one ending at least [`TREND_DAYS`] before
/// it, else the first (when there are two or more).
fn earlier(a: &Analysis, filled: &[usize], last: usize) -> Option<usize> {
    if filled.len() < 2 {
        return None;
    }
    let end = a.windows[last].window.end;
    let cutoff = end.checked_sub_days(Days::new(TREND_DAYS))?;
    filled
        .iter()
        .rev()
        .copied()
        .find(|&i| a.windows[i].window.end <= cutoff)
        .or(Some(filled[0]))
        .filter(|&i| i != last)
}

/// `d` with the layer's unattributed entity treated as `t` (`None` when `t` cannot be applied:
/// each-its-own without a unit, or more than [`MAX_SPLIT`] synthetic producers).
pub fn treat(d: &Distribution, spec: &LayerSpec, t: Unattributed) -> Option<Distribution> {
    let Some(name) = spec.unattributed.as_ref() else {
        return Some(d.clone());
    };
    let w = d.weight_of(name);
    if w <= 0.0 || t == Unattributed::Bucket {
        return Some(d.clone());
    }
    let rest = d
        .entries()
        .iter()
        .filter(|e| &e.name != name)
        .map(|e| (e.name.clone(), e.weight));
    match t {
        Unattributed::Bucket => unreachable!("handled above"),
        Unattributed::Exclude => Distribution::from_weights(rest).ok(),
        Unattributed::Separate => {
            let unit = spec.unit?;
            let n = (w / unit).floor();
            if n > MAX_SPLIT {
                return None;
            }
            let remainder = w - n * unit;
            let split = (0..n as u64)
                .map(|i| (format!("{name} #{}", i + 1), unit))
                .chain((remainder > 1e-9).then(|| (format!("{name} remainder"), remainder)));
            Distribution::from_weights(rest.chain(split)).ok()
        }
    }
}

/// Most synthetic producers the each-its-own treatment creates.
pub const MAX_SPLIT: f64 = 5e6;

/// The results under the three treatments of the layer's unattributed entity.
fn uncertainty(
    spec: &LayerSpec,
    models_network: &str,
    a: &Analysis,
    d: &Distribution,
    headline: &Option<Distribution>,
    models: &SecurityModels,
) -> Option<Uncertainty> {
    let name = spec.unattributed.as_ref()?;
    let w = d.weight_of(name);
    if w <= 0.0 {
        return None;
    }
    let others: Vec<Option<Distribution>> = Unattributed::ALL
        .iter()
        .map(|&t| (t != spec.headline).then(|| treat(d, spec, t)).flatten())
        .collect();
    let treated: Vec<&Option<Distribution>> = Unattributed::ALL
        .iter()
        .zip(&others)
        .map(|(&t, o)| if t == spec.headline { headline } else { o })
        .collect();
    let values = |f: &dyn Fn(&Distribution) -> Option<f64>| -> [Option<f64>; 3] {
        [0, 1, 2].map(|i| treated[i].as_ref().and_then(f))
    };
    let row = |what: String, values: [Option<f64>; 3]| UncertaintyRow { what, values };
    let mut rows: Vec<UncertaintyRow> = models
        .models_for(models_network, a.layer)
        .iter()
        .map(|fm| {
            let size = |x: &Distribution| {
                powermap_security::coalition_for(models_network, fm, x, None)
                    .size
                    .map(|s| s as f64)
            };
            row(format!("{} coalition size", fm.id), values(&size))
        })
        .collect();
    for (id, what) in [("concentration_ratio=1", "top share"), ("hhi", "HHI")] {
        let m = Metric::parse(id).expect("constant metric id");
        rows.push(row(what.into(), values(&|x| m.compute(x).as_f64())));
    }
    Some(Uncertainty {
        entity: name.clone(),
        share: w / d.total(),
        unit: spec.unit,
        headline: spec.headline,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_spans_the_treatments_that_exist() {
        let r = UncertaintyRow {
            what: "x".into(),
            values: [None, Some(2.0), Some(5.0)],
        };
        assert_eq!(r.range(), Some((2.0, 5.0)));
    }
}

//! Bounds instead of false precision: the same analysis under the three treatments of
//! unattributed weight, reported per metric as a range.
//!
//! Weight no rule attributes can be read three ways, and none of them is "the truth":
//!
//! | treatment | reading | effect |
//! |---|---|---|
//! | `separate` | each unattributed subject is its own producer; a subject that names nobody (the built-in dataset's `unknown` slug) makes **each observation** its own producer | the most fragmented reading: lowest HHI and top shares, but many tiny producers raise Gini and Theil |
//! | `unknown` | all unattributed weight is one producer | unattributed weight can join coalitions as one entity |
//! | `exclude` | unattributed weight is dropped; shares are of attributed weight | every known entity's share grows: highest HHI and top shares |
//!
//! So "the range" is per metric, not one ordering of treatments: which treatment gives the
//! minimum depends on the metric.
//!
//! [`treatment_range`] runs all three and returns, per (network, layer, window, metric), the
//! value under each and their minimum and maximum.

use powermap_attribution::{ResolveOptions, Unattributed};
use powermap_model::{Layer, MetricValue, Window};

use crate::input::{run_plan, Plan};
use crate::{AnalyzeOptions, Input, PipelineError, Registries, RunOutput, WhatIf};

/// Which treatments of unattributed weight a run uses: one, or all three as a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreatmentChoice {
    /// One treatment.
    One(Unattributed),
    /// All three ([`treatment_range`]); values are shown under the input's default.
    Range,
}

impl std::str::FromStr for TreatmentChoice {
    type Err = String;
    /// `separate`, `unknown`, `exclude` or `range`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "range" {
            return Ok(TreatmentChoice::Range);
        }
        s.parse().map(TreatmentChoice::One).map_err(|_| {
            format!("unknown unattributed treatment `{s}` (expected separate, unknown, exclude or range)")
        })
    }
}

/// One metric of one window under the three treatments of unattributed weight.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRow {
    /// Network.
    pub network: String,
    /// Layer.
    pub layer: Layer,
    /// The window (as cut under the `unknown` treatment, which keeps every observation).
    pub window: Window,
    /// Metric id.
    pub metric: String,
    /// Value under each treatment, in [`Unattributed::ALL`] order (`separate`, `unknown`,
    /// `exclude`); `None` when that treatment has no such window (e.g. a layer whose weight
    /// is all unattributed disappears under `exclude`).
    pub values: [Option<MetricValue>; 3],
    /// Smallest defined value over the treatments.
    pub min: Option<f64>,
    /// Largest defined value over the treatments.
    pub max: Option<f64>,
}

impl RangeRow {
    /// The value under one treatment.
    pub fn value(&self, t: Unattributed) -> Option<MetricValue> {
        let i = Unattributed::ALL.iter().position(|u| *u == t)?;
        self.values[i]
    }

    /// True when the treatments disagree.
    pub fn is_spread(&self) -> bool {
        matches!((self.min, self.max), (Some(a), Some(b)) if a != b)
    }
}

/// The runs under each treatment and the range rows.
#[derive(Debug)]
pub struct TreatmentRange {
    /// The run under each treatment, in [`Unattributed::ALL`] order.
    pub runs: Vec<(Unattributed, RunOutput)>,
    /// One row per (network, layer, window, metric), in analysis, window and metric order.
    pub rows: Vec<RangeRow>,
}

impl TreatmentRange {
    /// The run under one treatment.
    pub fn run(&self, t: Unattributed) -> &RunOutput {
        &self
            .runs
            .iter()
            .find(|(u, _)| *u == t)
            .expect("every treatment was run")
            .1
    }

    /// Rows of the latest window of each (network, layer).
    pub fn latest(&self) -> Vec<&RangeRow> {
        let mut last: Vec<(&str, Layer, &Window)> = Vec::new();
        for r in &self.rows {
            match last
                .iter_mut()
                .find(|(n, l, _)| *n == r.network && *l == r.layer)
            {
                Some(entry) => {
                    if r.window.end > entry.2.end {
                        entry.2 = &r.window;
                    }
                }
                None => last.push((&r.network, r.layer, &r.window)),
            }
        }
        self.rows
            .iter()
            .filter(|r| {
                last.iter()
                    .any(|(n, l, w)| *n == r.network && *l == r.layer && **w == r.window)
            })
            .collect()
    }
}

/// Runs `input` under the three treatments of unattributed weight ([`Unattributed::ALL`])
/// and returns every metric of every window as a range (see the module docs).
///
/// All three runs cut the same windows: where `opts` leaves the timeframe open, each
/// (network, layer) of the `separate` and `exclude` runs is pinned to the days the `unknown`
/// run saw for it (which keeps every observation), so dropping unattributed weight cannot
/// shift day windows. Block-count
/// windows do shift under `exclude` (fewer blocks to count); rows then match by window and a
/// treatment without that window has `None`.
///
/// ```no_run
/// use powermap_pipeline::{treatment_range, AnalyzeOptions, Input, Registries, WhatIf};
/// use powermap_attribution::Unattributed;
/// let mut registries = Registries::default();
/// registries.insert(powermap_attribution::Registry::bitcoin_builtin().unwrap(), "bitcoin-builtin");
/// let input = Input::Builtin("bitcoin-pools".into());
/// let range = treatment_range(&input, &registries, true, &WhatIf::default(), AnalyzeOptions::default()).unwrap();
/// for row in range.latest() {
///     println!("{} {:?} – {:?} (unknown: {:?})", row.metric, row.min, row.max, row.value(Unattributed::Bucket));
/// }
/// ```
pub fn treatment_range(
    input: &Input,
    registries: &Registries,
    clustering: bool,
    what_if: &WhatIf,
    opts: AnalyzeOptions,
) -> Result<TreatmentRange, PipelineError> {
    let plan = |unattributed| Plan {
        input,
        registries,
        edi_mapping: None,
        resolve: ResolveOptions {
            clustering,
            unattributed,
        },
        what_if,
    };
    let (bucket, days) = run_plan(&plan(Unattributed::Bucket), opts.clone(), None, &mut |_| {})?;
    let mut runs = Vec::new();
    for t in Unattributed::ALL {
        if t == Unattributed::Bucket {
            continue;
        }
        let out = match run_plan(&plan(t), opts.clone(), Some(&days), &mut |_| {}) {
            Ok((out, _)) => out,
            // Everything was unattributed: nothing survives `exclude`.
            Err(PipelineError::Empty(_)) if t == Unattributed::Exclude => RunOutput {
                analyses: Vec::new(),
                stats: Default::default(),
            },
            Err(e) => return Err(e),
        };
        runs.push((t, out));
    }
    runs.push((Unattributed::Bucket, bucket));
    runs.sort_by_key(|(t, _)| Unattributed::ALL.iter().position(|u| u == t));
    let rows = range_rows(&runs);
    Ok(TreatmentRange { runs, rows })
}

/// Joins the runs window by window (the `unknown` run gives the windows).
fn range_rows(runs: &[(Unattributed, RunOutput)]) -> Vec<RangeRow> {
    let base = runs
        .iter()
        .find(|(t, _)| *t == Unattributed::Bucket)
        .map(|(_, r)| r);
    let Some(base) = base else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for a in &base.analyses {
        for w in &a.windows {
            for metric in &a.metrics {
                let mut values = [None; 3];
                for (i, t) in Unattributed::ALL.iter().enumerate() {
                    let Some((_, run)) = runs.iter().find(|(u, _)| u == t) else {
                        continue;
                    };
                    values[i] = run
                        .analyses
                        .iter()
                        .find(|b| b.network == a.network && b.layer == a.layer)
                        .and_then(|b| {
                            let col = b.metric_index(metric)?;
                            let win = b.windows.iter().find(|x| x.window == w.window)?;
                            win.values.get(col).copied()
                        });
                }
                let defined: Vec<f64> =
                    values.iter().flatten().filter_map(|v| v.as_f64()).collect();
                rows.push(RangeRow {
                    network: a.network.clone(),
                    layer: a.layer,
                    window: w.window.clone(),
                    metric: metric.clone(),
                    values,
                    min: defined.iter().copied().reduce(f64::min),
                    max: defined.iter().copied().reduce(f64::max),
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_attribution::Registry;
    use powermap_windows::{Alignment, WindowSpec};

    /// `powermap analyze`'s defaults: 30-day windows aligned to the last day.
    fn builtin() -> TreatmentRange {
        let mut registries = Registries::default();
        registries.insert(Registry::bitcoin_builtin().unwrap(), "bitcoin-builtin");
        let window = WindowSpec::days(30, 30).aligned(Alignment::End);
        let opts = AnalyzeOptions {
            window,
            ..AnalyzeOptions::default()
        };
        treatment_range(
            &Input::Builtin("bitcoin-pools".into()),
            &registries,
            true,
            &WhatIf::default(),
            opts,
        )
        .unwrap()
    }

    #[test]
    fn builtin_latest_window_under_each_treatment() {
        let r = builtin();
        // The three runs cut the same 64 windows.
        let windows: Vec<Vec<&Window>> = r
            .runs
            .iter()
            .map(|(_, run)| run.analyses[0].windows.iter().map(|w| &w.window).collect())
            .collect();
        assert_eq!(windows[0].len(), 64);
        assert!(windows.iter().all(|w| *w == windows[0]));
        // Separate: each of the 8 730 `unknown` blocks its own producer.
        let stats = &r.run(Unattributed::Separate).stats;
        assert_eq!(
            stats.by_rule[1],
            (powermap_model::Rule::Unattributed, 8_730, 8_730.0)
        );
        assert_eq!(r.run(Unattributed::Exclude).stats.excluded, 8_730);

        let latest = r.latest();
        assert_eq!(latest.len(), 14);
        let w = &latest[0].window;
        assert_eq!(
            (w.start.to_string(), w.end.to_string()),
            ("2026-03-24".into(), "2026-04-22".into())
        );
        let row = |id: &str| *latest.iter().find(|r| r.metric == id).unwrap();
        let f = |v: Option<MetricValue>| v.and_then(MetricValue::as_f64).unwrap();
        let all = |id: &str| {
            let r = row(id);
            [f(r.values[0]), f(r.values[1]), f(r.values[2])]
        };
        // [separate, unknown, exclude]
        assert_eq!(all("nakamoto_coefficient"), [3.0, 3.0, 3.0]);
        let hhi = all("hhi");
        let top = all("concentration_ratio=1");
        let entities = all("total_entities");
        for (got, want) in hhi.iter().zip(HHI) {
            assert!((got - want).abs() < 0.05, "hhi {hhi:?}");
        }
        for (got, want) in top.iter().zip(TOP) {
            assert!((got - want).abs() < 5e-5, "top {top:?}");
        }
        assert_eq!(entities, ENTITIES);
        let h = row("hhi");
        assert_eq!((h.min, h.max), (Some(hhi[0]), Some(hhi[2])));
        assert!(h.is_spread());
        assert!(!row("nakamoto_coefficient").is_spread());
    }

    /// Every ledger of EDI's sample keeps its own windows under all three treatments
    /// (timeframes are pinned per layer, not across ledgers).
    #[test]
    fn edi_sample_ledgers_keep_their_own_windows() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/reference/edi-samples/input");
        let files: Vec<_> = ["bitcoin", "cardano", "ethereum", "tezos"]
            .iter()
            .map(|l| root.join(format!("raw_block_data/{l}_raw_data.json")))
            .collect();
        let input = Input::edi(&files, root.join("mapping_information")).unwrap();
        let opts = AnalyzeOptions {
            window: WindowSpec::Snapshot {
                start: None,
                end: None,
            },
            ..AnalyzeOptions::default()
        };
        let r = treatment_range(
            &input,
            &Registries::default(),
            true,
            &WhatIf::default(),
            opts,
        )
        .unwrap();
        assert_eq!(r.latest().len(), 4 * 14);
        assert!(r
            .rows
            .iter()
            .all(|row| row.values.iter().all(Option::is_some)));
        let row = |network: &str, metric: &str| {
            let row = r
                .rows
                .iter()
                .find(|x| x.network == network && x.metric == metric)
                .unwrap();
            row.values.map(|v| v.and_then(MetricValue::as_f64).unwrap())
        };
        // Bitcoin: 7 of 13 blocks go to two unattributed reward-address strings.
        assert_eq!(row("bitcoin", "nakamoto_coefficient"), [3.0, 1.0, 2.0]);
        let hhi = row("bitcoin", "hhi");
        for (got, want) in hhi.iter().zip([
            10_000.0 * 31.0 / 169.0,
            10_000.0 * 59.0 / 169.0,
            10_000.0 * 10.0 / 36.0,
        ]) {
            assert!((got - want).abs() < 1e-9, "{hhi:?}");
        }
        assert_eq!(row("cardano", "hhi")[0], row("cardano", "hhi")[2]);
    }

    // Latest window 2026-03-24 .. 2026-04-22: 8 of its 4 292 blocks are `unknown`, so the
    // range is narrow there (wider in 2021, see docs/attribution.md).
    const HHI: [f64; 3] = [1626.25, 1626.28, 1632.32];
    const TOP: [f64; 3] = [0.308947, 0.308947, 0.309524];
    const ENTITIES: [f64; 3] = [32.0, 25.0, 24.0];
}

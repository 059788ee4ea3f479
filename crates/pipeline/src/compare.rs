//! The same analysis under two attribution registries, side by side: which metrics move,
//! whose share moves, and which subjects the two registries attribute differently (the crux
//! of every attribution dispute).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use powermap_attribution::{Evidence, Registry, ResolveOptions};
use powermap_model::{Analysis, Layer, MetricValue, Window};

use crate::input::{run_plan, Plan};
use crate::{AnalyzeOptions, Input, MappingSource, PipelineError, Registries, RunOutput, WhatIf};

/// One metric of the latest window under registry A and registry B.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDiff {
    /// Network.
    pub network: String,
    /// Layer.
    pub layer: Layer,
    /// The latest window under A.
    pub window: Window,
    /// Metric id.
    pub metric: String,
    /// Value under A.
    pub a: MetricValue,
    /// Value under B (`None` when B has no such window).
    pub b: Option<MetricValue>,
}

impl MetricDiff {
    /// `B − A`, when both are defined.
    pub fn difference(&self) -> Option<f64> {
        Some(self.b?.as_f64()? - self.a.as_f64()?)
    }
}

/// One entity's share of the latest window under A and B.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareDiff {
    /// Network.
    pub network: String,
    /// Layer.
    pub layer: Layer,
    /// Entity name (as either registry names it).
    pub entity: String,
    /// Share under A, in [0, 1] (0 when A does not name it).
    pub a: f64,
    /// Share under B, in [0, 1].
    pub b: f64,
}

impl ShareDiff {
    /// `B − A`, in share units.
    pub fn difference(&self) -> f64 {
        self.b - self.a
    }
}

/// A subject the two registries attribute to different entities.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectDiff {
    /// Network.
    pub network: String,
    /// The subject as the source shows it (pool slug, reward addresses…).
    pub subject: String,
    /// Entity under A (`None`: excluded as unattributed).
    pub a: Option<String>,
    /// Entity under B.
    pub b: Option<String>,
    /// Observations attributed this way.
    pub observations: u64,
    /// Their weight.
    pub weight: f64,
    /// First UTC day seen.
    pub first: NaiveDate,
    /// Last UTC day seen.
    pub last: NaiveDate,
}

/// An analysis under two registries.
#[derive(Debug)]
pub struct Comparison {
    /// What A is (provenance label).
    pub a_label: String,
    /// What B is.
    pub b_label: String,
    /// The run under A.
    pub a: RunOutput,
    /// The run under B.
    pub b: RunOutput,
    /// Every metric of the latest window of each (network, layer), A's metric order.
    pub metrics: Vec<MetricDiff>,
    /// Entities of the latest windows whose share differs, largest absolute difference first.
    pub shares: Vec<ShareDiff>,
    /// Subjects attributed differently over the whole input (within `from`/`to`), heaviest
    /// first.
    pub subjects: Vec<SubjectDiff>,
}

/// Runs `input` under the default `registries` (A) and under `other` (B) with the same
/// options, and lists the differences.
///
/// B is built by [`MappingSource::registries`] for observation inputs and by replacing the
/// input's own `mapping_information/` for EDI raw data (a pool list keeps that directory's
/// ownership links and special addresses). Both runs cut the same windows (where `opts`
/// leaves the timeframe open, each layer of B is pinned to the days A saw for it).
pub fn compare_mappings(
    input: &Input,
    registries: &Registries,
    other: &MappingSource,
    resolve: ResolveOptions,
    opts: AnalyzeOptions,
) -> Result<Comparison, PipelineError> {
    let none = WhatIf::default();
    let plan_a = Plan {
        input,
        registries,
        edi_mapping: None,
        resolve,
        what_if: &none,
    };
    let (a, days) = run_plan(&plan_a, opts.clone(), None, &mut |_| {})?;
    let b_registries = match input {
        Input::Edi { .. } => Registries::default(),
        _ => other.registries(registries)?,
    };
    let plan_b = Plan {
        input,
        registries: &b_registries,
        edi_mapping: Some(other),
        resolve,
        what_if: &none,
    };
    let (b, _) = run_plan(&plan_b, opts.clone(), Some(&days), &mut |_| {})?;
    let subjects = subject_diffs(&plan_a, &plan_b, opts.from, opts.to)?;
    let label = |r: &RunOutput| {
        let mut labels: Vec<&str> = r
            .analyses
            .iter()
            .map(|x| x.provenance.registry.as_str())
            .collect();
        labels.dedup();
        labels.join("; ")
    };
    Ok(Comparison {
        a_label: label(&a),
        b_label: label(&b),
        metrics: metric_diffs(&a.analyses, &b.analyses),
        shares: share_diffs(&a.analyses, &b.analyses),
        subjects,
        a,
        b,
    })
}

fn latest(a: &Analysis) -> Option<&powermap_model::WindowResult> {
    a.windows.last()
}

fn partner<'a>(a: &Analysis, bs: &'a [Analysis]) -> Option<&'a Analysis> {
    bs.iter()
        .find(|b| b.network == a.network && b.layer == a.layer)
}

fn metric_diffs(a_runs: &[Analysis], b_runs: &[Analysis]) -> Vec<MetricDiff> {
    let mut out = Vec::new();
    for a in a_runs {
        let Some(wa) = latest(a) else { continue };
        let b = partner(a, b_runs);
        let wb = b.and_then(|b| b.windows.iter().find(|w| w.window == wa.window));
        for (i, metric) in a.metrics.iter().enumerate() {
            let vb = b.zip(wb).and_then(|(b, wb)| {
                let col = b.metric_index(metric)?;
                wb.values.get(col).copied()
            });
            out.push(MetricDiff {
                network: a.network.clone(),
                layer: a.layer,
                window: wa.window.clone(),
                metric: metric.clone(),
                a: wa.values.get(i).copied().unwrap_or(MetricValue::Undefined),
                b: vb,
            });
        }
    }
    out
}

fn share_diffs(a_runs: &[Analysis], b_runs: &[Analysis]) -> Vec<ShareDiff> {
    let mut out = Vec::new();
    for a in a_runs {
        let Some(wa) = latest(a) else { continue };
        let wb = partner(a, b_runs).and_then(|b| b.windows.iter().find(|w| w.window == wa.window));
        let mut shares: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        let da = &wa.distribution;
        for (i, s) in da.entries().iter().enumerate() {
            shares.entry(&s.name).or_default().0 = da.share(i);
        }
        if let Some(wb) = wb {
            let db = &wb.distribution;
            for (i, s) in db.entries().iter().enumerate() {
                shares.entry(&s.name).or_default().1 = db.share(i);
            }
        }
        let mut rows: Vec<ShareDiff> = shares
            .into_iter()
            .filter(|(_, (x, y))| x != y)
            .map(|(e, (x, y))| ShareDiff {
                network: a.network.clone(),
                layer: a.layer,
                entity: e.to_string(),
                a: x,
                b: y,
            })
            .collect();
        rows.sort_by(|x, y| {
            y.difference()
                .abs()
                .total_cmp(&x.difference().abs())
                .then_with(|| x.entity.cmp(&y.entity))
        });
        out.extend(rows);
    }
    out
}

/// Key of one subject diff: network, subject, entity under A, entity under B.
type DiffKey = (String, String, Option<String>, Option<String>);

/// Resolves every observation under both plans and keeps the ones that differ.
fn subject_diffs(
    a: &Plan<'_>,
    b: &Plan<'_>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<SubjectDiff>, PipelineError> {
    let mut rows: HashMap<DiffKey, SubjectDiff> = HashMap::new();
    let inside = |day: NaiveDate| from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t);
    let mut add = |network: &str, subject: &str, day: NaiveDate, w: f64, ea, eb| {
        if ea == eb || !inside(day) {
            return;
        }
        let key = (network.to_string(), subject.to_string(), ea, eb);
        let row = rows.entry(key.clone()).or_insert_with(|| SubjectDiff {
            network: key.0,
            subject: key.1,
            a: key.2,
            b: key.3,
            observations: 0,
            weight: 0.0,
            first: day,
            last: day,
        });
        row.observations += 1;
        row.weight += w;
        row.first = row.first.min(day);
        row.last = row.last.max(day);
    };
    let empty = Registry::new("");
    let pair = |obs: &powermap_model::Observation, memo: &mut Memo| {
        let day = obs.time.date_naive();
        let key = (
            obs.network.clone(),
            obs.entity.clone(),
            obs.subject.clone(),
            day.year() * 12 + day.month0() as i32,
        );
        memo.entry(key)
            .or_insert_with(|| {
                let ev = Evidence::observation(obs);
                let one = |p: &Plan<'_>| {
                    let r = p.registries.get(&obs.network).unwrap_or(&empty);
                    r.resolve(&ev, p.resolve).map(|x| x.entity)
                };
                (one(a), one(b))
            })
            .clone()
    };
    let mut memo = Memo::new();
    a.input.each_observation(&mut |obs| {
        let (ea, eb) = pair(&obs, &mut memo);
        add(
            &obs.network,
            &obs.subject,
            obs.time.date_naive(),
            obs.weight,
            ea,
            eb,
        );
    })?;
    match a.input {
        Input::Edi { files, mapping } => {
            for (path, ledger) in files {
                let mapper = |p: &Plan<'_>| -> Result<_, PipelineError> {
                    Ok(powermap_edi::EdiMapper::new(
                        p.edi_registry(mapping, *ledger)?,
                        p.resolve.clustering,
                    )
                    .with_unattributed(p.resolve.unattributed))
                };
                let (ma, mb) = (mapper(a)?, mapper(b)?);
                let label = path.display().to_string();
                for block in powermap_edi::open_raw(path, *ledger)? {
                    let block = block?;
                    let xa = ma.map(&block, &label);
                    let xb = mb.map(&block, &label);
                    let Some(o) = xa.as_ref().or(xb.as_ref()).map(|x| &x.observation) else {
                        continue;
                    };
                    add(
                        &o.network,
                        &o.subject,
                        o.time.date_naive(),
                        o.weight,
                        xa.as_ref().map(|x| x.attribution.entity.clone()),
                        xb.as_ref().map(|x| x.attribution.entity.clone()),
                    );
                }
            }
        }
        Input::Builtin(_) | Input::Observations(_) => {}
    }
    let mut out: Vec<SubjectDiff> = rows.into_values().collect();
    out.sort_by(|x, y| {
        x.network
            .cmp(&y.network)
            .then(y.weight.total_cmp(&x.weight))
            .then_with(|| x.subject.cmp(&y.subject))
            .then_with(|| x.a.cmp(&y.a))
    });
    Ok(out)
}

/// Both attributions by (network, label, subject, month): ownership links are month-granular.
type Memo = HashMap<(String, Option<String>, String, i32), (Option<String>, Option<String>)>;

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_windows::{Alignment, WindowSpec};
    use std::path::{Path, PathBuf};

    fn repo(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    /// Copies a directory tree.
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).unwrap();
            }
        }
    }

    fn edit(path: &Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{from:?} not in {}", path.display());
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    fn assert_share(s: &ShareDiff, entity: &str, a: f64, b: f64) {
        assert_eq!(s.entity, entity);
        assert!((s.a - a).abs() < 1e-12 && (s.b - b).abs() < 1e-12, "{s:?}");
    }

    fn value(c: &Comparison, metric: &str) -> (f64, f64) {
        let m = c.metrics.iter().find(|m| m.metric == metric).unwrap();
        (m.a.as_f64().unwrap(), m.b.unwrap().as_f64().unwrap())
    }

    #[test]
    fn edi_sample_with_one_identifier_renamed() {
        let samples = repo("tests/reference/edi-samples/input");
        let dir = tempfile::tempdir().unwrap();
        let fork = dir.path().join("mapping_information");
        copy_dir(&samples.join("mapping_information"), &fork);
        // A fork that says the `/mined by gbminers/` tag is ViaBTC's.
        edit(
            &fork.join("identifiers/bitcoin.json"),
            r#""name": "GBMiners""#,
            r#""name": "ViaBTC""#,
        );
        let input = Input::edi(
            &[samples.join("raw_block_data/bitcoin_raw_data.json")],
            samples.join("mapping_information"),
        )
        .unwrap();
        let other = MappingSource::detect(&fork).unwrap();
        let c = compare_mappings(
            &input,
            &Registries::default(),
            &other,
            ResolveOptions::default(),
            AnalyzeOptions {
                window: WindowSpec::Snapshot {
                    start: None,
                    end: None,
                },
                ..AnalyzeOptions::default()
            },
        )
        .unwrap();
        assert_eq!(value(&c, "nakamoto_coefficient"), (3.0, 2.0));
        assert_eq!(value(&c, "total_entities"), (7.0, 6.0));
        // Both move by 2 of 13 blocks; ties go by name.
        assert_share(&c.shares[0], "GBMiners", 2.0 / 13.0, 0.0);
        assert_share(&c.shares[1], "ViaBTC", 1.0 / 13.0, 3.0 / 13.0);
        assert_eq!(c.shares.len(), 2);
        assert_eq!(c.subjects.len(), 1);
        let s = &c.subjects[0];
        assert_eq!(
            (s.a.as_deref(), s.b.as_deref()),
            (Some("GBMiners"), Some("ViaBTC"))
        );
        assert_eq!((s.observations, s.weight), (2, 2.0));
        assert!(c.b_label.contains("mapping_information"));
    }

    #[test]
    fn builtin_with_a_fork_where_two_pools_share_an_owner() {
        let dir = tempfile::tempdir().unwrap();
        let fork = dir.path().join("mapping_information");
        copy_dir(&repo("data/edi-mapping/mapping_information"), &fork);
        // A hypothetical fork claiming Bitmain owns SecPool (for the test only).
        edit(
            &fork.join("legal_links.json"),
            r#""Bitmain": ["#,
            r#""Bitmain": [{"name": "SecPool", "from": "", "to": "", "source": "hypothetical"},"#,
        );
        let mut registries = Registries::default();
        registries.insert(
            powermap_attribution::Registry::bitcoin_builtin().unwrap(),
            "bitcoin-builtin",
        );
        let window = WindowSpec::days(30, 30).aligned(Alignment::End);
        let c = compare_mappings(
            &Input::Builtin("bitcoin-pools".into()),
            &registries,
            &MappingSource::detect(&fork).unwrap(),
            ResolveOptions {
                clustering: true,
                unattributed: powermap_attribution::Unattributed::Bucket,
            },
            AnalyzeOptions {
                window,
                ..AnalyzeOptions::default()
            },
        )
        .unwrap();
        // Latest window 2026-03-24 .. 2026-04-22.
        assert_eq!(c.metrics[0].window.end.to_string(), "2026-04-22");
        assert_eq!(value(&c, "nakamoto_coefficient"), (3.0, 2.0));
        assert_eq!(value(&c, "total_entities"), (25.0, 24.0));
        let (a, b) = value(&c, "hhi");
        assert!(
            (a - 1626.28).abs() < 0.01 && (b - 1815.35).abs() < 0.01,
            "{a} {b}"
        );
        assert_eq!(c.shares.len(), 2);
        assert_share(&c.shares[0], "SecPool", 225.0 / 4292.0, 0.0);
        assert_share(&c.shares[1], "Bitmain", 774.0 / 4292.0, 999.0 / 4292.0);
        assert_eq!(c.subjects.len(), 1);
        let s = &c.subjects[0];
        assert_eq!(
            (s.subject.as_str(), s.a.as_deref(), s.b.as_deref()),
            ("secpool", Some("SecPool"), Some("Bitmain"))
        );
        assert_eq!(s.observations, 3_757);
        assert_eq!(
            (s.first.to_string(), s.last.to_string()),
            ("2023-09-03".into(), "2026-04-22".into())
        );
        assert_eq!(c.a_label, "bitcoin-builtin");
    }
}

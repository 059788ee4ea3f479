//! Inputs: where observations come from, and running them through attribution into an
//! [`Analyzer`].

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Datelike;
use powermap_attribution::{Evidence, Registry, ResolveOptions};
use powermap_edi::Ledger;
use powermap_model::{Analysis, Observation, Provenance, Rule};
use rustc_hash::FxHashMap;

use crate::{AnalyzeOptions, Analyzer, AttributionStats, PipelineError};

/// Where observations come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A built-in dataset by id (see `powermap datasets`).
    Builtin(String),
    /// Files in the open observation format (CSV, JSON Lines, Parquet).
    Observations(Vec<PathBuf>),
    /// EDI raw block data files (`<ledger>_raw_data.json`), attributed with an EDI
    /// `mapping_information/` directory. EDI's `clustering` flag applies (see `docs/edi.md`).
    Edi {
        /// Raw block data files and their ledgers.
        files: Vec<(PathBuf, Ledger)>,
        /// The `mapping_information/` directory.
        mapping: PathBuf,
    },
}

impl Input {
    /// EDI raw files, each ledger taken from its file name (`bitcoin_raw_data.json`, or
    /// EDI's `sample_bitcoin_raw_data.json`).
    pub fn edi(files: &[PathBuf], mapping: PathBuf) -> Result<Input, PipelineError> {
        let files = files
            .iter()
            .map(|p| Ok((p.clone(), ledger_of(p)?)))
            .collect::<Result<_, PipelineError>>()?;
        Ok(Input::Edi { files, mapping })
    }
}

/// The ledger named by an EDI raw data file name.
fn ledger_of(path: &std::path::Path) -> Result<Ledger, PipelineError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_start_matches("sample_");
    stem.strip_suffix("_raw_data.json")
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| PipelineError::EdiFileName(path.to_path_buf()))
}

/// Attribution registries by network; a network without one only keeps pre-attributed
/// entities (everything else is unattributed).
#[derive(Debug, Default)]
pub struct Registries {
    by_network: HashMap<String, Registry>,
}

impl Registries {
    /// Adds (or replaces) the registry of its network.
    pub fn insert(&mut self, registry: Registry) {
        self.by_network
            .insert(registry.network().to_string(), registry);
    }

    /// The registry for a network, if any.
    pub fn get(&self, network: &str) -> Option<&Registry> {
        self.by_network.get(network)
    }

    /// Names of the registries loaded, for provenance.
    pub fn describe(&self) -> String {
        let mut n: Vec<&str> = self.by_network.keys().map(String::as_str).collect();
        n.sort_unstable();
        if n.is_empty() {
            "none (pre-attributed entities only)".into()
        } else {
            n.join(", ")
        }
    }
}

/// The result of a run: analyses plus how attribution went.
#[derive(Debug)]
pub struct RunOutput {
    /// One analysis per (network, layer).
    pub analyses: Vec<Analysis>,
    /// Which rules attributed how much.
    pub stats: AttributionStats,
}

/// Runs observations through attribution into the analyzer and finishes it.
///
/// `progress` is called with the number of observations read so far (every 64 Ki rows).
pub fn run(
    input: &Input,
    registries: &Registries,
    resolve: ResolveOptions,
    opts: AnalyzeOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<RunOutput, PipelineError> {
    let mut analyzer = Analyzer::new(opts);
    // Networks without a registry keep pre-attributed entities; the rest is unattributed.
    let empty = Registry::new("");
    let dataset = match input {
        Input::Builtin(id) => {
            let reader = powermap_ingest::builtin::open(id)?;
            feed(reader, registries, &empty, resolve, &mut analyzer, progress)?;
            format!("built-in dataset `{id}`")
        }
        Input::Observations(paths) => {
            for path in paths {
                let reader = powermap_ingest::read_file(path)?;
                feed(reader, registries, &empty, resolve, &mut analyzer, progress)?;
            }
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
        Input::Edi { files, mapping } => {
            let mut n = 0u64;
            for (path, ledger) in files {
                let registry = powermap_edi::load_mapping_information(mapping, *ledger)?;
                let mapper = powermap_edi::EdiMapper::new(registry, resolve.clustering)
                    .with_unattributed(resolve.unattributed);
                let label = path.display().to_string();
                // Order does not matter: the aggregator folds by UTC day, so unsorted input
                // (EDI's Ethereum sample) is analysed correctly.
                for block in powermap_edi::open_raw(path, *ledger)? {
                    match mapper.map(&block?, &label) {
                        Some(a) => analyzer.push(
                            &a.observation.network,
                            a.observation.layer,
                            a.observation.time,
                            a.observation.height,
                            a.observation.weight,
                            &a.attribution.entity,
                            a.attribution.rule,
                        ),
                        None => analyzer.exclude(),
                    }
                    n += 1;
                    if n % 65_536 == 0 {
                        progress(n);
                    }
                }
            }
            progress(n);
            let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
            format!(
                "EDI raw data {} with mapping {}",
                names.join(", "),
                mapping.display()
            )
        }
    };
    let stats = analyzer.stats().clone();
    if stats.by_rule.is_empty() {
        return Err(PipelineError::Empty(format!(" in {dataset}")));
    }
    let provenance = Provenance {
        dataset,
        window_spec: String::new(),
        registry: registries.describe(),
        unattributed: resolve.unattributed.id().to_string(),
    };
    Ok(RunOutput {
        analyses: analyzer.finish(provenance)?,
        stats,
    })
}

fn feed<I>(
    reader: I,
    registries: &Registries,
    empty: &Registry,
    resolve: ResolveOptions,
    analyzer: &mut Analyzer,
    progress: &mut dyn FnMut(u64),
) -> Result<(), PipelineError>
where
    I: Iterator<Item = Result<Observation, powermap_ingest::IngestError>>,
{
    let mut n = 0u64;
    let mut cache = AttributionCache::default();
    for obs in reader {
        let obs = obs?;
        let registry = registries.get(&obs.network).unwrap_or(empty);
        match cache.resolve(registry, &obs, resolve) {
            Some((entity, rule)) => analyzer.push(
                &obs.network,
                obs.layer,
                obs.time,
                obs.height,
                obs.weight,
                entity,
                rule,
            ),
            None => analyzer.exclude(),
        }
        n += 1;
        if n % 65_536 == 0 {
            progress(n);
        }
    }
    progress(n);
    Ok(())
}

/// (network, is-label, subject or label).
type CacheKey = (String, bool, String);
/// Entity and rule, or `None` when attribution excluded the observation.
type Resolved = Option<(String, Rule)>;

/// Memoised attribution.
///
/// An attribution depends only on the network, the subject (or the pre-attributed label)
/// and the month: ownership links are month-granular (EDI's `YYYY-MM` validity). So one
/// resolution per (network, key, month) is exact, and keeps the hot loop free of rule scans.
#[derive(Default)]
struct AttributionCache {
    /// (network, is-label, key) → [(month, entity and rule, or excluded)].
    entries: FxHashMap<CacheKey, Vec<(i32, Resolved)>>,
    /// Reused lookup key, so a hit allocates nothing new.
    probe: CacheKey,
}

impl AttributionCache {
    fn resolve(
        &mut self,
        registry: &Registry,
        obs: &Observation,
        opts: ResolveOptions,
    ) -> Option<(&str, Rule)> {
        let month = obs.time.year() * 12 + obs.time.month0() as i32;
        let (is_label, key) = match &obs.entity {
            Some(e) => (true, e.as_str()),
            None => (false, obs.subject.as_str()),
        };
        self.probe.0.clear();
        self.probe.0.push_str(&obs.network);
        self.probe.1 = is_label;
        self.probe.2.clear();
        self.probe.2.push_str(key);
        if !self.entries.contains_key(&self.probe) {
            self.entries.insert(self.probe.clone(), Vec::new());
        }
        let months = self.entries.get_mut(&self.probe).expect("inserted above");
        let i = match months.iter().rposition(|(m, _)| *m == month) {
            Some(i) => i,
            None => {
                let a = registry
                    .resolve(&Evidence::observation(obs), opts)
                    .map(|a| (a.entity, a.rule));
                months.push((month, a));
                months.len() - 1
            }
        };
        months[i].1.as_ref().map(|(e, r)| (e.as_str(), *r))
    }
}

//! Inputs: where observations come from, and running them through attribution into an
//! [`Analyzer`].

use std::collections::HashMap;
use std::path::PathBuf;

use powermap_attribution::{Evidence, Registry, ResolveOptions};
use powermap_model::{Analysis, Observation, Provenance};

use crate::{AnalyzeOptions, Analyzer, AttributionStats, PipelineError};

/// Where observations come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A built-in dataset by id (see `powermap datasets`).
    Builtin(String),
    /// Files in the open observation format (CSV, JSON Lines, Parquet).
    Observations(Vec<PathBuf>),
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
    for obs in reader {
        let obs = obs?;
        let registry = registries.get(&obs.network).unwrap_or(empty);
        match registry.resolve(&Evidence::observation(&obs), resolve) {
            Some(a) => analyzer.push(
                &obs.network,
                obs.layer,
                obs.time,
                obs.height,
                obs.weight,
                &a.entity,
                a.rule,
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

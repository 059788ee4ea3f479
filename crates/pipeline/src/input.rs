//! Inputs: where observations come from, and running them down the one road
//! ([`Feed`]) into analyses.

use std::path::PathBuf;

use powermap_attribution::{Registry, ResolveOptions, Unattributed};
use powermap_edi::Ledger;
use powermap_model::{Observation, Provenance};

use crate::analyzer::DayRanges;
use crate::{AnalyzeOptions, Feed, MappingSource, PipelineError, Registries, RunOutput, WhatIf};

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
    /// The treatment of unattributed weight an analysis of this input uses unless told
    /// otherwise: one `unknown` bucket for the built-in datasets (their upstream labels what
    /// it cannot attribute `unknown`), each subject its own entity (EDI's rule) otherwise.
    pub fn default_treatment(&self) -> Unattributed {
        match self {
            Input::Builtin(_) => Unattributed::Bucket,
            Input::Observations(_) | Input::Edi { .. } => Unattributed::Separate,
        }
    }

    /// Reads every observation of a built-in dataset or of observation files into `f`.
    /// EDI raw data holds blocks, not observations: their mapping attributes each one with
    /// its evidence (see [`Plan::edi_registry`]), so it gives nothing here.
    pub(crate) fn each_observation(
        &self,
        f: &mut dyn FnMut(Observation),
    ) -> Result<(), PipelineError> {
        match self {
            Input::Builtin(id) => {
                for obs in powermap_ingest::builtin::open(id)? {
                    f(obs?);
                }
            }
            Input::Observations(paths) => {
                for path in paths {
                    for obs in powermap_ingest::read_file(path)? {
                        f(obs?);
                    }
                }
            }
            Input::Edi { .. } => {}
        }
        Ok(())
    }

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

/// Runs observations through attribution into the analyzer and finishes it.
///
/// `progress` is called with the number of observations read so far (every 64 Ki rows).
///
/// With [`Unattributed::Separate`], an unattributed observation whose subject names nobody
/// (the label [`UNKNOWN_SLUG`], as the built-in dataset marks blocks its upstream could not
/// attribute) counts as **its own entity**, `unknown (block <height>)`: each unattributed
/// block its own producer, EDI's reading of "separate". Subjects that do identify something
/// (reward addresses) stay one entity per subject, exactly as EDI.
pub fn run(
    input: &Input,
    registries: &Registries,
    resolve: ResolveOptions,
    opts: AnalyzeOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<RunOutput, PipelineError> {
    run_with(
        input,
        registries,
        resolve,
        &WhatIf::default(),
        opts,
        progress,
    )
}

/// [`run`] with what-ifs applied to every attribution (e.g. entities merged into one owner).
///
/// Fails with [`PipelineError::MergeUnknown`] when a merge names an entity no observation
/// was attributed to (the error names the closest entity names).
pub fn run_with(
    input: &Input,
    registries: &Registries,
    resolve: ResolveOptions,
    what_if: &WhatIf,
    opts: AnalyzeOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<RunOutput, PipelineError> {
    let plan = Plan {
        input,
        registries,
        edi_mapping: None,
        resolve,
        what_if,
    };
    Ok(run_plan(&plan, opts, None, progress)?.0)
}

/// Everything one run needs besides the analysis options.
pub(crate) struct Plan<'a> {
    pub input: &'a Input,
    pub registries: &'a Registries,
    /// Replaces the `mapping_information/` of EDI inputs (for comparisons).
    pub edi_mapping: Option<&'a MappingSource>,
    pub resolve: ResolveOptions,
    pub what_if: &'a WhatIf,
}

impl Plan<'_> {
    /// The registry for one ledger of an EDI input.
    pub(crate) fn edi_registry(
        &self,
        mapping: &std::path::Path,
        ledger: Ledger,
    ) -> Result<Registry, PipelineError> {
        match self.edi_mapping {
            Some(other) => other.edi_registry(ledger, mapping),
            None => Ok(powermap_edi::load_mapping_information(mapping, ledger)?),
        }
    }

    /// The label of the registry used for an EDI input.
    fn edi_label(&self, mapping: &std::path::Path) -> String {
        match self.edi_mapping {
            Some(other) => other.describe(),
            None => format!("EDI mapping_information {}", mapping.display()),
        }
    }
}

/// Runs a plan, with each group's windows cut over `pins` where given (see
/// [`Analyzer::pin_timeframes`]); also returns each group's first and last day.
pub(crate) fn run_plan(
    plan: &Plan<'_>,
    opts: AnalyzeOptions,
    pins: Option<&DayRanges>,
    progress: &mut dyn FnMut(u64),
) -> Result<(RunOutput, DayRanges), PipelineError> {
    let (input, registries, resolve) = (plan.input, plan.registries, plan.resolve);
    let mut feed = Feed::new(registries, resolve, plan.what_if, opts)?;
    let dataset = match input {
        Input::Builtin(id) => {
            feed.read(powermap_ingest::builtin::open(id)?, progress)?;
            format!("built-in dataset `{id}`")
        }
        Input::Observations(paths) => {
            for path in paths {
                feed.read(powermap_ingest::read_file(path)?, progress)?;
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
                let registry = plan.edi_registry(mapping, *ledger)?;
                let mapper = powermap_edi::EdiMapper::new(registry, resolve.clustering)
                    .with_unattributed(resolve.unattributed);
                let label = path.display().to_string();
                // Order does not matter: the aggregator folds by UTC day, so unsorted input
                // (EDI's Ethereum sample) is analysed correctly.
                for block in powermap_edi::open_raw(path, *ledger)? {
                    feed.push_attributed(mapper.map(&block?, &label).as_ref());
                    n += 1;
                    if n.is_multiple_of(65_536) {
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
    feed.check_merges()?;
    if feed.stats().by_rule.is_empty() {
        return Err(PipelineError::Empty(format!(" in {dataset}")));
    }
    let days = feed.day_ranges();
    if let Some(pins) = pins {
        feed.pin_timeframes(pins.clone());
    }
    let provenance = Provenance {
        dataset,
        window_spec: String::new(),
        registry: String::new(),
        unattributed: resolve.unattributed.id().to_string(),
    };
    let RunOutput {
        mut analyses,
        stats,
    } = feed.finish(provenance)?;
    let what_if = plan.what_if.describe();
    for a in &mut analyses {
        match input {
            Input::Edi { files, mapping } => {
                if let Some((path, _)) = files.iter().find(|(_, l)| l.id() == a.network) {
                    a.provenance.dataset = format!("EDI raw data {}", path.display());
                }
                a.provenance.registry = plan.edi_label(mapping);
            }
            _ => a.provenance.registry = registries.describe(&a.network),
        }
        if !what_if.is_empty() {
            a.provenance.registry = format!("{}; {what_if}", a.provenance.registry);
        }
    }
    Ok((RunOutput { analyses, stats }, days))
}

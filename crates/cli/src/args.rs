//! Flags shared by the commands that analyse data, and the one place they are resolved into
//! what the pipeline runs (as ripgrep turns low-level flags into high-level args): the input
//! and its default treatment, the registries, attribution options and window options, with a
//! policy's `[analysis]` defaults between the flags and the built-in defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use powermap_attribution::ResolveOptions;
use powermap_pipeline::{AnalyzeOptions, Input, Registries, RunOutput, TreatmentChoice};
use powermap_policy::AnalysisDefaults;
use powermap_windows::{Alignment, Population, WindowSpec};

/// Where observations come from.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Observation files in the open format (.csv, .jsonl, .parquet), or EDI raw block data
    /// (`<ledger>_raw_data.json`). Without files, the built-in dataset is used.
    files: Vec<PathBuf>,

    /// EDI's `mapping_information/` directory. Needed for EDI raw block data (recognised by
    /// name); this repository ships one at `data/edi-mapping/mapping_information`.
    #[arg(long, value_name = "DIR")]
    mapping: Option<PathBuf>,

    /// Built-in dataset to use when no files are given (see `powermap datasets`).
    #[arg(long, default_value = "bitcoin-pools")]
    dataset: String,
}

impl InputArgs {
    /// The input these flags name.
    pub fn input(&self) -> Result<Input> {
        let (files, mapping) = (&self.files, self.mapping.as_deref());
        if files.is_empty() {
            return Ok(Input::Builtin(self.dataset.clone()));
        }
        if files.iter().all(|p| is_edi_raw(p)) {
            let mapping = mapping.context(
                "EDI raw block data needs --mapping DIR (EDI's mapping_information/; this repository ships one at data/edi-mapping/mapping_information)",
            )?;
            return Ok(Input::edi(files, mapping.to_path_buf())?);
        }
        if let Some(p) = files.iter().find(|p| is_edi_raw(p)) {
            anyhow::bail!(
                "{}: EDI raw block data cannot be mixed with observation files in one run",
                p.display()
            );
        }
        Ok(Input::Observations(files.clone()))
    }
}

/// EDI raw block data files are named `<ledger>_raw_data.json`.
fn is_edi_raw(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("_raw_data.json"))
}

/// How subjects become entities.
#[derive(Debug, clap::Args)]
pub struct AttributionArgs {
    /// Roll pools up to their owners through dated ownership links (default; `check`: the
    /// policy's `[analysis] clustering` first).
    #[arg(long, overrides_with = "no_cluster")]
    cluster: bool,

    /// Count each pool/brand as its own entity.
    #[arg(long)]
    no_cluster: bool,

    /// Weight no rule attributes: `separate` (each subject its own entity, EDI's rule; a
    /// subject that names nobody, like the built-in dataset's `unknown`, makes each block its
    /// own entity), `unknown` (one bucket), `exclude`, or (`analyze` only) `range`: run all
    /// three and show every metric as `value (lo – hi)`, the value under the default
    /// treatment. Default: `check` takes the policy's `[analysis] unattributed` first; then
    /// `unknown` for the built-in dataset, `separate` otherwise.
    #[arg(long, value_name = "MODE")]
    unattributed: Option<TreatmentChoice>,
}

/// How observations are cut into windows.
#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    /// Windows: `30d` (30-day windows every 30 days), `30d/1d` (stepping daily),
    /// `1000blocks[/step]`, `month`, or `all` (one window over everything). Default: `30d`
    /// (`check`: the policy's `[analysis] window` first).
    #[arg(long, short, value_name = "SPEC")]
    window: Option<WindowSpec>,

    /// Anchor day windows at the `start` of the data (EDI) or its `end` (the newest window
    /// ends on the last day). Default: `end` (`check`: the policy's `[analysis] align` first).
    #[arg(long, value_parser = alignment())]
    align: Option<Alignment>,

    /// First day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<NaiveDate>,

    /// Last day to include (UTC, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<NaiveDate>,

    /// EDI population windows: entities active within N neighbouring windows count with 0
    /// weight (changes Gini and Theil only); `all` = every entity seen.
    #[arg(long, default_value = "1", value_name = "N|all")]
    population: Population,
}

/// `start` or `end`, listed in `--help`.
fn alignment() -> impl TypedValueParser<Value = Alignment> {
    PossibleValuesParser::new(["start", "end"]).try_map(|s| s.parse::<Alignment>())
}

/// Everything that says how a command analyses its data.
#[derive(Debug, clap::Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub windows: WindowArgs,
    #[command(flatten)]
    pub attribution: AttributionArgs,
}

/// Defaults between the flags and the built-in ones: a policy's `[analysis]` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Defaults<'a> {
    /// The table, and the policy file it is in (for errors).
    pub policy: Option<(&'a AnalysisDefaults, &'a str)>,
}

/// The flags resolved: what the pipeline runs.
#[derive(Debug)]
pub struct Analysis {
    /// Where observations come from.
    pub input: Input,
    /// The built-in registries.
    pub registries: Registries,
    /// Clustering and the treatment of unattributed weight (the shown one under `range`).
    pub resolve: ResolveOptions,
    /// `--unattributed range`: run all three treatments.
    pub range: bool,
    /// Windows, population, metrics, timeframe.
    pub opts: AnalyzeOptions,
}

impl AttributionArgs {
    /// Clustering and treatment for `input`, and whether all treatments are asked for
    /// (rejected unless `range` is allowed).
    pub fn resolve(
        &self,
        input: &Input,
        defaults: Defaults<'_>,
        range_allowed: bool,
    ) -> Result<(ResolveOptions, bool)> {
        let policy = defaults.policy;
        let clustering = if self.no_cluster {
            false
        } else if self.cluster {
            true
        } else {
            policy.and_then(|(d, _)| d.clustering).unwrap_or(true)
        };
        let from_policy =
            match policy.and_then(|(d, file)| Some((d.unattributed.as_deref()?, file))) {
                Some((u, file)) => Some(
                    u.parse()
                        .map_err(|e| anyhow::anyhow!("{file}: [analysis] unattributed: {e}"))?,
                ),
                None => None,
            };
        let (unattributed, range) = match self.unattributed {
            Some(TreatmentChoice::Range) if !range_allowed => {
                anyhow::bail!("--unattributed range: only `powermap analyze` shows ranges (expected separate, unknown or exclude)")
            }
            Some(TreatmentChoice::Range) => (input.default_treatment(), true),
            Some(TreatmentChoice::One(t)) => (t, false),
            None => (from_policy.unwrap_or(input.default_treatment()), false),
        };
        Ok((
            ResolveOptions {
                clustering,
                unattributed,
            },
            range,
        ))
    }
}

impl WindowArgs {
    /// The window spec (flag, else policy, else `30d`), aligned (flag, else policy, else
    /// `end`).
    fn window(&self, defaults: Defaults<'_>) -> WindowSpec {
        let policy = defaults.policy.map(|(d, _)| d);
        let window = self
            .window
            .clone()
            .or_else(|| policy.and_then(|d| d.window.clone()))
            .unwrap_or_else(|| WindowSpec::days(30, 30));
        let align = self
            .align
            .or_else(|| policy.and_then(|d| d.align))
            .unwrap_or(Alignment::End);
        window.aligned(align)
    }
}

impl AnalysisArgs {
    /// Resolves every flag; `range_allowed` for `analyze`.
    pub fn resolve(&self, defaults: Defaults<'_>, range_allowed: bool) -> Result<Analysis> {
        let input = self.input.input()?;
        let (resolve, range) = self.attribution.resolve(&input, defaults, range_allowed)?;
        let w = &self.windows;
        let opts = AnalyzeOptions {
            window: w.window(defaults),
            population: w.population,
            clustering: resolve.clustering,
            from: w.from,
            to: w.to,
            ..AnalyzeOptions::default()
        };
        Ok(Analysis {
            input,
            registries: registries()?,
            resolve,
            range,
            opts,
        })
    }
}

impl Analysis {
    /// Runs the pipeline once, under the resolved treatment.
    pub fn run(&self, progress: &mut dyn FnMut(u64)) -> Result<RunOutput> {
        Ok(powermap_pipeline::run(
            &self.input,
            &self.registries,
            self.resolve,
            self.opts.clone(),
            progress,
        )?)
    }
}

/// The registries every command uses: the built-in ones.
pub fn registries() -> Result<Registries> {
    Registries::builtin().context("loading the built-in registry")
}

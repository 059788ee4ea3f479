//! `powermap simulate`: where concentration goes if nobody acts, and which counter-mechanism
//! stops it. Reads the shipped series through the pipeline and the source adapters; the
//! model, fit, backtest and scenarios live in `powermap-simulate`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use powermap_attribution::{ResolveOptions, Unattributed, UNKNOWN_ENTITY};
use powermap_model::{Layer, Observation};
use powermap_pipeline::{AnalyzeOptions, Input};
use powermap_simulate::{fan_chart, Measure, ScenarioSet, Series, SeriesMeta, Study, StudyOptions};
use powermap_windows::{Alignment, WindowSpec};

/// Networks with a shipped series.
const NETWORKS: [&str; 5] = ["bitcoin", "ethereum", "solana", "dydx", "sei"];

/// Arguments of `powermap simulate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap simulate bitcoin                        # pools per 30-day window, 2021–2026
  powermap simulate ethereum --plot fans           # Rated staking entities; fan charts as SVG
  powermap simulate solana --format json           # two snapshots: no backtest, says so
  powermap simulate dydx --scenarios my.toml --horizon 1095 --seed 7

Prints the \"if nobody acts\" probabilities, the fitted model (ABC) with its backtest against
last-value and random-walk baselines, and the mechanism comparison of
registry/simulate/<network>.toml (dydx and sei share cosmos.toml). Model, assumptions and
backtest results: docs/simulate.md.")]
pub struct Args {
    /// Network: bitcoin, ethereum, solana, dydx or sei.
    #[arg(value_parser = NETWORKS)]
    network: String,
    /// Scenario file (TOML) instead of the shipped registry/simulate/<network>.toml.
    #[arg(long, value_name = "FILE")]
    scenarios: Option<PathBuf>,
    /// Days simulated after the last snapshot.
    #[arg(long, default_value_t = 730, value_name = "DAYS")]
    horizon: u32,
    /// Days between checkpoints (fan-chart points; "by a date" events are checked there).
    /// Default: 7, or horizon/104 when that is coarser.
    #[arg(long, value_name = "DAYS")]
    step: Option<u32>,
    /// Paths per scenario.
    #[arg(long, default_value_t = 2000)]
    runs: usize,
    /// Simulations of the ABC fit: four rounds of population Monte Carlo, each keeping the
    /// closest fifth of its quarter.
    #[arg(long, default_value_t = 1500)]
    sims: usize,
    /// Paths per backtest origin.
    #[arg(long, default_value_t = 500)]
    backtest_runs: usize,
    /// Seed: the same seed gives the same output on any machine and thread count.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Output: `text` or `json` (`null` = not determined).
    #[arg(long, short, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Write fan charts (SVG, one per scenario and metric) into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// Folder that holds `data/` (the repository root); Bitcoin uses the built-in dataset.
    #[arg(long, default_value = ".", value_name = "DIR")]
    data: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Runs `powermap simulate`.
pub fn run(args: Args) -> Result<ExitCode> {
    let series = load(&args.network, &args.data)?;
    let (set, file) = match &args.scenarios {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let file = path.display().to_string();
            (ScenarioSet::parse(&text, &file)?, file)
        }
        None => {
            let set = ScenarioSet::builtin(&args.network)
                .with_context(|| format!("no shipped scenarios for {}", args.network))??;
            let file = format!("registry/simulate/{}.toml", set.network);
            (set, file)
        }
    };
    let threads = args
        .threads
        .unwrap_or_else(powermap_simulate::default_threads);
    let mut opts = StudyOptions::new(args.seed, threads);
    opts.horizon_days = args.horizon;
    opts.step_days = args
        .step
        .unwrap_or_else(|| powermap_simulate::checkpoint_step(args.horizon));
    opts.runs = args.runs;
    opts.fit.sims = args.sims;
    opts.fit.accept = (args.sims / 20).max(5);
    opts.backtest.runs = args.backtest_runs;
    let bar = progress(
        args.quiet,
        Study::work(&opts, set.scenarios.len(), series.snapshots.len()),
    );
    let study = Study::run(&series, Some((&set, &file)), &opts, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    if let Some(dir) = &args.plot {
        plots(&study, dir)?;
    }
    match args.format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&study)?),
        _ => print!("{}", study.to_text()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The shipped series of `network`.
fn load(network: &str, data: &Path) -> Result<Series> {
    match network {
        "bitcoin" => bitcoin(),
        "ethereum" => ethereum(data),
        "solana" => solana(data),
        chain => cosmos(chain, data),
    }
}

/// Bitcoin: the built-in dataset, pools rolled up to owners, 30-day windows.
fn bitcoin() -> Result<Series> {
    let resolve = ResolveOptions {
        clustering: true,
        unattributed: Unattributed::Bucket,
    };
    let opts = AnalyzeOptions {
        window: WindowSpec::Days {
            estimation: 30,
            step: 30,
            start: None,
            end: None,
            align: Alignment::End,
        },
        ..AnalyzeOptions::default()
    };
    let registries = crate::args::registries()?;
    let out = powermap_pipeline::run(
        &Input::Builtin("bitcoin-pools".into()),
        &registries,
        resolve,
        opts,
        &mut |_| {},
    )?;
    let a = out
        .analyses
        .iter()
        .find(|a| a.network == "bitcoin" && a.layer == Layer::Consensus)
        .context("the built-in dataset gave no Bitcoin analysis")?;
    let meta = SeriesMeta {
        network: "bitcoin".into(),
        measure: Measure::Blocks,
        unit: "blocks per 30-day window (about 4,300)".into(),
        source: format!("{}; {}", a.provenance.dataset, a.provenance.registry),
        coverage: "every block; blocks no rule attributes (`unknown`) are the remainder".into(),
        entity: "pool owner (pools rolled up through EDI's dated legal links)".into(),
    };
    Ok(Series::from_analysis(a, meta, &[UNKNOWN_ENTITY])?)
}

/// Reads every observation of adapter `id` from its shipped file under `data`.
fn observations(id: &str, data: &Path, file: Option<&str>) -> Result<Vec<Observation>> {
    let info = powermap_sources::info(id)?;
    let path = data.join(file.unwrap_or(info.default_file));
    if !path.exists() {
        anyhow::bail!(
            "{} not found: run from the repository root or pass --data <repository root>",
            path.display()
        );
    }
    powermap_sources::read(id, &path, Some(Layer::Consensus))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", path.display()))
}

/// Ethereum: Rated staking entities per day, the unlabelled rest as remainder.
fn ethereum(data: &Path) -> Result<Series> {
    let obs = observations("eth_staking_entities", data, None)?;
    let meta = SeriesMeta {
        network: "ethereum".into(),
        measure: Measure::Validators,
        unit: "validators (32 ETH each before Pectra; after EIP-7251 consolidation a count is not stake)".into(),
        source: "data/clientdiversity-org/eth_staking_entities_rated_daily.csv (Rated via clientdiversity.org; 79 days 2023-08-23 … 2024-02-03, with gaps)".into(),
        coverage: String::new(),
        entity: "Rated staking entity (Lido is one entity although ~36 node operators run its validators)".into(),
    };
    let mut s = Series::from_observations(obs, meta, &[powermap_sources::ethereum::UNLABELLED])?;
    let (lo, hi) = s.remainder_range();
    s.meta.coverage = format!(
        "labelled entities hold {:.0}–{:.0} % of validators; the unlabelled rest (solo stakers, unidentified operators) is no entity",
        (1.0 - hi) * 100.0,
        (1.0 - lo) * 100.0
    );
    Ok(s)
}

/// Solana: stake per validator at epochs 780 and 860, grouped by ASN and data centre.
fn solana(data: &Path) -> Result<Series> {
    const DIR: &str = "data/alpenglow-solana-sui";
    let mut obs = observations(
        "solana_validators",
        data,
        Some(&format!("{DIR}/solana_validators_epoch780.csv")),
    )?;
    obs.extend(observations("solana_validators", data, None)?);
    let snap = powermap_sources::solana::snapshot(
        &data.join(format!("{DIR}/solana_validators_epoch860.csv")),
    )?;
    let (mut asn, mut dc): (HashMap<String, String>, HashMap<String, String>) = Default::default();
    let mut largest: HashMap<String, f64> = HashMap::new();
    for v in &snap.validators {
        let name = v.name.clone().unwrap_or_else(|| v.vote_account.clone());
        if largest.get(&name).is_none_or(|&s| v.stake > s) {
            largest.insert(name.clone(), v.stake);
            asn.insert(name.clone(), v.asn.clone());
            dc.insert(name, v.data_center.clone());
        }
    }
    let meta = SeriesMeta {
        network: "solana".into(),
        measure: Measure::Stake,
        unit: "SOL of active stake".into(),
        source: format!("{DIR}/solana_validators_epoch{{780,860}}.csv (validators.app dumps; 780 ≈ 2025-04-17, 860 ≈ 2025-10-06)"),
        coverage: "every validator in the dumps; ASN and data centre as validators.app reports them".into(),
        entity: "validator (name when given, else vote account)".into(),
    };
    Ok(Series::from_observations(obs, meta, &[])?
        .with_grouping("asn", &asn)
        .with_grouping("data_center", &dc))
}

/// dYdX or Sei: monthly CometBFT validator sets.
fn cosmos(chain: &str, data: &Path) -> Result<Series> {
    let obs: Vec<Observation> = observations("cosmos_valsets", data, None)?
        .into_iter()
        .filter(|o| o.network == chain)
        .collect();
    let meta = SeriesMeta {
        network: chain.into(),
        measure: Measure::VotingPower,
        unit: "CometBFT voting power".into(),
        source: "data/envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv (monthly validator sets, first year of the chain)".into(),
        coverage: "the whole active validator set".into(),
        entity: "consensus address (a validator, not its operator)".into(),
    };
    Ok(Series::from_observations(obs, meta, &[])?)
}

/// One SVG per scenario and metric: `<scenario>_<metric>.svg`, written atomically.
fn plots(study: &Study, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let history = &study.series.history;
    for sc in &study.scenarios {
        for (m, fan) in sc.fans.iter().enumerate() {
            let past: Vec<_> = if m < 5 {
                history.iter().map(|(d, v)| (*d, v[m])).collect()
            } else {
                Vec::new()
            };
            let title = format!(
                "{} · {} · {}",
                study.series.meta.network,
                fan.metric.label(),
                sc.title
            );
            let svg = fan_chart(fan, &past, &title);
            let slug: String = fan
                .metric
                .id()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let path = dir.join(format!("{}_{slug}.svg", sc.id));
            powermap_ingest::atomic_write(&path, |w| {
                std::io::Write::write_all(w, svg.as_bytes())
                    .map_err(|e| powermap_ingest::IngestError::io(&path, e))
            })?;
        }
    }
    Ok(())
}

fn progress(quiet: bool, total: u64) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% fit draws and paths ({eta} left)")
            .expect("valid template"),
    );
    bar
}

//! `powermap drift`: how fast is concentration moving? Trends, change points and threshold
//! forecasts for metric series and entity shares.

use std::process::ExitCode;

use anyhow::Result;
use powermap_model::Threshold;
use powermap_pipeline::AnalyzeOptions;
use powermap_render::drift::{self, DriftOptions};
use powermap_windows::{Alignment, WindowSpec};

use crate::args::{AttributionArgs, Defaults, InputArgs};

/// Arguments of `powermap drift`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap drift                                  # top share, top-2, HHI and Nakamoto on the built-in data
  powermap drift --entity 'Foundry USA' --threshold 1/3 --horizon 365
  powermap drift --metric gini --metric entropy=1 --last 24

Trends are Theil–Sen slopes with a 95 % interval; change points are PELT (BIC penalty) on
non-overlapping windows; forecasts extend the trend of the last N windows (docs/vigilance.md).")]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    attribution: AttributionArgs,
    /// Window length in days (windows do not overlap, so trends are not over-confident).
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Metric series to examine (repeatable). Default: hhi and nakamoto_coefficient.
    #[arg(long = "metric", value_name = "ID")]
    metrics: Vec<String>,
    /// Entity shares to examine (repeatable). Default: the latest top entity and top two.
    #[arg(long = "entity", value_name = "NAME")]
    entities: Vec<String>,
    /// Threshold a share series is forecast to reach. Default: 1/3 for one entity, 1/2 for
    /// the top two.
    #[arg(long)]
    threshold: Option<Threshold>,
    /// Forecast horizon in days from the last window.
    #[arg(long, default_value_t = 365)]
    horizon: u32,
    /// Windows the trend and forecast use (the newest N).
    #[arg(long, default_value_t = 12)]
    last: usize,
}

/// Runs `powermap drift`.
pub fn run(args: Args) -> Result<ExitCode> {
    let input = args.input.input()?;
    let (resolve, _) = args
        .attribution
        .resolve(&input, Defaults::default(), false)?;
    let opts = AnalyzeOptions {
        window: WindowSpec::days(args.days, args.days).aligned(Alignment::End),
        clustering: resolve.clustering,
        ..AnalyzeOptions::default()
    };
    let registries = crate::args::registries()?;
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})?;
    let options = DriftOptions {
        days: args.days,
        metrics: args.metrics,
        entities: args.entities,
        threshold: args.threshold,
        horizon: args.horizon,
        last: args.last,
    };
    let mut text = String::new();
    for a in &out.analyses {
        drift::write(a, &options, &mut text)?;
    }
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

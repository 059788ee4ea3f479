//! `powermap import`: convert a real dataset into the open observation format.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use powermap_model::Layer;

/// Arguments of `powermap import`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap import --list
  powermap import solana_validators --layer consensus --out solana.csv
  powermap analyze solana.csv --window all
  powermap import eth_staking_entities --out eth.parquet
  powermap analyze eth.parquet --window 30d --unattributed exclude")]
pub struct Args {
    /// Source id (see `--list`).
    #[arg(required_unless_present = "list")]
    source: Option<String>,
    /// Dataset file. Default: the copy shipped under `data/`, resolved relative to the
    /// current directory (run from the repository root).
    file: Option<PathBuf>,
    /// Only this layer (consensus, infrastructure, software, geography, governance, wealth).
    /// Default: every layer the source gives.
    #[arg(long, value_name = "LAYER")]
    layer: Option<Layer>,
    /// Observation file to write (.csv, .jsonl, .parquet), replaced atomically.
    #[arg(short, long, value_name = "FILE", required_unless_present = "list")]
    out: Option<PathBuf>,
    /// List the sources and exit.
    #[arg(long, conflicts_with_all = ["file", "layer", "out"])]
    list: bool,
}

/// Converts one dataset, or lists the sources.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.list {
        let mut out = std::io::stdout().lock();
        for s in powermap_sources::all() {
            let layers: Vec<_> = s.layers.iter().map(|l| l.id()).collect();
            writeln!(out, "{}  ({})", s.id, layers.join(", "))?;
            writeln!(out, "  {}", s.description)?;
            writeln!(out, "  default file: {}", s.default_file)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(id), Some(out)) = (args.source, args.out) else {
        bail!("give a SOURCE and --out FILE (or --list)");
    };
    let info = powermap_sources::info(&id)?;
    let path = match args.file {
        Some(p) => p,
        None => {
            let p = PathBuf::from(info.default_file);
            if !p.exists() {
                bail!(
                    "{} not found: without FILE, `import {id}` reads the shipped copy relative to \
                     the current directory; run it from the repository root or pass FILE",
                    p.display()
                );
            }
            p
        }
    };
    let (observations, skipped) = powermap_sources::read_counted(&id, &path, args.layer)
        .with_context(|| format!("import {id}"))?;
    // Collected before writing so a bad row leaves an existing `out` untouched (the largest
    // shipped dataset is ~18,000 rows).
    let rows: Vec<_> = observations
        .collect::<Result<_, _>>()
        .with_context(|| format!("import {id}"))?;
    let written = powermap_ingest::write_file(&out, &rows)
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {written} observations from {} to {}{}",
        path.display(),
        out.display(),
        match skipped.get() {
            0 => String::new(),
            n => format!(" ({n} rows skipped: {})", skipped.reason()),
        }
    );
    Ok(ExitCode::SUCCESS)
}

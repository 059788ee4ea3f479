//! `powermap datasets`: what ships built in.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

/// Arguments of `powermap datasets`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// One JSON line of `datasets --json`.
#[derive(serde::Serialize)]
struct Record<'a> {
    id: &'a str,
    network: &'a str,
    layer: &'a str,
    rows: u64,
    first: String,
    last: String,
    first_height: u64,
    last_height: u64,
    licence: &'a str,
    upstream: &'a str,
}

/// Lists the built-in datasets.
pub fn run(args: Args) -> Result<ExitCode> {
    let sets = powermap_ingest::builtin::datasets();
    let mut out = std::io::stdout().lock();
    if args.json {
        for d in &sets {
            let record = Record {
                id: d.id,
                network: d.network,
                layer: d.layer.id(),
                rows: d.rows,
                first: d.first_time.to_rfc3339(),
                last: d.last_time.to_rfc3339(),
                first_height: d.first_height,
                last_height: d.last_height,
                licence: d.licence,
                upstream: &d.upstream,
            };
            writeln!(out, "{}", serde_json::to_string(&record)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    for d in &sets {
        writeln!(out, "{}  ({} / {})", d.id, d.network, d.layer)?;
        writeln!(out, "  {}", d.description)?;
        writeln!(
            out,
            "  {} observations, {} … {}, heights {} … {}",
            d.rows,
            d.first_time.format("%Y-%m-%d"),
            d.last_time.format("%Y-%m-%d"),
            d.first_height,
            d.last_height
        )?;
        writeln!(out, "  licence: {}", d.licence)?;
        writeln!(out, "  source:  {}", d.upstream)?;
        writeln!(out, "  use:     powermap analyze --dataset {}", d.id)?;
    }
    Ok(ExitCode::SUCCESS)
}

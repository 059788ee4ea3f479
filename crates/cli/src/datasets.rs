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

/// Lists the built-in datasets.
pub fn run(args: Args) -> Result<ExitCode> {
    let sets = powermap_ingest::builtin::datasets();
    let mut out = std::io::stdout().lock();
    if args.json {
        for d in &sets {
            writeln!(
                out,
                "{{\"id\":{:?},\"network\":{:?},\"layer\":{:?},\"rows\":{},\"first\":{:?},\"last\":{:?},\"first_height\":{},\"last_height\":{},\"licence\":{:?},\"upstream\":{:?}}}",
                d.id, d.network, d.layer.id(), d.rows, d.first_time.to_rfc3339(), d.last_time.to_rfc3339(),
                d.first_height, d.last_height, d.licence, d.upstream
            )?;
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

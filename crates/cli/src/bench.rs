//! `powermap bench`: a reproducible benchmark on generated data (not a test).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use powermap_attribution::{Registry, ResolveOptions, Unattributed};
use powermap_ingest::synth::{self, SynthConfig};
use powermap_ingest::{Format, ReadRef};
use powermap_pipeline::{AnalyzeOptions, Input, Registries};
use powermap_windows::{Alignment, Population, WindowSpec};

/// Arguments of `powermap bench`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Build with --release first: cargo run --release -- bench")]
pub struct Args {
    /// Observations to generate (Zipf s=1.1 over 200 entities, 5 years of timestamps).
    #[arg(long, default_value_t = 10_000_000)]
    rows: u64,
    /// Where the generated files go (reused when already there with the same row count).
    #[arg(long, default_value = "target/bench-data")]
    dir: PathBuf,
    /// Only generate the files.
    #[arg(long)]
    generate_only: bool,
    /// Also time parsing into owned observations (the default times borrowed rows, the path
    /// `analyze` uses).
    #[arg(long)]
    owned: bool,
}

/// Runs the benchmark and prints one line per phase.
pub fn run(args: Args) -> Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; figures are meaningless (use --release)");
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let config = SynthConfig {
        rows: args.rows,
        ..SynthConfig::default()
    };
    let mut files = Vec::new();
    for (format, ext) in [
        (Format::Parquet, "parquet"),
        (Format::Csv, "csv"),
        (Format::Jsonl, "jsonl"),
    ] {
        let path = args.dir.join(format!("synth-{}.{ext}", args.rows));
        if !path.exists() {
            let t = Instant::now();
            synth::write(&path, format, &config)?;
            println!(
                "generated {:<40} {:>8.2} s",
                path.display(),
                t.elapsed().as_secs_f64()
            );
        }
        files.push((format, path));
    }
    if args.generate_only {
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<44} {:>9} {:>12} {:>12}",
        "phase", "seconds", "rows/s", "MB/s"
    );
    for (format, path) in &files {
        let bytes = std::fs::metadata(path)?.len() as f64;
        let t = Instant::now();
        let n = powermap_ingest::read_file_as(path, *format)?
            .for_each_ref(|_| Ok::<_, powermap_ingest::IngestError>(()))?;
        report(
            &format!("parse {} ({n} rows)", format.id()),
            t.elapsed().as_secs_f64(),
            n,
            Some(bytes),
        );
        if args.owned {
            let t = Instant::now();
            let mut n = 0u64;
            for obs in powermap_ingest::read_file_as(path, *format)? {
                obs?;
                n += 1;
            }
            report(
                &format!("parse {} owned ({n} rows)", format.id()),
                t.elapsed().as_secs_f64(),
                n,
                Some(bytes),
            );
        }
    }
    let parquet = &files[0].1;
    let t = Instant::now();
    let (n, windows) = analyze(Input::Observations(vec![parquet.clone()]))?;
    report(
        &format!("analyze parquet, 30d/1d, all metrics ({windows} windows)"),
        t.elapsed().as_secs_f64(),
        n,
        None,
    );
    let t = Instant::now();
    let (n, windows) = analyze(Input::Builtin("bitcoin-pools".into()))?;
    report(
        &format!("analyze built-in, 30d/1d ({windows} windows)"),
        t.elapsed().as_secs_f64(),
        n,
        None,
    );
    println!(
        "peak RSS of this process: {}",
        peak_rss().unwrap_or_else(|| "unknown".into())
    );
    Ok(ExitCode::SUCCESS)
}

fn analyze(input: Input) -> Result<(u64, usize)> {
    let mut registries = Registries::default();
    registries.insert(Registry::bitcoin_builtin()?, "bitcoin-builtin");
    let opts = AnalyzeOptions {
        window: WindowSpec::Days {
            estimation: 30,
            step: 1,
            start: None,
            end: None,
            align: Alignment::End,
        },
        population: Population::Window(1),
        ..AnalyzeOptions::default()
    };
    let resolve = ResolveOptions {
        clustering: true,
        unattributed: Unattributed::Bucket,
    };
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})?;
    let n = out.stats.by_rule.iter().map(|r| r.1).sum();
    let windows = out.analyses.iter().map(|a| a.windows.len()).sum();
    Ok((n, windows))
}

fn report(phase: &str, secs: f64, rows: u64, bytes: Option<f64>) {
    let mbs = bytes.map_or(String::from("-"), |b| format!("{:.0}", b / secs / 1e6));
    println!(
        "{phase:<44} {secs:>9.3} {:>12.0} {mbs:>12}",
        rows as f64 / secs
    );
}

/// Peak resident set size (Linux `VmHWM`), for the record.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string(Path::new("/proc/self/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_string())
}

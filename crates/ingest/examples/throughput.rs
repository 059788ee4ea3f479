//! Measures reading throughput of each encoding on synthetic data.
//!
//! ```text
//! cargo run --release -p powermap-ingest --example throughput [text_rows] [parquet_rows]
//! ```
//!
//! Defaults: 1,000,000 rows of CSV and JSON Lines, 10,000,000 rows of Parquet.

use std::time::Instant;

use powermap_ingest::synth::{self, SynthConfig};
use powermap_ingest::{builtin, read_file, Format, IngestError};

fn main() -> Result<(), IngestError> {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>().unwrap_or(0));
    let text_rows = args.next().unwrap_or(1_000_000);
    let parquet_rows = args.next().unwrap_or(10_000_000);
    let dir = std::env::temp_dir().join(format!("powermap-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| IngestError::io(&dir, e))?;

    for (format, rows) in [
        (Format::Csv, text_rows),
        (Format::Jsonl, text_rows),
        (Format::Parquet, parquet_rows),
    ] {
        let path = dir.join(format!("bench.{}", format.id()));
        let config = SynthConfig {
            rows,
            ..Default::default()
        };
        let t = Instant::now();
        synth::write(&path, format, &config)?;
        let write = t.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(&path)
            .map_err(|e| IngestError::io(&path, e))?
            .len();
        // Best of three, from the page cache.
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let mut n = 0u64;
            let mut weight = 0.0;
            for obs in read_file(&path)? {
                weight += obs?.weight;
                n += 1;
            }
            assert_eq!(n, rows);
            assert_eq!(weight, rows as f64);
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{:8} {:>11} rows {:>8.1} MB  write {:>6.2} s  read {:>6.3} s  {:>7.1} MB/s  {:>6.2} M rows/s",
            format.id(),
            rows,
            bytes as f64 / 1e6,
            write,
            best,
            bytes as f64 / 1e6 / best,
            rows as f64 / 1e6 / best,
        );
        std::fs::remove_file(&path).map_err(|e| IngestError::io(&path, e))?;
    }
    let t = Instant::now();
    let n = builtin::open(builtin::BITCOIN_POOLS)?.count();
    println!(
        "builtin  {n:>11} rows  read {:>6.3} s",
        t.elapsed().as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).map_err(|e| IngestError::io(&dir, e))?;
    Ok(())
}

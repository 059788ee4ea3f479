//! `follow-ingest --store URL --config watch.toml [--until-caught-up] [--max-polls N]`:
//! runs the configured sources into the store without serving anything. Used by the SIGKILL
//! durability test and the ingest benchmark; handy to backfill a store by hand.

use std::process::ExitCode;
use std::time::Instant;

use powermap_follow::Follower;
use powermap_store::Store;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut store_url = None;
    let mut config = None;
    let mut until_caught_up = false;
    let mut max_polls = u64::MAX;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--store" => {
                store_url = args.get(i + 1).cloned();
                i += 1;
            }
            "--config" => {
                config = args.get(i + 1).cloned();
                i += 1;
            }
            "--until-caught-up" => until_caught_up = true,
            "--max-polls" => {
                max_polls = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(1);
                i += 1;
            }
            other => {
                eprintln!("follow-ingest: unknown argument `{other}`");
                eprintln!("usage: follow-ingest --store URL --config watch.toml [--until-caught-up] [--max-polls N]");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let (Some(store_url), Some(config)) = (store_url, config) else {
        eprintln!("usage: follow-ingest --store URL --config watch.toml [--until-caught-up] [--max-polls N]");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(&config)?;
        let mut follower = Follower::from_toml(&text)?;
        let mut store = Store::open(&store_url)?;
        let started = Instant::now();
        let mut blocks = 0u64;
        for _ in 0..max_polls {
            let rep = follower.poll_due(&mut store, Instant::now())?;
            for s in &rep.sources {
                blocks += s.applied.blocks_inserted;
                if let Some(e) = &s.error {
                    eprintln!("{}: {e}", s.source);
                }
            }
            if until_caught_up
                && !rep.sources.is_empty()
                && rep.sources.iter().all(|s| s.caught_up && s.error.is_none())
            {
                break;
            }
            if let Some(next) = follower.next_due() {
                let now = Instant::now();
                if next > now {
                    std::thread::sleep(next - now);
                }
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "ingested {blocks} blocks in {secs:.3} s ({:.0} blocks/s)",
            blocks as f64 / secs.max(1e-9)
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("follow-ingest: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Prints why a subject is attributed as it is under the built-in Bitcoin registry.
//!
//! `cargo run -p powermap-attribution --example explain -- btccom 2021-02-10 [separate|unknown|exclude] [--no-clustering]`

use powermap_attribution::{Registry, ResolveOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let subject = args.first().map_or("antpool", String::as_str);
    let date = args.get(1).map_or("2021-06-01", String::as_str).parse()?;
    let mut opts = ResolveOptions::default();
    for a in args.iter().skip(2) {
        if a == "--no-clustering" {
            opts.clustering = false;
        } else {
            opts.unattributed = a.parse()?;
        }
    }
    let registry = Registry::bitcoin_builtin()?;
    print!("{}", registry.explain(subject, date, opts));
    Ok(())
}

//! `powermap entities`: why is a subject attributed to an entity?

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use powermap_attribution::{Registry, ResolveOptions, Unattributed};

use crate::args::{AttributionArgs, Defaults, InputArgs};

/// Subcommands of `powermap entities`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The attribution ledger of an input: every distinct subject → entity decision, with its
    /// rule, source and ownership link, and how many observations and how much weight it
    /// decided. Default input: the built-in dataset.
    ///
    /// Example: `powermap entities list --format csv > attribution.csv`
    List {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        attribution: AttributionArgs,
        /// `table` or `csv`.
        #[arg(long, default_value = "table")]
        format: LedgerFormat,
    },
    /// Print the attribution chain of a subject (tag → pool → owner), with sources and
    /// validity dates, plus the candidate rules that lost on precedence.
    ///
    /// Example: `powermap entities explain antpool --at 2021-06-01`
    Explain {
        /// The raw subject: a pool slug, a coinbase tag, an address…
        subject: String,
        /// The day the attribution applies to (ownership links are dated). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<NaiveDate>,
        /// Attribution registry: `bitcoin-builtin` (default) or an EDI `mapping_information/`
        /// directory (then `--network` picks the ledger).
        #[arg(long, value_name = "NAME|DIR", default_value = "bitcoin-builtin")]
        registry: String,
        /// Ledger to use with an EDI mapping directory.
        #[arg(long, default_value = "bitcoin")]
        network: String,
        /// Show the brand only, without rolling it up to its owner.
        #[arg(long)]
        no_cluster: bool,
    },
}

/// Encodings of `entities list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LedgerFormat {
    // Readable, sources shortened.
    Table,
    // Every field, full sources.
    Csv,
}

/// Runs an `entities` subcommand.
pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::List {
            input,
            attribution,
            format,
        } => {
            let input = input.input()?;
            let (resolve, _) = attribution.resolve(&input, Defaults::default(), false)?;
            let registries = crate::args::registries()?;
            let rows = powermap_pipeline::attribution_ledger(&input, &registries, resolve)?;
            print_ledger(&rows, format == LedgerFormat::Csv)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain {
            subject,
            at,
            registry,
            network,
            no_cluster,
        } => {
            let registry = load_registry(&registry, &network)?;
            let date = at.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let opts = ResolveOptions {
                clustering: !no_cluster,
                unattributed: Unattributed::Separate,
            };
            println!("{}", registry.explain(&subject, date, opts));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads a registry by name or from an EDI mapping directory.
pub fn load_registry(name: &str, network: &str) -> Result<Registry> {
    if name == "bitcoin-builtin" {
        return Registry::bitcoin_builtin().context("loading the built-in Bitcoin registry");
    }
    let dir = std::path::Path::new(name);
    if !dir.is_dir() {
        anyhow::bail!(
            "unknown registry `{name}`: expected `bitcoin-builtin` or an EDI mapping_information/ directory"
        );
    }
    let ledger: powermap_edi::Ledger = network
        .parse()
        .map_err(|e| anyhow::anyhow!("--network {network}: {e}"))?;
    powermap_edi::load_mapping_information(dir, ledger)
        .with_context(|| format!("loading EDI mapping information from {}", dir.display()))
}

fn print_ledger(rows: &[powermap_pipeline::LedgerRow], csv: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if csv {
        powermap_render::ledger::write_csv(rows, &mut out)?;
    } else {
        powermap_render::ledger::write_table(rows, &mut out)?;
    }
    Ok(())
}

//! `powermap entities`: why is a subject attributed to an entity?

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use powermap_attribution::{Evidence, Registry, ResolveOptions, Unattributed};

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
    /// validity dates, plus the candidate rules that lost on precedence. An IP address is
    /// looked up in the IP database (AS and country with the matched prefix, database and
    /// date), and its AS, like a subject `AS<n>`, through the AS → organisation links
    /// (`registry/infrastructure/asn-owners.json`).
    ///
    /// Examples: `powermap entities explain antpool --at 2021-06-01`,
    /// `powermap entities explain 1.1.1.1`, `powermap entities explain AS63949`
    Explain {
        /// The raw subject: a pool slug, a coinbase tag, an address, an IP address, `AS<n>`…
        subject: String,
        /// The day the attribution applies to (ownership links are dated). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<NaiveDate>,
        /// Attribution registry: `bitcoin-builtin` (default), `asn-owners` (AS → organisation
        /// links; the default for IP and `AS<n>` subjects) or an EDI `mapping_information/`
        /// directory (then `--network` picks the ledger).
        #[arg(long, value_name = "NAME|DIR", default_value = "bitcoin-builtin")]
        registry: String,
        /// Ledger to use with an EDI mapping directory.
        #[arg(long, default_value = "bitcoin")]
        network: String,
        /// Show the brand only, without rolling it up to its owner.
        #[arg(long)]
        no_cluster: bool,
        /// IP database snapshot for IP subjects (default: the built-in one,
        /// data/ip-location-db/; see crates/ipdb/build-snapshot.sh for a newer one).
        #[arg(long, value_name = "FILE")]
        ipdb: Option<std::path::PathBuf>,
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
            ipdb,
        } => {
            let date = at.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let opts = ResolveOptions {
                clustering: !no_cluster,
                unattributed: Unattributed::Separate,
            };
            // An IP address: the database's answer, then its AS's owner chain.
            let asn = match subject.trim().parse::<std::net::IpAddr>() {
                Ok(ip) => {
                    let db = powermap_ipdb::IpDb::open(ipdb.as_deref())
                        .context("loading the IP database")?;
                    print!("{}", db.explain(ip));
                    match db.asn(ip) {
                        Some(a) => Some(format!("AS{}", a.asn)),
                        None => return Ok(ExitCode::SUCCESS),
                    }
                }
                Err(_) => is_asn(&subject).then(|| subject.trim().to_string()),
            };
            match asn {
                Some(asn) if registry == "bitcoin-builtin" || registry == "asn-owners" => {
                    let r = Registry::asn_owners(&network)?;
                    let mut ev = Evidence::block(date);
                    ev.label = Some(asn.clone());
                    ev.label_source = Some("an IP-based observation (AS of the address)".into());
                    println!("{}", r.explain_evidence(&asn, &ev, opts));
                }
                _ => {
                    let registry = load_registry(&registry, &network)?;
                    println!("{}", registry.explain(&subject, date, opts));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `AS<digits>`.
fn is_asn(s: &str) -> bool {
    s.trim()
        .strip_prefix("AS")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Loads a registry by name (`bitcoin-builtin`, `asn-owners`) or from an EDI mapping
/// directory.
pub fn load_registry(name: &str, network: &str) -> Result<Registry> {
    if name == "bitcoin-builtin" {
        return Registry::bitcoin_builtin().context("loading the built-in Bitcoin registry");
    }
    if name == "asn-owners" {
        return Registry::asn_owners(network).context("loading the AS → organisation links");
    }
    let dir = std::path::Path::new(name);
    if !dir.is_dir() {
        anyhow::bail!(
            "unknown registry `{name}`: expected `bitcoin-builtin`, `asn-owners` or an EDI mapping_information/ directory"
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

//! `powermap capture`: how hard is a DAO's governance to capture? Coalitions, voting-power
//! indices, capture cost, exit windows and mechanism comparison (docs/governance.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use powermap_governance::capture::{plots, Capture, Defence};
use powermap_governance::cost::{Market, Slippage};
use powermap_governance::exit::parse_l2beat;
use powermap_governance::game::Turnout;
use powermap_governance::indices::{IndexOptions, Method};
use powermap_governance::mechanism::{MechanismParams, Selection};
use powermap_governance::power::PowerTable;
use powermap_governance::report::{analyse, proposals, CaptureOptions};
use powermap_governance::rules::{self, Rules};
use powermap_governance::votes::VoteRecords;

/// Arguments of `powermap capture`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap capture --votes data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv --rules uniswap
  powermap capture --votes data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv --rules uniswap \\
      --mechanism all --price 6.5 --slippage cpmm:20000000 --borrow-rate 0.05 --bribe 0.5 --treasury 2.6e9
  powermap capture --power holders.csv --rules registry/governance/compound.toml --turnout 0.3 --format json
  powermap capture --l2beat data/l2beat-summary-2024-11/l2_risk_summary_top39.csv

--rules takes a file or a shipped name (uniswap, compound, ens, optimism, arbitrum,
arbitrum-treasury). Every model and its assumptions: docs/governance.md.")]
pub struct Args {
    /// Voting power per holder or delegate: CSV (`holder,power[,delegate][,age_days]`) or JSON.
    #[arg(long, value_name = "FILE", conflicts_with = "votes")]
    power: Option<PathBuf>,
    /// Vote records (Signal Corps format: PROPOSAL, SUPPORT, VOTER_ADDRESS, VOTES, …): analyses
    /// every proposal, then the latest power of every voter.
    #[arg(long, value_name = "FILE")]
    votes: Option<PathBuf>,
    /// Governance rules: a TOML file or a shipped name.
    #[arg(long, value_name = "FILE|NAME", required_unless_present = "l2beat")]
    rules: Option<String>,
    /// Only these proposals (`2.1`, `Bravo #10`; repeatable). Default: all.
    #[arg(long = "proposal", value_name = "ID")]
    proposals: Vec<String>,
    /// Mechanisms to compare: token, quadratic, cap, delegation_cap, conviction, dual, or all
    /// (comma-separated or repeated).
    #[arg(
        long = "mechanism",
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "token"
    )]
    mechanisms: Vec<Selection>,
    /// Who opposes a coalition on a power table: `full` (everyone else votes Against) or the
    /// fraction of the others that turns out against (e.g. 0.3).
    #[arg(long, default_value = "full", value_name = "full|FRACTION")]
    turnout: Turnout,
    /// Against votes an attacker must beat: `full` (all power), `observed` (the largest total
    /// turnout in the vote records; default with --votes), or a fraction of total power.
    #[arg(long, value_name = "full|observed|FRACTION")]
    defence: Option<Defence>,
    /// Token price (enables the capture cost; same currency as --treasury).
    #[arg(long)]
    price: Option<f64>,
    /// Slippage when buying: none, linear:DEPTH (tokens that double the price) or
    /// cpmm:RESERVE (tokens in a constant-product pool).
    #[arg(long, default_value = "none", value_name = "MODEL")]
    slippage: Slippage,
    /// Annual borrow rate (e.g. 0.05) for the borrowing route.
    #[arg(long, value_name = "RATE")]
    borrow_rate: Option<f64>,
    /// Tokens available to borrow (default: not limited).
    #[arg(long, value_name = "TOKENS")]
    borrowable: Option<f64>,
    /// Price per bribed vote (delegation for one proposal).
    #[arg(long, value_name = "PRICE")]
    bribe: Option<f64>,
    /// Fraction of the purchase recovered by selling after the attack.
    #[arg(long, default_value_t = 0.0)]
    resale: f64,
    /// Value at stake (e.g. the treasury): the attack is flagged profitable below it.
    #[arg(long, value_name = "VALUE")]
    treasury: Option<f64>,
    /// Cost of one extra identity for quadratic and capped voting.
    #[arg(long, default_value_t = 100.0)]
    sybil_cost: f64,
    /// Per-identity cap (fraction of total power) for `cap`.
    #[arg(long, default_value_t = 0.01)]
    cap: f64,
    /// Per-delegate cap on delegated power (fraction of total power) for `delegation_cap`.
    #[arg(long, default_value_t = 0.01)]
    delegation_cap: f64,
    /// Days for new power to reach full weight in `conviction`.
    #[arg(long, default_value_t = 90.0)]
    ramp_days: f64,
    /// Fraction of the second constituency that vetoes in `dual`.
    #[arg(long, default_value_t = 0.10)]
    veto_threshold: f64,
    /// Value of the second constituency's stake in `dual` (adds the cost of neutralising it).
    #[arg(long, value_name = "VALUE")]
    veto_stake: Option<f64>,
    /// Power table of the second constituency in `dual` (for its blocking coalition).
    #[arg(long, value_name = "FILE")]
    veto_power: Option<PathBuf>,
    /// Index computation: auto (exact when affordable), exact or sampled.
    #[arg(long, default_value = "auto", value_name = "METHOD")]
    indices: Method,
    /// Samples for sampled indices.
    #[arg(long, default_value_t = 2000)]
    samples: u32,
    /// Seed for sampled indices.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Voters listed with their indices.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// L2BEAT risk summary CSV: print its exit windows.
    #[arg(long, value_name = "FILE")]
    l2beat: Option<PathBuf>,
    /// Output: table or json.
    #[arg(long, default_value = "table")]
    format: CaptureFormat,
    /// Write SVG bar charts into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// Encodings of `capture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CaptureFormat {
    // Readable tables.
    Table,
    // Every result, with the rules' sources.
    Json,
}

/// Runs `powermap capture`.
pub fn run(args: Args) -> Result<ExitCode> {
    let rules = args.rules.as_deref().map(load_rules).transpose()?;
    let l2beat = match &args.l2beat {
        Some(p) => Some(parse_l2beat(&read(p)?, &p.display().to_string())?),
        None => None,
    };
    let records = match &args.votes {
        Some(p) => Some(VoteRecords::parse_csv(&read(p)?, &p.display().to_string())?),
        None => None,
    };
    let table = match (&args.power, &records) {
        (Some(p), _) => Some(load_power(p)?),
        (None, Some(r)) => Some(r.latest_power()),
        (None, None) => None,
    };
    let mut report = Capture {
        rules: rules.clone(),
        proposals: Vec::new(),
        distribution: None,
        defence_note: String::new(),
        l2beat,
        from_votes: records.is_some(),
    };
    if let (Some(rules), Some(table)) = (&rules, &table) {
        let (defence, note) = Defence::resolve(args.defence, records.as_ref(), table.total())?;
        report.defence_note = note;
        let opts = options(&args, defence)?;
        if let Some(rec) = &records {
            let mut selected = rec.clone();
            if !args.proposals.is_empty() {
                selected.proposals = args
                    .proposals
                    .iter()
                    .map(|id| {
                        rec.find(id)
                            .cloned()
                            .with_context(|| format!("no proposal `{id}` in the vote records"))
                    })
                    .collect::<Result<_>>()?;
            }
            report.proposals = proposals(&selected, rules, &opts.index);
        }
        report.distribution = Some(analyse(table, rules, &opts));
    }
    if let Some(dir) = &args.plot {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, svg) in plots(&report) {
            let p = dir.join(name);
            std::fs::write(&p, svg).with_context(|| format!("cannot write {}", p.display()))?;
        }
    }
    let text = match args.format {
        CaptureFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        CaptureFormat::Table => report.table(),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
}

fn load_rules(spec: &str) -> Result<Rules> {
    let path = Path::new(spec);
    if path.exists() {
        return Ok(Rules::parse(&read(path)?, spec)?);
    }
    match rules::builtin(spec) {
        Some(r) => Ok(r?),
        None => bail!(
            "{spec}: no such file or shipped rules (shipped: {})",
            rules::BUILTIN
                .iter()
                .map(|b| b.0)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn load_power(p: &Path) -> Result<PowerTable> {
    let text = read(p)?;
    let name = p.display().to_string();
    let json =
        p.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with(['[', '{']);
    Ok(if json {
        PowerTable::parse_json(&text, &name)?
    } else {
        PowerTable::parse_csv(&text, &name)?
    })
}

/// The capture options the flags give.
fn options(args: &Args, defence: Option<f64>) -> Result<CaptureOptions> {
    let market = args.price.map(|price| Market {
        price,
        slippage: args.slippage,
        borrow_rate: args.borrow_rate,
        borrowable: args.borrowable,
        bribe_per_vote: args.bribe,
        resale: args.resale,
    });
    let veto_table = args.veto_power.as_deref().map(load_power).transpose()?;
    Ok(CaptureOptions {
        turnout: args.turnout,
        defence,
        market,
        value_at_stake: args.treasury,
        index: IndexOptions {
            method: args.indices,
            samples: args.samples,
            seed: args.seed,
            ..IndexOptions::default()
        },
        mechanisms: Selection::expand(&args.mechanisms),
        params: MechanismParams {
            sybil_cost: args.sybil_cost,
            cap: args.cap,
            delegation_cap: args.delegation_cap,
            ramp_days: args.ramp_days,
            carry_rate: args.borrow_rate.unwrap_or(0.05),
            veto_threshold: args.veto_threshold,
            veto_stake: args.veto_stake,
        },
        top: args.top,
        veto_table,
    })
}

//! `powermap capture`: how hard is a DAO's governance to capture? Coalitions, voting-power
//! indices, capture cost, exit windows and mechanism comparison (docs/governance.md).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use powermap_governance::cost::{Market, Slippage};
use powermap_governance::exit::{exit_window, parse_l2beat, ExitWindow, L2Exit};
use powermap_governance::game::{Turnout, Verdict};
use powermap_governance::indices::{IndexOptions, Method};
use powermap_governance::mechanism::{Mechanism, MechanismParams};
use powermap_governance::power::PowerTable;
use powermap_governance::report::{
    analyse, proposals, CaptureOptions, DistributionReport, ProposalReport,
};
use powermap_governance::rules::{self, Rules};
use powermap_governance::svg::grouped_bars;
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
    mechanisms: Vec<String>,
    /// Who opposes a coalition on a power table: `full` (everyone else votes Against) or the
    /// fraction of the others that turns out against (e.g. 0.3).
    #[arg(long, default_value = "full", value_name = "full|FRACTION")]
    turnout: String,
    /// Against votes an attacker must beat: `full` (all power), `observed` (the largest total
    /// turnout in the vote records; default with --votes), or a fraction of total power.
    #[arg(long, value_name = "full|observed|FRACTION")]
    defence: Option<String>,
    /// Token price (enables the capture cost; same currency as --treasury).
    #[arg(long)]
    price: Option<f64>,
    /// Slippage when buying: none, linear:DEPTH (tokens that double the price) or
    /// cpmm:RESERVE (tokens in a constant-product pool).
    #[arg(long, default_value = "none", value_name = "MODEL")]
    slippage: String,
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
    indices: String,
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
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
    /// Write SVG bar charts into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// Runs `powermap capture`.
pub fn run(args: Args) -> Result<ExitCode> {
    let rules = args.rules.as_deref().map(load_rules).transpose()?;
    let l2 = match &args.l2beat {
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
    let mut report = Report {
        rules: rules.clone(),
        proposals: Vec::new(),
        distribution: None,
        defence_note: String::new(),
        l2beat: l2,
    };
    if let (Some(rules), Some(table)) = (&rules, &table) {
        let opts = options(&args, records.as_ref(), table, &mut report.defence_note)?;
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
        plots(&report, dir)?;
    }
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&report.json())? + "\n",
        _ => report.table(records.is_some()),
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

fn fraction(s: &str, what: &str) -> Result<f64> {
    let v: f64 = s
        .parse()
        .with_context(|| format!("{what}: expected a fraction between 0 and 1, got `{s}`"))?;
    if !(0.0..=1.0).contains(&v) {
        bail!("{what}: expected a fraction between 0 and 1, got `{s}`");
    }
    Ok(v)
}

fn options(
    args: &Args,
    records: Option<&VoteRecords>,
    table: &PowerTable,
    defence_note: &mut String,
) -> Result<CaptureOptions> {
    let turnout = match args.turnout.as_str() {
        "full" => Turnout::Full,
        s => Turnout::Fraction(fraction(s, "--turnout")?),
    };
    let total = table.total();
    let defence = match (args.defence.as_deref(), records) {
        (Some("full"), _) | (None, None) => {
            *defence_note = "every voter's power (full turnout against)".into();
            None
        }
        (Some("observed"), Some(r)) | (None, Some(r)) => {
            let (best, label) = r
                .proposals
                .iter()
                .map(|p| {
                    let (f, a, ab) = p.tally();
                    (f + a + ab, p.label.clone())
                })
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .unwrap_or((total, String::new()));
            *defence_note = format!(
                "the largest turnout in the records ({label}: {})",
                big(best)
            );
            Some((best / total).min(1.0))
        }
        (Some("observed"), None) => bail!("--defence observed needs --votes"),
        (Some(s), _) => {
            let f = fraction(s, "--defence")?;
            *defence_note = format!("{:.0} % of all voting power", f * 100.0);
            Some(f)
        }
    };
    let slippage = match args.slippage.split_once(':') {
        None if args.slippage == "none" => Slippage::None,
        Some(("linear", d)) => Slippage::Linear {
            depth: d.parse().context("--slippage linear:DEPTH")?,
        },
        Some(("cpmm", r)) => Slippage::Cpmm {
            reserve: r.parse().context("--slippage cpmm:RESERVE")?,
        },
        _ => bail!(
            "--slippage: expected none, linear:DEPTH or cpmm:RESERVE, got `{}`",
            args.slippage
        ),
    };
    let market = args.price.map(|price| Market {
        price,
        slippage,
        borrow_rate: args.borrow_rate,
        borrowable: args.borrowable,
        bribe_per_vote: args.bribe,
        resale: args.resale,
    });
    let mut mechanisms = Vec::new();
    for m in &args.mechanisms {
        if m == "all" {
            mechanisms = Mechanism::ALL.to_vec();
            break;
        }
        mechanisms.push(Mechanism::parse(m).with_context(|| {
            format!("unknown mechanism `{m}` (token, quadratic, cap, delegation_cap, conviction, dual, all)")
        })?);
    }
    let method = match args.indices.as_str() {
        "auto" => Method::Auto,
        "exact" => Method::Exact,
        "sampled" => Method::Sampled,
        s => bail!("--indices: expected auto, exact or sampled, got `{s}`"),
    };
    let veto_table = args.veto_power.as_deref().map(load_power).transpose()?;
    Ok(CaptureOptions {
        turnout,
        defence,
        market,
        value_at_stake: args.treasury,
        index: IndexOptions {
            method,
            samples: args.samples,
            seed: args.seed,
            ..IndexOptions::default()
        },
        mechanisms,
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

/// Everything `capture` found.
struct Report {
    rules: Option<Rules>,
    proposals: Vec<ProposalReport>,
    distribution: Option<DistributionReport>,
    defence_note: String,
    l2beat: Option<Vec<L2Exit>>,
}

impl Report {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "rules": self.rules,
            "proposals": self.proposals,
            "distribution": self.distribution,
            "defence": self.defence_note,
            "l2beat_exit_windows": self.l2beat,
        })
    }

    fn table(&self, from_votes: bool) -> String {
        let mut s = String::new();
        match (&self.rules, &self.distribution) {
            (Some(rules), Some(d)) => {
                rules_header(&mut s, rules, Some(d.total_power));
                if !self.proposals.is_empty() {
                    proposals_table(&mut s, &self.proposals, &rules.token);
                }
                distribution(&mut s, rules, d, from_votes, &self.defence_note);
            }
            (Some(rules), None) => {
                rules_header(&mut s, rules, None);
                if let Some(e) = exit_window(rules) {
                    exit_section(&mut s, rules, &e);
                }
            }
            _ => {}
        }
        if let Some(l2) = &self.l2beat {
            l2_table(&mut s, l2);
        }
        s
    }
}

fn rules_header(s: &mut String, r: &Rules, total_power: Option<f64>) {
    let _ = writeln!(s, "{} governance ({})", r.dao, r.token);
    let q = powermap_governance::game::DecisionRule::from_rules(r, total_power.unwrap_or(0.0));
    let quorum = match (r.quorum.as_ref().and_then(|q| q.fraction), total_power) {
        (Some(f), None) => format!("{:.0} % of voting power", f * 100.0),
        (Some(f), Some(_)) => format!("{:.0} % of voting power = {}", f * 100.0, big(q.quorum)),
        _ => big(q.quorum),
    };
    let counts = match q.counts {
        rules::QuorumCounts::For => "For votes",
        rules::QuorumCounts::ForAbstain => "For + Abstain votes",
        rules::QuorumCounts::All => "votes cast",
    };
    let _ = writeln!(
        s,
        "  quorum {quorum} {} {counts}{}; approval For / (For + Against) {} {:.0} %{}",
        r.token,
        r.quorum
            .as_ref()
            .filter(|q| q.assumed)
            .map_or("", |_| " (assumed)"),
        if q.strict { ">" } else { "≥" },
        q.approval * 100.0,
        if r.approval.assumed { " (assumed)" } else { "" }
    );
    let part = |x: &Option<rules::Sourced<powermap_governance::duration::Duration>>| {
        x.as_ref()
            .map_or("unknown".to_string(), |d| d.value.to_string())
    };
    let (total, complete) = r.governance_delay();
    let _ = writeln!(
        s,
        "  path: voting delay {} + voting period {} + timelock {} = {}{}",
        part(&r.voting_delay),
        part(&r.voting_period),
        part(&r.timelock),
        total,
        if complete {
            ""
        } else {
            " (at least; parts unknown)"
        }
    );
    for v in r.veto.iter().filter(|v| v.power != "none") {
        let _ = writeln!(s, "  {} can {}", v.body, v.power.replace('_', " "));
    }
    let _ = writeln!(
        s,
        "  sources: every field's source is in the rules file (`--format json` prints them)"
    );
}

fn proposals_table(s: &mut String, ps: &[ProposalReport], token: &str) {
    let _ = writeln!(
        s,
        "\nHistorical proposals (votes as cast; quorum of the governor in force)"
    );
    let _ = writeln!(
        s,
        "  {:<12} {:<10} {:>6} {:>8} {:>8} {:>7}  {:<9} {:>10} {:>6}  {:>9} {:>8}",
        "proposal",
        "date",
        "voters",
        "For",
        "Against",
        "quorum",
        "verdict",
        "pass alone",
        "defeat",
        "top share",
        "Banzhaf"
    );
    for p in ps {
        let _ = writeln!(
            s,
            "  {:<12} {:<10} {:>6} {:>8} {:>8} {:>7}  {:<9} {:>10} {:>6}  {:>8.1}% {:>7.1}%",
            p.label,
            p.date,
            p.voters,
            big(p.for_votes),
            big(p.against),
            big(p.quorum),
            verdict(p.verdict),
            size(p.pass_alone.size),
            size(p.defeat.size),
            p.top_share * 100.0,
            p.top_banzhaf * 100.0
        );
    }
    let _ = writeln!(
        s,
        "  pass alone: fewest of its voters who pass it by themselves (other supporters stay home,\n  \
         opponents vote as they did); defeat: fewest who defeat it by switching to Against or\n  \
         staying home (0 = it failed anyway); Banzhaf: the largest voter's index in the game among\n  \
         this proposal's voters (everyone outside a coalition votes Against)."
    );
    let _ = writeln!(
        s,
        "\n  Smallest coalition that could have passed each proposal alone ({token}):"
    );
    for p in ps {
        match p.pass_alone.size {
            Some(_) => {
                let _ = writeln!(
                    s,
                    "    {:<12} {}",
                    p.label,
                    members(&p.pass_alone.members, 4)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "    {:<12} none: all its voters together stay below quorum",
                    p.label
                );
            }
        }
    }
}

fn distribution(
    s: &mut String,
    r: &Rules,
    d: &DistributionReport,
    from_votes: bool,
    defence: &str,
) {
    let t = &r.token;
    let _ = writeln!(
        s,
        "\n{} ({} voters, {} {t})",
        if from_votes {
            "Latest voting power: each voter's votes in the last proposal it voted on"
        } else {
            "Voting power"
        },
        d.voters,
        big(d.total_power)
    );
    let turnout = match d.turnout {
        Turnout::Full => "everyone outside the coalition votes Against".to_string(),
        Turnout::Fraction(f) => format!(
            "{:.0} % of the power outside the coalition votes Against",
            f * 100.0
        ),
    };
    let _ = writeln!(s, "  Coalitions ({turnout}; quota {} {t})", big(d.quota));
    for (name, c) in [
        ("smallest winning ", &d.winning),
        ("smallest blocking", &d.blocking),
    ] {
        match c.size {
            Some(k) => {
                let _ = writeln!(
                    s,
                    "    {name}  {k:>3} voters  {:>5.1} %  {}",
                    c.share * 100.0,
                    members(&c.members, 4)
                );
            }
            None => {
                let _ = writeln!(s, "    {name}  none: unreachable with this power");
            }
        }
    }
    let meta = |m: &powermap_governance::report::IndexMeta| match m.method {
        "exact" => match m.unit {
            Some(u) => format!("exact on weights rounded to {} {t}", big(u)),
            None => "exact".into(),
        },
        _ => format!(
            "sampled, {} draws, largest standard error {:.4}",
            m.samples.unwrap_or(0),
            m.std_error.unwrap_or(0.0)
        ),
    };
    let _ = writeln!(
        s,
        "\n  Power indices (Banzhaf {}; Shapley–Shubik {})",
        meta(&d.banzhaf),
        meta(&d.shapley_shubik)
    );
    let _ = writeln!(
        s,
        "    {:<44} {:>8} {:>7} {:>8} {:>8} {:>14}",
        "voter", "power", "share", "Banzhaf", "Shapley", "swing prob."
    );
    for v in &d.top {
        let _ = writeln!(
            s,
            "    {:<44} {:>8} {:>6.2}% {:>7.2}% {:>7.2}% {:>14.4}",
            v.name,
            big(v.power),
            v.share * 100.0,
            v.banzhaf * 100.0,
            v.shapley_shubik * 100.0,
            v.banzhaf_raw
        );
    }
    if let Some(c) = &d.capture {
        let _ = writeln!(
            s,
            "\n  Capture cost of the next proposal (defence: {defence} = {} {t} Against)",
            big(c.defence)
        );
        let _ = writeln!(s, "    votes needed  {} {t}", big(c.votes_needed));
        for r in &c.routes {
            let _ = writeln!(
                s,
                "    {:<7} {:>10}  {}",
                r.route,
                if r.feasible {
                    money(r.cost)
                } else {
                    "infeasible".into()
                },
                r.note
            );
        }
        match (c.value_at_stake, c.profitable) {
            (Some(v), Some(p)) => {
                let _ = writeln!(
                    s,
                    "    value at stake {}: {}",
                    money(v),
                    if p {
                        format!("PROFITABLE via {}", c.cheapest.as_deref().unwrap_or("?"))
                    } else {
                        "not profitable by any route".into()
                    }
                );
            }
            _ => {
                let _ = writeln!(
                    s,
                    "    (give --treasury VALUE to compare with the value at stake)"
                );
            }
        }
    }
    if let Some(e) = &d.exit {
        exit_section(s, r, e);
    }
    let only_token = d.mechanisms.iter().all(|m| m.mechanism == "token");
    if !only_token {
        let _ = writeln!(
            s,
            "\n  Mechanisms on the same distribution (quorum = same fraction of total weight)"
        );
        let _ = writeln!(
            s,
            "    {:<15} {:>9} {:>8} {:>9} {:>8} {:>8} {:>12} {:>12}",
            "mechanism",
            "top share",
            "winning",
            "blocking",
            "Banzhaf",
            "Shapley",
            "votes needed",
            "capture cost"
        );
        for m in &d.mechanisms {
            let _ = writeln!(
                s,
                "    {:<15} {:>8.1}% {:>8} {:>9} {:>7.1}% {:>7.1}% {:>12} {:>12}{}",
                m.mechanism,
                m.top_share * 100.0,
                size(m.winning),
                size(m.blocking),
                m.top_banzhaf * 100.0,
                m.top_shapley_shubik * 100.0,
                big(m.votes_needed),
                m.attack.as_ref().map_or("-".into(), |a| money(a.cost)),
                match m.profitable {
                    Some(true) => "  PROFITABLE",
                    _ => "",
                }
            );
        }
        let _ = writeln!(s, "    models:");
        for m in &d.mechanisms {
            let _ = writeln!(s, "      {:<15} {}", m.mechanism, m.model);
            if let Some(a) = &m.attack {
                let _ = writeln!(s, "      {:<15} attack: {}", "", a.note);
            }
        }
    }
}

fn exit_section(s: &mut String, r: &Rules, e: &ExitWindow) {
    let _ = writeln!(s, "\n  Exit window");
    let _ = writeln!(
        s,
        "    governance path {}{}; exit takes {} ({}){}",
        e.governance_delay,
        if e.delay_complete { "" } else { " (at least)" },
        e.exit_delay,
        e.exit_what,
        if r.exit.as_ref().is_some_and(|x| x.assumed) {
            " [assumed]"
        } else {
            ""
        }
    );
    let verdict = match (e.margin_from_proposal < 0, e.delay_complete) {
        (true, true) => "  TRAPPED",
        (true, false) => "  (a lower bound: part of the path is unknown)",
        _ => "",
    };
    let _ = writeln!(
        s,
        "    margin from the proposal: {}{}{verdict}",
        if e.delay_complete { "" } else { "≥ " },
        signed(e.margin_from_proposal),
    );
    if let Some(m) = e.margin_from_passing {
        let _ = writeln!(
            s,
            "    margin once the vote has passed (timelock only): {}{}",
            signed(m),
            if m < 0 { "  TRAPPED" } else { "" }
        );
    }
    for b in &e.bypass {
        let _ = writeln!(
            s,
            "    but {b} can upgrade without this delay: no window against it"
        );
    }
}

fn l2_table(s: &mut String, l2: &[L2Exit]) {
    let _ = writeln!(
        s,
        "\nL2BEAT exit windows (upgrade delay minus exit delay; None = no window)"
    );
    let _ = writeln!(
        s,
        "  {:<22} {:<14} {:>9}  window",
        "project", "stage", "TVL $M"
    );
    for e in l2 {
        let _ = writeln!(
            s,
            "  {:<22} {:<14} {:>9.1}  {:<8} {}",
            e.name,
            e.stage,
            e.tvl_musd,
            e.window.map_or("none".to_string(), |w| w.to_string()),
            if e.window.is_none() {
                "users cannot exit before an upgrade executes".to_string()
            } else if e.instant_upgrade {
                "but a council can upgrade with no delay".to_string()
            } else {
                String::new()
            }
        );
    }
    let with = l2.iter().filter(|e| e.window.is_some()).count();
    let tvl: f64 = l2.iter().map(|e| e.tvl_musd).sum();
    let trapped: f64 = l2
        .iter()
        .filter(|e| e.window.is_none())
        .map(|e| e.tvl_musd)
        .sum();
    let _ = writeln!(
        s,
        "  {with} of {} projects state an exit window; {:.1} % of their TVL has none",
        l2.len(),
        if tvl > 0.0 {
            trapped / tvl * 100.0
        } else {
            0.0
        }
    );
}

fn plots(r: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, svg: String| {
        let p = dir.join(name);
        std::fs::write(&p, svg).with_context(|| format!("cannot write {}", p.display()))
    };
    if let Some(d) = &r.distribution {
        let cats: Vec<String> = d.top.iter().map(|v| short_name(&v.name)).collect();
        write(
            "indices.svg",
            grouped_bars(
                "Token share vs voting power (top voters)",
                "%",
                &cats,
                &[
                    (
                        "token share".into(),
                        d.top.iter().map(|v| v.share * 100.0).collect(),
                    ),
                    (
                        "Banzhaf".into(),
                        d.top.iter().map(|v| v.banzhaf * 100.0).collect(),
                    ),
                    (
                        "Shapley–Shubik".into(),
                        d.top.iter().map(|v| v.shapley_shubik * 100.0).collect(),
                    ),
                ],
            ),
        )?;
        if !d.mechanisms.is_empty() {
            let cats: Vec<String> = d
                .mechanisms
                .iter()
                .map(|m| m.mechanism.to_string())
                .collect();
            let sz = |x: Option<usize>| x.map_or(f64::NAN, |v| v as f64);
            write(
                "mechanisms.svg",
                grouped_bars(
                    "Coalition sizes by mechanism",
                    "voters",
                    &cats,
                    &[
                        (
                            "smallest winning".into(),
                            d.mechanisms.iter().map(|m| sz(m.winning)).collect(),
                        ),
                        (
                            "smallest blocking".into(),
                            d.mechanisms.iter().map(|m| sz(m.blocking)).collect(),
                        ),
                    ],
                ),
            )?;
            if d.mechanisms.iter().any(|m| m.attack.is_some()) {
                write(
                    "capture-cost.svg",
                    grouped_bars(
                        "Capture cost by mechanism",
                        "cost",
                        &cats,
                        &[(
                            "cheapest attack".into(),
                            d.mechanisms
                                .iter()
                                .map(|m| m.attack.as_ref().map_or(f64::NAN, |a| a.cost))
                                .collect(),
                        )],
                    ),
                )?;
            }
        }
    }
    if !r.proposals.is_empty() {
        let cats: Vec<String> = r.proposals.iter().map(|p| p.label.clone()).collect();
        let sz = |x: Option<usize>| x.map_or(f64::NAN, |v| v as f64);
        write(
            "proposals.svg",
            grouped_bars(
                "Smallest coalitions per historical proposal",
                "voters",
                &cats,
                &[
                    (
                        "pass alone".into(),
                        r.proposals.iter().map(|p| sz(p.pass_alone.size)).collect(),
                    ),
                    (
                        "defeat".into(),
                        r.proposals.iter().map(|p| sz(p.defeat.size)).collect(),
                    ),
                ],
            ),
        )?;
    }
    Ok(())
}

fn short_name(n: &str) -> String {
    if n.len() > 14 && n.starts_with("0x") {
        format!("{}…{}", &n[..6], &n[n.len() - 4..])
    } else {
        n.to_string()
    }
}

fn members(m: &[(String, f64)], max: usize) -> String {
    let mut parts: Vec<String> = m
        .iter()
        .take(max)
        .map(|(n, w)| format!("{} {}", short_name(n), big(*w)))
        .collect();
    if m.len() > max {
        parts.push(format!("+ {} more", m.len() - max));
    }
    if parts.is_empty() {
        "(nobody)".into()
    } else {
        parts.join(", ")
    }
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::NoQuorum => "no quorum",
        Verdict::Rejected => "rejected",
    }
}

fn size(s: Option<usize>) -> String {
    s.map_or("none".into(), |k| k.to_string())
}

/// `40.0M`, `1.25B`, `950k`, `12`.
fn big(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "∞".into()
    } else if a >= 1e9 {
        format!("{:.2}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn money(v: f64) -> String {
    if v.is_finite() {
        format!("${}", big(v))
    } else {
        "∞".into()
    }
}

fn signed(secs: i64) -> String {
    let d = powermap_governance::duration::Duration(secs.unsigned_abs());
    if secs < 0 {
        format!("−{d}")
    } else {
        format!("+{d}")
    }
}

//! The whole capture run as `powermap capture` shows it: the defence an attacker must beat,
//! the report (rules, historical proposals, latest power, L2BEAT exit windows) as readable
//! tables and as bar charts.

use std::fmt::Write as _;

use serde::Serialize;

use crate::duration::Duration;
use crate::exit::{exit_window, ExitWindow, L2Exit};
use crate::game::Turnout;
use crate::report::{DistributionReport, ProposalReport};
use crate::rules::{self, Rules};
use crate::svg::grouped_bars;
use crate::votes::VoteRecords;
use crate::{GovernanceError, Result};

/// Against votes an attacker must beat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Defence {
    /// All power votes against.
    Full,
    /// The largest total turnout in the vote records.
    Observed,
    /// This fraction of total power votes against.
    Fraction(f64),
}

impl std::str::FromStr for Defence {
    type Err = String;
    /// `full`, `observed` or a fraction of total power.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "full" => Ok(Defence::Full),
            "observed" => Ok(Defence::Observed),
            s => crate::fraction(s).map(Defence::Fraction),
        }
    }
}

impl Defence {
    /// The defence as a fraction of `total` power (`None`: full turnout) and what it is, in
    /// words. Without a choice: observed with vote records, full otherwise.
    pub fn resolve(
        choice: Option<Defence>,
        records: Option<&VoteRecords>,
        total: f64,
    ) -> Result<(Option<f64>, String)> {
        match (choice, records) {
            (Some(Defence::Full), _) | (None, None) => {
                Ok((None, "every voter's power (full turnout against)".into()))
            }
            (Some(Defence::Observed), Some(r)) | (None, Some(r)) => {
                let (best, label) = r
                    .proposals
                    .iter()
                    .map(|p| {
                        let (f, a, ab) = p.tally();
                        (f + a + ab, p.label.clone())
                    })
                    .max_by(|x, y| x.0.total_cmp(&y.0))
                    .unwrap_or((total, String::new()));
                Ok((
                    Some((best / total).min(1.0)),
                    format!(
                        "the largest turnout in the records ({label}: {})",
                        big(best)
                    ),
                ))
            }
            (Some(Defence::Observed), None) => Err(GovernanceError::Options(
                "--defence observed needs --votes".into(),
            )),
            (Some(Defence::Fraction(f)), _) => {
                Ok((Some(f), format!("{:.0} % of all voting power", f * 100.0)))
            }
        }
    }
}

/// Everything `powermap capture` found. Serialised with its fields in alphabetical order
/// (the JSON `powermap capture --format json` prints).
#[derive(Debug, Clone, Serialize)]
pub struct Capture {
    /// What the capture cost defends against, in words.
    #[serde(rename = "defence")]
    pub defence_note: String,
    /// The latest power analysed, when there is a power table or vote records.
    pub distribution: Option<DistributionReport>,
    /// L2BEAT's exit windows, when given.
    #[serde(rename = "l2beat_exit_windows")]
    pub l2beat: Option<Vec<L2Exit>>,
    /// Every selected historical proposal.
    pub proposals: Vec<ProposalReport>,
    /// The governance rules, when given.
    pub rules: Option<Rules>,
    /// Whether the power came from vote records (each voter's last vote).
    #[serde(skip)]
    pub from_votes: bool,
}

impl Capture {
    /// The readable report.
    pub fn table(&self) -> String {
        let from_votes = self.from_votes;
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
    let q = crate::game::DecisionRule::from_rules(r, total_power.unwrap_or(0.0));
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
    let part = |x: &Option<rules::Sourced<crate::duration::Duration>>| {
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
            p.verdict.label(),
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
    let meta = |m: &crate::report::IndexMeta| match m.method {
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
        Duration::signed(e.margin_from_proposal),
    );
    if let Some(m) = e.margin_from_passing {
        let _ = writeln!(
            s,
            "    margin once the vote has passed (timelock only): {}{}",
            Duration::signed(m),
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

/// Bar charts of the report as `(file name, SVG)`: indices of the top voters, coalition sizes
/// and capture cost by mechanism, coalitions per historical proposal.
pub fn plots(r: &Capture) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut write = |name: &'static str, svg: String| out.push((name, svg));
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
        );
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
            );
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
                );
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
        );
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Slippage;
    use crate::indices::Method;
    use crate::mechanism::{Mechanism, Selection};

    #[test]
    fn options_parse_themselves() {
        assert_eq!("full".parse(), Ok(Turnout::Full));
        assert_eq!("0.3".parse(), Ok(Turnout::Fraction(0.3)));
        assert!("1.5"
            .parse::<Turnout>()
            .unwrap_err()
            .contains("between 0 and 1"));
        assert_eq!("observed".parse(), Ok(Defence::Observed));
        assert_eq!("0.25".parse(), Ok(Defence::Fraction(0.25)));
        assert_eq!("none".parse(), Ok(Slippage::None));
        assert_eq!("cpmm:20".parse(), Ok(Slippage::Cpmm { reserve: 20.0 }));
        assert_eq!("linear:5".parse(), Ok(Slippage::Linear { depth: 5.0 }));
        assert!("cpmm".parse::<Slippage>().is_err());
        assert_eq!("sampled".parse(), Ok(Method::Sampled));
        let list: Vec<Selection> = ["cap", "all"].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(Selection::expand(&list), Mechanism::ALL.to_vec());
        let list = [
            Selection::One(Mechanism::Cap),
            Selection::One(Mechanism::Token),
        ];
        assert_eq!(Selection::expand(&list), [Mechanism::Cap, Mechanism::Token]);
        assert!("votes".parse::<Selection>().is_err());
    }

    #[test]
    fn defence_defaults_to_observed_with_records_and_needs_them() {
        let (d, note) = Defence::resolve(None, None, 100.0).unwrap();
        assert_eq!(d, None);
        assert!(note.contains("full turnout"));
        let (d, note) = Defence::resolve(Some(Defence::Fraction(0.4)), None, 100.0).unwrap();
        assert_eq!(d, Some(0.4));
        assert_eq!(note, "40 % of all voting power");
        assert!(Defence::resolve(Some(Defence::Observed), None, 100.0).is_err());
    }

    #[test]
    fn signed_margins_and_big_numbers() {
        assert_eq!(Duration::signed(-86_400), "−1d");
        assert_eq!(Duration::signed(90_000), "+1d 1h");
        assert_eq!(big(40e6), "40.0M");
        assert_eq!(big(1.25e9), "1.25B");
        assert_eq!(big(950_000.0), "950k");
        assert_eq!(money(f64::INFINITY), "∞");
    }
}

//! The governance-capture section of a report (for DAOs): the capture lab of
//! `powermap-governance` on the DAO's real vote records and its rules file.

use std::path::Path;

use powermap_governance::duration::Duration;
use powermap_governance::mechanism::Mechanism;
use powermap_governance::report::{
    analyse, proposals, CaptureOptions, DistributionReport, ProposalReport,
};
use powermap_governance::rules::{builtin, Rules};
use powermap_governance::votes::VoteRecords;
use serde::Serialize;

use crate::cell::{pct, ScoreCell, ScoreRow, Trend};
use crate::spec::GovernanceSpec;
use crate::ReportError;

/// The capture analysis shown in a report.
#[derive(Debug, Clone, Serialize)]
pub struct GovernanceReport {
    /// The DAO.
    pub dao: String,
    /// Its token.
    pub token: String,
    /// Rules file used.
    pub rules_file: String,
    /// Vote records used.
    pub votes_file: String,
    /// Each voter's power in their last recorded vote, under the rules, every mechanism.
    pub latest: DistributionReport,
    /// Every historical proposal.
    pub proposals: Vec<ProposalReport>,
}

impl GovernanceReport {
    /// The scorecard row: winning and blocking coalition sizes under token voting.
    pub fn score_row(&self) -> ScoreRow {
        let cell = |mode: &str, size: Option<usize>| ScoreCell {
            failure_mode: mode.into(),
            property: "governance".into(),
            rule: "quorum and approval".into(),
            size,
            trend: Trend::Unknown,
            since: None,
            range: None,
        };
        ScoreRow {
            layer: "governance".into(),
            title: format!("{} token vote (latest recorded power)", self.dao),
            as_of: self
                .proposals
                .iter()
                .filter_map(|p| chrono::NaiveDate::parse_from_str(&p.date, "%Y-%m-%d").ok())
                .max(),
            cells: vec![
                cell("pass_proposal", self.latest.winning.size),
                cell("block_proposal", self.latest.blocking.size),
            ],
            note: Some(format!(
                "{} voters, {:.1} M {}; see the governance section",
                self.latest.voters,
                self.latest.total_power / 1e6,
                self.token
            )),
        }
    }
}

/// Runs the capture lab for `spec`.
pub fn build(spec: &GovernanceSpec, data_root: &Path) -> Result<GovernanceReport, ReportError> {
    let err = |message: String| ReportError::Layer {
        layer: "governance".into(),
        message,
    };
    let rules: Rules = builtin(&spec.rules)
        .ok_or_else(|| {
            err(format!(
                "no rules file `{}` in registry/governance",
                spec.rules
            ))
        })?
        .map_err(|e| err(e.to_string()))?;
    let path = data_root.join(&spec.votes);
    if !path.exists() {
        return Err(ReportError::MissingData {
            layer: "governance".into(),
            path,
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })?;
    let records = VoteRecords::parse_csv(&text, &spec.votes).map_err(|e| err(e.to_string()))?;
    let opts = CaptureOptions {
        mechanisms: Mechanism::ALL.to_vec(),
        ..CaptureOptions::default()
    };
    let latest = analyse(&records.latest_power(), &rules, &opts);
    let proposals = proposals(&records, &rules, &opts.index);
    Ok(GovernanceReport {
        dao: rules.dao.clone(),
        token: rules.token.clone(),
        rules_file: format!("registry/governance/{}.toml", spec.rules),
        votes_file: spec.votes.clone(),
        latest,
        proposals,
    })
}

/// A table of the section: caption, header, rows (plain text cells).
pub(crate) struct Table {
    pub caption: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn millions(x: f64) -> String {
    format!("{:.1} M", x / 1e6)
}

fn coalition_text(c: &powermap_governance::coalition::Coalition, token: &str) -> String {
    match c.size {
        None => "no coalition suffices".into(),
        Some(n) => {
            let names: Vec<String> = c
                .members
                .iter()
                .take(10)
                .map(|(name, power)| format!("{name} {}", millions(*power)))
                .collect();
            let more = if c.members.len() > 10 {
                format!(", and {} more", c.members.len() - 10)
            } else {
                String::new()
            };
            format!(
                "{n} voters with {} {token} ({}): {}{more}",
                millions(c.power),
                pct(c.share),
                names.join(", ")
            )
        }
    }
}

impl GovernanceReport {
    /// Sentences above the tables.
    pub(crate) fn summary(&self) -> Vec<String> {
        let l = &self.latest;
        let mut out = vec![
            format!(
                "The capture lab (docs/governance.md) on {}'s recorded votes (`{}`) under its rules (`{}`): each voter's power is the {} it cast in its last recorded vote ({} voters, {} {}); full turnout against unless stated.",
                self.dao,
                self.votes_file,
                self.rules_file,
                self.token,
                l.voters,
                millions(l.total_power),
                self.token
            ),
            format!(
                "Smallest winning coalition: {}.",
                coalition_text(&l.winning, &self.token)
            ),
            format!(
                "Smallest blocking coalition: {}.",
                coalition_text(&l.blocking, &self.token)
            ),
        ];
        if let Some(e) = &l.exit {
            out.push(format!(
                "Exit window: the governance path takes {}{} and leaving takes {} ({}); margin from the proposal {}, {}.{}",
                e.governance_delay,
                if e.delay_complete { "" } else { " (known parts only)" },
                e.exit_delay,
                e.exit_what,
                signed(e.margin_from_proposal),
                match e.margin_from_passing {
                    Some(m) => format!("from the vote passing {}", signed(m)),
                    None => "no timelock after the vote".into(),
                },
                if e.bypass.is_empty() {
                    String::new()
                } else {
                    format!(" Bodies that can act without that delay: {}.", e.bypass.join("; "))
                }
            ));
        }
        out
    }

    /// The tables of the section.
    pub(crate) fn tables(&self) -> Vec<Table> {
        let l = &self.latest;
        let top = Table {
            caption: "Where voting power differs from token share (exact Banzhaf; Shapley–Shubik exact or sampled, see JSON)".into(),
            header: vec!["voter", "share", "Banzhaf", "Shapley–Shubik"],
            rows: l
                .top
                .iter()
                .map(|v| {
                    vec![
                        v.name.clone(),
                        pct(v.share),
                        pct(v.banzhaf),
                        pct(v.shapley_shubik),
                    ]
                })
                .collect(),
        };
        let size = |s: Option<usize>| s.map_or("–".to_string(), |n| n.to_string());
        let mechanisms = Table {
            caption: "The same voters under other mechanisms (models in docs/governance.md)".into(),
            header: vec![
                "mechanism",
                "winning coalition",
                "blocking coalition",
                "top share",
                "top Banzhaf",
                "model",
            ],
            rows: l
                .mechanisms
                .iter()
                .map(|m| {
                    vec![
                        m.mechanism.to_string(),
                        size(m.winning),
                        size(m.blocking),
                        pct(m.top_share),
                        pct(m.top_banzhaf),
                        m.model.clone(),
                    ]
                })
                .collect(),
        };
        let proposals = Table {
            caption: "Every recorded proposal: outcome recomputed from the votes, and the fewest voters who could have passed or defeated it alone (others voting as cast)".into(),
            header: vec!["proposal", "date", "voters", "for", "against", "quorum", "outcome", "pass alone", "defeat"],
            rows: self
                .proposals
                .iter()
                .map(|p| {
                    vec![
                        p.label.clone(),
                        p.date.clone(),
                        p.voters.to_string(),
                        millions(p.for_votes),
                        millions(p.against),
                        millions(p.quorum),
                        p.verdict.label().to_string(),
                        size(p.pass_alone.size),
                        size(p.defeat.size),
                    ]
                })
                .collect(),
        };
        vec![top, mechanisms, proposals]
    }
}

/// `+9d 1h`, or `−1d (trapped)` when users cannot leave in time.
fn signed(seconds: i64) -> String {
    let margin = Duration::signed(seconds);
    if seconds < 0 {
        format!("{margin} (trapped)")
    } else {
        margin
    }
}

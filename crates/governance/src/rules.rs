//! Governance rules as data: one TOML file per DAO (`registry/governance/<dao>.toml`), every
//! field with its source.
//!
//! ```toml
//! dao = "Uniswap"
//! token = "UNI"
//!
//! [total_supply]
//! value = 1_000_000_000
//! source = "…"
//!
//! [quorum]
//! votes = 40_000_000      # or: fraction = 0.05, of = "voting_power" | "total_supply"
//! counts = "for"          # for | for_abstain | all
//! source = "…"
//!
//! [approval]
//! fraction = 0.5          # For / (For + Against) must exceed (strict) or reach it
//! strict = true
//! source = "…"
//!
//! [voting_period]
//! value = "5d 6h"
//! source = "…"
//! ```
//!
//! A field that no source states may be left out (the analysis says "unknown") or given with
//! `assumed = true` (the analysis prints it as an assumption).

use serde::{Deserialize, Serialize};

use crate::duration::Duration;
use crate::error::{GovernanceError, Result};

/// A value with the document it was transcribed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it comes from (URL, file and commit, contract constant).
    pub source: String,
    /// Anything a reader must know (rounding, history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when no source states the value and it is our assumption.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

/// Which votes count towards quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum QuorumCounts {
    /// Only For votes (Compound/Uniswap Governor Bravo: `forVotes >= quorumVotes`).
    #[default]
    For,
    /// For and Abstain (OpenZeppelin `GovernorCountingSimple`).
    ForAbstain,
    /// Every vote cast.
    All,
}

/// What a fractional quorum is a fraction of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumBasis {
    /// The token's total supply (`total_supply` must be given).
    TotalSupply,
    /// The total voting power in the input (delegated / votable supply).
    VotingPower,
}

/// The quorum rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quorum {
    /// Absolute number of votes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<f64>,
    /// Or a fraction of `of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// What `fraction` is a fraction of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<QuorumBasis>,
    /// Which votes count.
    #[serde(default)]
    pub counts: QuorumCounts,
    /// Where it comes from.
    pub source: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when no source states it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

/// The approval rule: `For / (For + Against) > fraction` (strict) or `≥`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The fraction of decisive votes For must exceed.
    pub fraction: f64,
    /// `>` (true) or `≥` (false).
    #[serde(default = "yes")]
    pub strict: bool,
    /// Where it comes from.
    pub source: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when no source states it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

fn yes() -> bool {
    true
}

/// A body that can stop or bypass a proposal outside the token vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    /// Who (e.g. "Security Council 4/8 multisig").
    pub body: String,
    /// What it can do: `cancel`, `veto`, `upgrade_without_delay`, `none`.
    pub power: String,
    /// Where it comes from.
    pub source: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How fast a user can leave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exit {
    /// Time from deciding to leave until the assets are out of the governed system.
    pub delay: Duration,
    /// What "leaving" means here.
    pub what: String,
    /// Whether a rage-quit lets dissenters leave with their share before execution.
    #[serde(default)]
    pub rage_quit: bool,
    /// Where it comes from.
    pub source: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// True when no source states it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

/// Rules in force for an earlier governor contract (vote records name it by prefix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Era {
    /// Governor prefix in the vote records (`0` = Alpha, `1` = Alpha v2, `2` = Bravo).
    pub prefix: String,
    /// Contract name.
    pub name: String,
    /// Quorum in votes.
    pub quorum_votes: f64,
    /// Proposal threshold in votes.
    pub proposal_threshold: f64,
    /// Where it comes from.
    pub source: String,
}

/// One DAO's governance rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Display name.
    pub dao: String,
    /// Chain the governor lives on.
    #[serde(default)]
    pub chain: String,
    /// Token symbol.
    pub token: String,
    /// Governor contract address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governor: Option<String>,
    /// Total token supply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_supply: Option<Sourced<f64>>,
    /// Votes needed to make a proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_threshold: Option<Sourced<f64>>,
    /// Quorum.
    pub quorum: Option<Quorum>,
    /// Approval threshold.
    pub approval: Approval,
    /// From proposal to start of voting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voting_delay: Option<Sourced<Duration>>,
    /// Length of the vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voting_period: Option<Sourced<Duration>>,
    /// From a passed vote to execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timelock: Option<Sourced<Duration>>,
    /// Bodies that can cancel, veto or bypass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub veto: Vec<Veto>,
    /// How fast users can leave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Exit>,
    /// Earlier governors (for historical vote records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eras: Vec<Era>,
}

impl Rules {
    /// Parses a rules file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self> {
        let rules: Rules = toml::from_str(text).map_err(|e| GovernanceError::Rules {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        rules.validate().map_err(|message| GovernanceError::Rules {
            file: file.to_string(),
            message,
        })?;
        Ok(rules)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let a = self.approval.fraction;
        if !(0.0..1.0).contains(&a) {
            return Err(format!("approval.fraction must be in [0, 1), got {a}"));
        }
        if let Some(q) = &self.quorum {
            match (q.votes, q.fraction) {
                (Some(v), None) if v >= 0.0 && v.is_finite() => {}
                (None, Some(f)) if (0.0..=1.0).contains(&f) => {
                    if q.of.is_none() {
                        return Err(
                            "quorum.fraction needs quorum.of (`total_supply` or `voting_power`)"
                                .into(),
                        );
                    }
                    if q.of == Some(QuorumBasis::TotalSupply) && self.total_supply.is_none() {
                        return Err("quorum.of = \"total_supply\" needs [total_supply]".into());
                    }
                }
                _ => {
                    return Err(
                        "quorum needs exactly one of `votes` (≥ 0) or `fraction` (0 … 1)".into(),
                    )
                }
            }
        }
        Ok(())
    }

    /// The quorum in votes, given the total voting power of the input (0 when no quorum).
    pub fn quorum_votes(&self, total_power: f64) -> f64 {
        let Some(q) = &self.quorum else { return 0.0 };
        if let Some(v) = q.votes {
            return v;
        }
        let f = q.fraction.unwrap_or(0.0);
        match q.of {
            Some(QuorumBasis::TotalSupply) => {
                f * self.total_supply.as_ref().map_or(total_power, |s| s.value)
            }
            _ => f * total_power,
        }
    }

    /// Which votes count towards quorum (For when there is no quorum rule).
    pub fn quorum_counts(&self) -> QuorumCounts {
        self.quorum.as_ref().map_or(QuorumCounts::For, |q| q.counts)
    }

    /// The era whose prefix matches a vote record's governor prefix.
    pub fn era(&self, prefix: &str) -> Option<&Era> {
        self.eras.iter().find(|e| e.prefix == prefix)
    }

    /// Voting delay + voting period + timelock, and whether every part is known.
    pub fn governance_delay(&self) -> (Duration, bool) {
        let parts = [&self.voting_delay, &self.voting_period, &self.timelock];
        let known = parts.iter().all(|p| p.is_some());
        let total = parts
            .iter()
            .flat_map(|p| p.as_ref())
            .map(|p| p.value.0)
            .sum();
        (Duration(total), known)
    }
}

/// The rules files shipped in `registry/governance/`, embedded: `(name, text)`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "uniswap",
        include_str!("../../../registry/governance/uniswap.toml"),
    ),
    (
        "compound",
        include_str!("../../../registry/governance/compound.toml"),
    ),
    ("ens", include_str!("../../../registry/governance/ens.toml")),
    (
        "optimism",
        include_str!("../../../registry/governance/optimism.toml"),
    ),
    (
        "arbitrum",
        include_str!("../../../registry/governance/arbitrum.toml"),
    ),
    (
        "arbitrum-treasury",
        include_str!("../../../registry/governance/arbitrum-treasury.toml"),
    ),
];

/// A shipped rules file by name (`uniswap`, `compound`, `ens`, `optimism`, `arbitrum`,
/// `arbitrum-treasury`).
pub fn builtin(name: &str) -> Option<Result<Rules>> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Rules::parse(text, &format!("registry/governance/{n}.toml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_parses_and_every_field_has_a_source() {
        for (name, _) in BUILTIN {
            let r = builtin(name).unwrap().unwrap();
            let mut sources = vec![r.approval.source.as_str()];
            sources.extend(r.quorum.as_ref().map(|q| q.source.as_str()));
            sources.extend(r.total_supply.as_ref().map(|s| s.source.as_str()));
            sources.extend(r.proposal_threshold.as_ref().map(|s| s.source.as_str()));
            for d in [&r.voting_delay, &r.voting_period, &r.timelock]
                .into_iter()
                .flatten()
            {
                sources.push(&d.source);
            }
            sources.extend(r.veto.iter().map(|v| v.source.as_str()));
            sources.extend(r.exit.as_ref().map(|e| e.source.as_str()));
            sources.extend(r.eras.iter().map(|e| e.source.as_str()));
            assert!(sources.iter().all(|s| !s.trim().is_empty()), "{name}");
        }
        let u = builtin("uniswap").unwrap().unwrap();
        assert_eq!(u.quorum_votes(0.0), 40_000_000.0);
        assert_eq!(u.governance_delay().0.to_string(), "9d 1h");
        assert!(builtin("nope").is_none());
    }
}

//! When does a proposal pass? The decision rule (quorum and approval), the turnout model for a
//! power table, and the weighted voting game they induce.

use serde::Serialize;

use crate::rules::{QuorumCounts, Rules};

/// The decision rule of one vote: quorum and approval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DecisionRule {
    /// Quorum in votes.
    pub quorum: f64,
    /// Which votes count towards quorum.
    pub counts: QuorumCounts,
    /// For / (For + Against) must exceed (or reach) this.
    pub approval: f64,
    /// `>` (true) or `≥`.
    pub strict: bool,
}

/// Why a vote passed or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Quorum and approval met.
    Passed,
    /// Quorum not met.
    NoQuorum,
    /// Quorum met, approval not.
    Rejected,
}

impl Verdict {
    /// `passed`, `no quorum`, `rejected`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::NoQuorum => "no quorum",
            Verdict::Rejected => "rejected",
        }
    }
}

impl std::str::FromStr for Turnout {
    type Err = String;
    /// `full`, or the fraction of outside power that votes against (`0.3`).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "full" => Ok(Turnout::Full),
            s => crate::fraction(s).map(Turnout::Fraction),
        }
    }
}

impl DecisionRule {
    /// The rule of a rules file, with fractional quorums resolved against `total_power`.
    pub fn from_rules(rules: &Rules, total_power: f64) -> Self {
        DecisionRule {
            quorum: rules.quorum_votes(total_power),
            counts: rules.quorum_counts(),
            approval: rules.approval.fraction,
            strict: rules.approval.strict,
        }
    }

    /// The same rule with quorum scaled by `factor` (used when a mechanism rescales power).
    pub fn scaled(self, factor: f64) -> Self {
        DecisionRule {
            quorum: self.quorum * factor,
            ..self
        }
    }

    /// Outcome of a tally.
    pub fn verdict(&self, for_: f64, against: f64, abstain: f64) -> Verdict {
        let counted = match self.counts {
            QuorumCounts::For => for_,
            QuorumCounts::ForAbstain => for_ + abstain,
            QuorumCounts::All => for_ + against + abstain,
        };
        if counted < self.quorum - tol(self.quorum) {
            return Verdict::NoQuorum;
        }
        let decisive = for_ + against;
        let need = self.approval * decisive;
        let ok = if self.strict {
            for_ > need + tol(need) || (need == 0.0 && for_ > 0.0)
        } else {
            for_ >= need - tol(need)
        };
        if ok && decisive > 0.0 {
            Verdict::Passed
        } else {
            Verdict::Rejected
        }
    }

    /// True when a proposal passes.
    pub fn passes(&self, for_: f64, against: f64, abstain: f64) -> bool {
        self.verdict(for_, against, abstain) == Verdict::Passed
    }
}

/// Floating-point slack for sums of many weights (relative 1e-12).
pub(crate) fn tol(x: f64) -> f64 {
    x.abs() * 1e-12
}

/// Who shows up against a coalition that votes For (for a power table, where no votes were cast).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "model", content = "fraction")]
pub enum Turnout {
    /// Every voter outside the coalition votes Against (the hardest case for the coalition).
    Full,
    /// This fraction of the power outside the coalition votes Against; the rest stays home.
    Fraction(f64),
}

impl Turnout {
    /// The fraction of outside power that votes against.
    pub fn fraction(self) -> f64 {
        match self {
            Turnout::Full => 1.0,
            Turnout::Fraction(t) => t.clamp(0.0, 1.0),
        }
    }
}

/// A weighted voting game: a coalition wins when its weight reaches the quota (`≥`, or `>`
/// when `strict`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedGame {
    /// Player weights.
    pub weights: Vec<f64>,
    /// The quota.
    pub quota: f64,
    /// Whether the weight must exceed the quota.
    pub strict: bool,
}

impl WeightedGame {
    /// The game a rule induces on a power table under a turnout model: a coalition of weight
    /// `x` votes For, a fraction `t` of the other `W − x` votes Against, the rest abstain by
    /// staying home. It wins iff quorum is met and `x (1 − r) > r t (W − x)`, i.e.
    /// `x > r t W / (1 − r + r t)` — a weighted game with one quota.
    pub fn from_rule(weights: Vec<f64>, rule: &DecisionRule, turnout: Turnout) -> Self {
        let total: f64 = weights.iter().sum();
        let t = turnout.fraction();
        let r = rule.approval;
        let approval_bound = r * t * total / (1.0 - r + r * t);
        let quorum_bound = match rule.counts {
            QuorumCounts::For | QuorumCounts::ForAbstain => rule.quorum,
            QuorumCounts::All => {
                if t >= 1.0 {
                    if total >= rule.quorum {
                        0.0
                    } else {
                        f64::INFINITY
                    }
                } else {
                    ((rule.quorum - t * total) / (1.0 - t)).max(0.0)
                }
            }
        };
        let (quota, strict) = if quorum_bound > approval_bound {
            (quorum_bound, false)
        } else {
            (approval_bound, rule.strict)
        };
        WeightedGame {
            weights,
            quota,
            strict,
        }
    }

    /// A game with the given quota.
    pub fn new(weights: Vec<f64>, quota: f64, strict: bool) -> Self {
        WeightedGame {
            weights,
            quota,
            strict,
        }
    }

    /// Whether weight `x` wins.
    pub fn wins(&self, x: f64) -> bool {
        if self.strict {
            x > self.quota + tol(self.quota)
        } else {
            x >= self.quota - tol(self.quota)
        }
    }

    /// Total weight.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Number of players.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// True when there are no players.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

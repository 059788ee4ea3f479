//! What it costs an outsider to pass a proposal: buying tokens (with slippage), borrowing them
//! over the snapshot, or bribing holders for their votes; compared with the value at stake.
//!
//! Every model is deliberately simple and stated:
//!
//! * **Votes needed** `V`: against a defence of `D` votes Against, the attacker's For votes must
//!   meet quorum and approval: `V ≥ quorum` (plus `D` when every vote counts towards quorum, which
//!   only lowers the need) and `V > r/(1−r)·D`. New votes come from outside the defence
//!   (holders who would not have voted).
//! * **Buy**: price `p` per token; slippage `none` (`p·V`), `linear` with depth `L` (marginal
//!   price `p(1 + x/L)`, cost `p(V + V²/2L)`), or `cpmm`, a constant-product pool holding `R`
//!   tokens (cost `p·R·V/(R − V)`, infeasible for `V ≥ R`). Resale after the attack recovers a
//!   stated fraction (default 0: the tokens are assumed worthless after a hostile takeover).
//! * **Borrow**: votes are checkpointed at the start of voting, so borrowed tokens must be
//!   delegated before the snapshot and can be returned after it: interest at an annual rate for
//!   the voting delay (at least one day); the proposal threshold must be held until execution
//!   (anyone can cancel a Bravo proposal whose proposer falls below it). Infeasible when `V`
//!   exceeds the borrowable supply, if given.
//! * **Bribe**: a price per vote paid to holders who delegate to the attacker for one vote.

use serde::Serialize;

use crate::duration::Duration;
use crate::game::DecisionRule;
use crate::rules::QuorumCounts;

/// Price impact of buying.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum Slippage {
    /// Every token at the quoted price.
    None,
    /// Marginal price rises linearly: `p(1 + x/depth)`.
    Linear {
        /// Tokens bought that double the marginal price.
        depth: f64,
    },
    /// A constant-product pool with this many tokens in reserve.
    Cpmm {
        /// Token reserve.
        reserve: f64,
    },
}

impl std::str::FromStr for Slippage {
    type Err = String;
    /// `none`, `linear:DEPTH` or `cpmm:RESERVE`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number =
            |v: &str, what: &str| v.parse::<f64>().map_err(|e| format!("{what}: `{v}`: {e}"));
        match s.split_once(':') {
            None if s == "none" => Ok(Slippage::None),
            Some(("linear", d)) => Ok(Slippage::Linear {
                depth: number(d, "linear:DEPTH")?,
            }),
            Some(("cpmm", r)) => Ok(Slippage::Cpmm {
                reserve: number(r, "cpmm:RESERVE")?,
            }),
            _ => Err(format!(
                "expected none, linear:DEPTH or cpmm:RESERVE, got `{s}`"
            )),
        }
    }
}

/// The market an attacker faces.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Market {
    /// Price per token (any currency; the report uses the same unit).
    pub price: f64,
    /// Slippage model.
    pub slippage: Slippage,
    /// Annual borrow rate (e.g. 0.05), if tokens can be borrowed.
    pub borrow_rate: Option<f64>,
    /// Tokens available to borrow, if known.
    pub borrowable: Option<f64>,
    /// Price per vote for bribed delegations, if any.
    pub bribe_per_vote: Option<f64>,
    /// Fraction of the purchase recovered by selling afterwards.
    pub resale: f64,
}

impl Market {
    /// Cost of buying `tokens` (∞ when the pool cannot supply them).
    pub fn buy(&self, tokens: f64) -> f64 {
        let p = self.price;
        match self.slippage {
            Slippage::None => p * tokens,
            Slippage::Linear { depth } => p * (tokens + tokens * tokens / (2.0 * depth)),
            Slippage::Cpmm { reserve } => {
                if tokens >= reserve {
                    f64::INFINITY
                } else {
                    p * reserve * tokens / (reserve - tokens)
                }
            }
        }
    }

    /// Net cost of buying `tokens` after resale.
    pub fn buy_net(&self, tokens: f64) -> f64 {
        let gross = self.buy(tokens);
        gross - self.resale * self.price * tokens.min(gross / self.price.max(f64::MIN_POSITIVE))
    }
}

/// Votes an attacker must bring against a defence of `defence` Against votes.
pub fn votes_needed(rule: &DecisionRule, defence: f64) -> f64 {
    let r = rule.approval;
    let approval = if r <= 0.0 {
        0.0
    } else {
        r / (1.0 - r) * defence
    };
    let quorum = match rule.counts {
        QuorumCounts::All => (rule.quorum - defence).max(0.0),
        _ => rule.quorum,
    };
    approval.max(quorum)
}

/// One route's cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    /// `buy`, `borrow`, `bribe`.
    pub route: &'static str,
    /// Cost (∞ when infeasible).
    pub cost: f64,
    /// Whether the route can deliver the votes at all.
    pub feasible: bool,
    /// How it was computed.
    pub note: String,
}

/// The cost of capturing the next proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureCost {
    /// Defence: Against votes the attacker must beat.
    pub defence: f64,
    /// Votes the attacker needs.
    pub votes_needed: f64,
    /// Per route.
    pub routes: Vec<Route>,
    /// The cheapest feasible route.
    pub cheapest: Option<String>,
    /// Value an attacker could extract (e.g. the treasury), if given.
    pub value_at_stake: Option<f64>,
    /// Cheapest cost < value at stake.
    pub profitable: Option<bool>,
}

/// Computes the capture cost of passing one proposal.
pub fn capture_cost(
    rule: &DecisionRule,
    defence: f64,
    market: &Market,
    proposal_threshold: f64,
    voting_delay: Duration,
    governance_delay: Duration,
    value_at_stake: Option<f64>,
) -> CaptureCost {
    let v = votes_needed(rule, defence);
    let mut routes = Vec::new();
    let buy = market.buy_net(v);
    routes.push(Route {
        route: "buy",
        cost: buy,
        feasible: buy.is_finite(),
        note: match market.slippage {
            Slippage::None => format!("{v:.0} tokens at {}", market.price),
            Slippage::Linear { depth } => {
                format!("{v:.0} tokens, linear slippage, depth {depth:.0}")
            }
            Slippage::Cpmm { reserve } => {
                format!("{v:.0} tokens from a constant-product pool of {reserve:.0}")
            }
        } + &if market.resale > 0.0 {
            format!(", {:.0} % recovered by resale", market.resale * 100.0)
        } else {
            String::new()
        },
    });
    if let Some(rate) = market.borrow_rate {
        let hold_days = voting_delay.as_days().max(1.0);
        let gov_days = governance_delay.as_days().max(hold_days);
        let cost =
            market.price * (v * rate * hold_days + proposal_threshold * rate * gov_days) / 365.0;
        let feasible = market.borrowable.is_none_or(|b| v <= b);
        routes.push(Route {
            route: "borrow",
            cost: if feasible { cost } else { f64::INFINITY },
            feasible,
            note: format!(
                "{v:.0} tokens for {hold_days:.1} days (to the snapshot) + the proposal threshold {proposal_threshold:.0} for {gov_days:.1} days, at {:.1} %/yr{}",
                rate * 100.0,
                match market.borrowable {
                    Some(b) if !feasible => format!("; only {b:.0} borrowable"),
                    Some(b) => format!("; {b:.0} borrowable"),
                    None => "; borrowable supply not given (assumed sufficient)".into(),
                }
            ),
        });
    }
    if let Some(b) = market.bribe_per_vote {
        routes.push(Route {
            route: "bribe",
            cost: v * b,
            feasible: true,
            note: format!("{v:.0} votes at {b} per vote"),
        });
    }
    let cheapest = routes
        .iter()
        .filter(|r| r.feasible)
        .min_by(|a, b| a.cost.total_cmp(&b.cost));
    let profitable = match (cheapest, value_at_stake) {
        (Some(c), Some(val)) => Some(c.cost < val),
        (None, Some(_)) => Some(false),
        _ => None,
    };
    CaptureCost {
        defence,
        votes_needed: v,
        cheapest: cheapest.map(|c| c.route.to_string()),
        routes,
        value_at_stake,
        profitable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> DecisionRule {
        DecisionRule {
            quorum: 40.0,
            counts: QuorumCounts::For,
            approval: 0.5,
            strict: true,
        }
    }

    #[test]
    fn needs_and_slippage() {
        assert_eq!(votes_needed(&rule(), 10.0), 40.0);
        assert_eq!(votes_needed(&rule(), 100.0), 100.0);
        let m = Market {
            price: 2.0,
            slippage: Slippage::Linear { depth: 100.0 },
            borrow_rate: None,
            borrowable: None,
            bribe_per_vote: None,
            resale: 0.0,
        };
        assert_eq!(m.buy(100.0), 2.0 * 150.0);
        let c = Market {
            slippage: Slippage::Cpmm { reserve: 200.0 },
            ..m
        };
        assert_eq!(c.buy(100.0), 2.0 * 200.0);
        assert!(c.buy(200.0).is_infinite());
    }
}

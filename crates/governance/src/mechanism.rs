//! Alternative voting mechanisms on the same distribution: token-weighted, quadratic (with a
//! Sybil cost), per-voter caps, delegation caps, conviction (time-weighted) and a dual-
//! governance veto. Each maps holders to voting weights and has its own cheapest way for an
//! outsider to capture it.

use serde::Serialize;

use crate::cost::Market;
use crate::power::{Holder, PowerTable};

/// A mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// One token, one vote.
    Token,
    /// Weight √tokens per identity.
    Quadratic,
    /// Weight min(tokens, cap) per identity.
    Cap,
    /// A delegate counts its own tokens plus at most `cap` delegated.
    DelegationCap,
    /// Weight tokens × min(1, age / ramp).
    Conviction,
    /// Token vote plus a veto by a second constituency.
    DualGovernance,
}

impl Mechanism {
    /// All mechanisms, in report order.
    pub const ALL: [Mechanism; 6] = [
        Mechanism::Token,
        Mechanism::Quadratic,
        Mechanism::Cap,
        Mechanism::DelegationCap,
        Mechanism::Conviction,
        Mechanism::DualGovernance,
    ];

    /// Stable id (`token`, `quadratic`, `cap`, `delegation_cap`, `conviction`, `dual`).
    pub fn id(self) -> &'static str {
        match self {
            Mechanism::Token => "token",
            Mechanism::Quadratic => "quadratic",
            Mechanism::Cap => "cap",
            Mechanism::DelegationCap => "delegation_cap",
            Mechanism::Conviction => "conviction",
            Mechanism::DualGovernance => "dual",
        }
    }

    /// Parses an id (also `all` is handled by the caller).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.id() == s || (s == "dual_governance" && *m == Mechanism::DualGovernance))
    }
}

/// Mechanisms an option names: one, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// One mechanism.
    One(Mechanism),
    /// Every mechanism.
    All,
}

impl std::str::FromStr for Selection {
    type Err = String;
    /// A mechanism id, or `all`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" {
            return Ok(Selection::All);
        }
        Mechanism::parse(s).map(Selection::One).ok_or_else(|| {
            format!("unknown mechanism `{s}` (token, quadratic, cap, delegation_cap, conviction, dual, all)")
        })
    }
}

impl Selection {
    /// The mechanisms a list names, in its order (every one when it names `all`).
    pub fn expand(list: &[Selection]) -> Vec<Mechanism> {
        if list.contains(&Selection::All) {
            return Mechanism::ALL.to_vec();
        }
        list.iter()
            .filter_map(|s| match s {
                Selection::One(m) => Some(*m),
                Selection::All => None,
            })
            .collect()
    }
}

/// Parameters of the alternative mechanisms (all stated in the report).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MechanismParams {
    /// Cost of one extra identity (quadratic and capped voting), in the price's currency.
    pub sybil_cost: f64,
    /// Per-identity cap as a fraction of total voting power (token-weighted).
    pub cap: f64,
    /// Per-delegate cap on delegated power, as a fraction of total voting power.
    pub delegation_cap: f64,
    /// Days until new power reaches full weight (conviction).
    pub ramp_days: f64,
    /// Annual carrying cost of holding tokens while they ramp (conviction).
    pub carry_rate: f64,
    /// Fraction of the second constituency that can veto (dual governance).
    pub veto_threshold: f64,
    /// Value of the second constituency's stake, if known (dual governance).
    pub veto_stake: Option<f64>,
}

impl Default for MechanismParams {
    fn default() -> Self {
        MechanismParams {
            sybil_cost: 100.0,
            cap: 0.01,
            delegation_cap: 0.01,
            ramp_days: 90.0,
            carry_rate: 0.05,
            veto_threshold: 0.10,
            veto_stake: None,
        }
    }
}

/// The voting weights a mechanism gives each holder (same order as the table's holders).
/// Caps are fractions of the *token* total; existing holders are assumed not to split.
pub fn weights(table: &PowerTable, m: Mechanism, p: &MechanismParams) -> Vec<f64> {
    let total = table.total();
    table
        .holders
        .iter()
        .map(|h: &Holder| match m {
            Mechanism::Token | Mechanism::DualGovernance => h.power(),
            Mechanism::Quadratic => h.power().sqrt(),
            Mechanism::Cap => h.power().min(p.cap * total),
            Mechanism::DelegationCap => h.own + h.delegated.min(p.delegation_cap * total),
            Mechanism::Conviction => match h.age_days {
                Some(a) if p.ramp_days > 0.0 => h.power() * (a / p.ramp_days).min(1.0),
                _ => h.power(),
            },
        })
        .collect()
}

/// The attacker's cheapest way to bring `votes` (in the mechanism's units) by buying tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttackPlan {
    /// Tokens bought.
    pub tokens: f64,
    /// Identities used (1 unless splitting pays).
    pub identities: f64,
    /// Days the tokens are held before voting (conviction).
    pub hold_days: f64,
    /// Total cost.
    pub cost: f64,
    /// How it was derived.
    pub note: String,
}

/// How an attacker can get tokens: buy them, or borrow them over the snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Acquire<'a> {
    /// The market.
    pub market: &'a Market,
    /// Days borrowed tokens must be held at least (voting delay, at least one day).
    pub borrow_days: f64,
    /// Most tokens an outsider can get at all (supply not already voting), if known.
    pub max_tokens: Option<f64>,
}

impl Acquire<'_> {
    /// Cheapest way to hold `tokens` for `days` (`days` > 0 only for conviction): buying
    /// (plus carrying cost at `carry_rate`) or borrowing (interest for max(days,
    /// borrow_days)); returns (cost, route).
    fn cost(&self, tokens: f64, days: f64, carry_rate: f64) -> (f64, &'static str) {
        let m = self.market;
        if self.max_tokens.is_some_and(|t| tokens > t) {
            return (f64::INFINITY, "buy");
        }
        let buy = m.buy_net(tokens) + m.price * tokens * carry_rate * days / 365.0;
        let borrow = match m.borrow_rate {
            Some(r) if m.borrowable.is_none_or(|b| tokens <= b) => {
                m.price * tokens * r * days.max(self.borrow_days) / 365.0
            }
            _ => f64::INFINITY,
        };
        if borrow < buy {
            (borrow, "borrow")
        } else {
            (buy, "buy")
        }
    }
}

/// The attacker's optimal plan for `votes` mechanism votes (cheapest of buying and borrowing).
pub fn attack_plan(
    m: Mechanism,
    votes: f64,
    token_total: f64,
    acq: &Acquire<'_>,
    p: &MechanismParams,
) -> AttackPlan {
    let plain = |note: &str| {
        let (cost, route) = acq.cost(votes, 0.0, 0.0);
        AttackPlan {
            tokens: votes,
            identities: 1.0,
            hold_days: 0.0,
            cost,
            note: format!("{route} {votes:.0} tokens{note}"),
        }
    };
    match m {
        Mechanism::Token => plain(""),
        Mechanism::DelegationCap => {
            plain("; own tokens are not capped, only delegations to one delegate are")
        }
        Mechanism::Cap => {
            let cap = p.cap * token_total;
            let k = (votes / cap).ceil().max(1.0);
            let (cost, route) = acq.cost(votes, 0.0, 0.0);
            AttackPlan {
                tokens: votes,
                identities: k,
                hold_days: 0.0,
                cost: cost + k * p.sybil_cost,
                note: format!(
                    "{route} {votes:.0} tokens split into {k:.0} identities of ≤ {cap:.0} at {} each",
                    p.sybil_cost
                ),
            }
        }
        Mechanism::Quadratic => {
            // k identities with T/k tokens each give √(kT) votes; need kT ≥ V², 1 ≤ k ≤ T.
            let v2 = votes * votes;
            let cost = |k: f64| acq.cost(v2 / k, 0.0, 0.0).0 + k * p.sybil_cost;
            let (mut lo, mut hi) = (0.0f64, votes.max(1.0).ln());
            for _ in 0..200 {
                let a = lo + (hi - lo) / 3.0;
                let b = hi - (hi - lo) / 3.0;
                if cost(a.exp()) <= cost(b.exp()) {
                    hi = b;
                } else {
                    lo = a;
                }
            }
            let kr = lo.exp();
            let k = [kr.floor().max(1.0), kr.ceil().min(votes.max(1.0))]
                .into_iter()
                .min_by(|a, b| cost(*a).total_cmp(&cost(*b)))
                .unwrap_or(1.0);
            let route = acq.cost(v2 / k, 0.0, 0.0).1;
            AttackPlan {
                tokens: v2 / k,
                identities: k,
                hold_days: 0.0,
                cost: cost(k),
                note: format!(
                    "{route} {:.0} tokens split into {k:.0} identities of {:.0} (√ each) at {} per identity",
                    v2 / k,
                    v2 / k / k,
                    p.sybil_cost
                ),
            }
        }
        Mechanism::Conviction => {
            if p.ramp_days <= 0.0 {
                return plain("; no ramp");
            }
            // Hold h days: weight T·h/ramp; cost of holding T for h days; best h on a grid.
            let best = (1..=200)
                .map(|i| p.ramp_days * i as f64 / 200.0)
                .map(|h| {
                    let t = votes * p.ramp_days / h;
                    let (c, route) = acq.cost(t, h, p.carry_rate);
                    (h, t, c, route)
                })
                .min_by(|a, b| a.2.total_cmp(&b.2))
                .unwrap_or((p.ramp_days, votes, f64::INFINITY, "buy"));
            AttackPlan {
                tokens: best.1,
                identities: 1.0,
                hold_days: best.0,
                cost: best.2,
                note: format!(
                    "{} {:.0} tokens and hold them {:.0} of {} ramp days (carrying cost {:.0} %/yr when bought); the build-up is public",
                    best.3,
                    best.1,
                    best.0,
                    p.ramp_days,
                    p.carry_rate * 100.0
                ),
            }
        }
        Mechanism::DualGovernance => {
            let mut plan = plain("");
            match p.veto_stake {
                Some(stake) => {
                    let extra = (1.0 - p.veto_threshold) * stake;
                    plan.cost += extra;
                    plan.note += &format!(
                        ", and > {:.0} % of the veto constituency ({extra:.0}) so the rest cannot reach the {:.0} % veto",
                        (1.0 - p.veto_threshold) * 100.0,
                        p.veto_threshold * 100.0
                    );
                }
                None => {
                    plan.note += &format!(
                        "; plus > {:.0} % of the veto constituency (its value not given: not included)",
                        (1.0 - p.veto_threshold) * 100.0
                    );
                }
            }
            plan
        }
    }
}

/// The model of each mechanism in one sentence (printed with the results).
pub fn model(m: Mechanism, p: &MechanismParams) -> String {
    match m {
        Mechanism::Token => "weight = tokens".into(),
        Mechanism::Quadratic => format!(
            "weight = √tokens per identity; existing holders keep one identity; an attacker may split at {} per identity",
            p.sybil_cost
        ),
        Mechanism::Cap => format!(
            "weight = min(tokens, {:.2} % of total voting power) per identity; existing holders do not split; an attacker may at {} per identity",
            p.cap * 100.0,
            p.sybil_cost
        ),
        Mechanism::DelegationCap => format!(
            "weight = own + min(delegated, {:.2} % of total voting power); vote records do not separate own from delegated power, so all of it counts as delegated",
            p.delegation_cap * 100.0
        ),
        Mechanism::Conviction => format!(
            "weight = tokens × min(1, age / {} days); age = days since the voter's first vote (a lower bound), full weight when unknown",
            p.ramp_days
        ),
        Mechanism::DualGovernance => format!(
            "token vote as usual, but a second constituency can veto with {:.0} % of its stake",
            p.veto_threshold * 100.0
        ),
    }
}

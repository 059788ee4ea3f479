//! The whole capture analysis of one distribution (and optionally of every historical
//! proposal): what `powermap capture` prints.

use serde::Serialize;

use crate::coalition::{on_proposal, smallest_blocking, smallest_winning, Coalition};
use crate::cost::{capture_cost, CaptureCost, Market};
use crate::duration::Duration;
use crate::exit::{exit_window, ExitWindow};
use crate::game::{DecisionRule, Turnout, Verdict, WeightedGame};
use crate::indices::{indices, Index, IndexOptions};
use crate::mechanism::{
    attack_plan, model, weights, Acquire, AttackPlan, Mechanism, MechanismParams,
};
use crate::power::{Holder, PowerTable};
use crate::rules::Rules;
use crate::votes::{Proposal, VoteRecords};

/// Options of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureOptions {
    /// Opposition model for coalitions and indices on a power table.
    pub turnout: Turnout,
    /// Defence for the capture cost, as a fraction of total power (`None` = full turnout).
    pub defence: Option<f64>,
    /// Market for the capture cost (`None`: votes needed only).
    pub market: Option<Market>,
    /// Value at stake (e.g. treasury).
    pub value_at_stake: Option<f64>,
    /// Index computation.
    pub index: IndexOptions,
    /// Mechanisms to compare.
    pub mechanisms: Vec<Mechanism>,
    /// Their parameters.
    pub params: MechanismParams,
    /// Voters listed with their indices.
    pub top: usize,
    /// A second constituency's power table for the dual-governance veto.
    pub veto_table: Option<PowerTable>,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            turnout: Turnout::Full,
            defence: None,
            market: None,
            value_at_stake: None,
            index: IndexOptions::default(),
            mechanisms: vec![Mechanism::Token],
            params: MechanismParams::default(),
            top: 10,
            veto_table: None,
        }
    }
}

/// One voter's power three ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoterPower {
    /// Name or address.
    pub name: String,
    /// Voting power.
    pub power: f64,
    /// Share of total power.
    pub share: f64,
    /// Normalised Banzhaf index.
    pub banzhaf: f64,
    /// Probability of being a swing voter.
    pub banzhaf_raw: f64,
    /// Shapley–Shubik index.
    pub shapley_shubik: f64,
}

/// How indices were computed (values stripped).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexMeta {
    /// `exact` or `sampled`.
    pub method: &'static str,
    /// Rounding unit of the exact DP.
    pub unit: Option<f64>,
    /// Samples.
    pub samples: Option<u32>,
    /// Largest standard error.
    pub std_error: Option<f64>,
}

impl From<&Index> for IndexMeta {
    fn from(i: &Index) -> Self {
        IndexMeta {
            method: i.method,
            unit: i.unit,
            samples: i.samples,
            std_error: i.std_error,
        }
    }
}

/// Coalitions, indices and capture cost under one mechanism.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MechanismResult {
    /// Mechanism id.
    pub mechanism: &'static str,
    /// Its model in one sentence.
    pub model: String,
    /// Total weight under the mechanism.
    pub total_weight: f64,
    /// Quorum in the mechanism's units (same fraction of total weight as under tokens).
    pub quorum: f64,
    /// Largest voter's share of weight.
    pub top_share: f64,
    /// Smallest winning coalition size.
    pub winning: Option<usize>,
    /// Smallest blocking coalition size (for dual governance: the smaller of the token side's
    /// and the veto constituency's).
    pub blocking: Option<usize>,
    /// Largest voter's Banzhaf index.
    pub top_banzhaf: f64,
    /// Largest voter's Shapley–Shubik index.
    pub top_shapley_shubik: f64,
    /// Votes an attacker needs (mechanism units).
    pub votes_needed: f64,
    /// The attacker's cheapest plan, buying or borrowing (when a market is given).
    pub attack: Option<AttackPlan>,
    /// Attack cost below the value at stake.
    pub profitable: Option<bool>,
}

/// The analysis of one distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionReport {
    /// Voters with power.
    pub voters: usize,
    /// Total power.
    pub total_power: f64,
    /// The decision rule (quorum resolved).
    pub rule: DecisionRule,
    /// Turnout model.
    pub turnout: Turnout,
    /// Quota of the induced weighted game.
    pub quota: f64,
    /// Smallest winning coalition.
    pub winning: Coalition,
    /// Smallest blocking coalition.
    pub blocking: Coalition,
    /// The heaviest voters with their indices.
    pub top: Vec<VoterPower>,
    /// How Banzhaf was computed.
    pub banzhaf: IndexMeta,
    /// How Shapley–Shubik was computed.
    pub shapley_shubik: IndexMeta,
    /// Capture cost of the next proposal.
    pub capture: Option<CaptureCost>,
    /// Exit window.
    pub exit: Option<ExitWindow>,
    /// Mechanism comparison.
    pub mechanisms: Vec<MechanismResult>,
}

/// Analyses a power table under `rules`.
pub fn analyse(table: &PowerTable, rules: &Rules, opts: &CaptureOptions) -> DistributionReport {
    let total = table.total();
    let rule = DecisionRule::from_rules(rules, total);
    let game = WeightedGame::from_rule(table.weights(), &rule, opts.turnout);
    let ix = indices(&game, &opts.index);
    let top = table
        .holders
        .iter()
        .take(opts.top)
        .enumerate()
        .map(|(i, h)| VoterPower {
            name: h.name.clone(),
            power: h.power(),
            share: h.power() / total,
            banzhaf: ix.banzhaf.values[i],
            banzhaf_raw: ix.banzhaf_raw[i],
            shapley_shubik: ix.shapley_shubik.values[i],
        })
        .collect();
    let defence_fraction = opts.defence.unwrap_or(1.0);
    let (gov_delay, _) = rules.governance_delay();
    let voting_delay = rules.voting_delay.as_ref().map_or(Duration(0), |d| d.value);
    let threshold = rules.proposal_threshold.as_ref().map_or(0.0, |t| t.value);
    let capture = opts.market.as_ref().map(|m| {
        capture_cost(
            &rule,
            defence_fraction * total,
            m,
            threshold,
            voting_delay,
            gov_delay,
            opts.value_at_stake,
        )
    });
    // Tokens an outsider can get: the supply not already voting (when the supply is known).
    let max_tokens = rules
        .total_supply
        .as_ref()
        .map(|s| (s.value - total).max(0.0));
    let mechanisms = opts
        .mechanisms
        .iter()
        .map(|&m| {
            mechanism_result(
                table,
                &rule,
                m,
                opts,
                defence_fraction,
                voting_delay.as_days(),
                max_tokens,
            )
        })
        .collect();
    DistributionReport {
        voters: table.len(),
        total_power: total,
        rule,
        turnout: opts.turnout,
        quota: game.quota,
        winning: smallest_winning(table, &rule, opts.turnout),
        blocking: smallest_blocking(table, &rule),
        top,
        banzhaf: (&ix.banzhaf).into(),
        shapley_shubik: (&ix.shapley_shubik).into(),
        capture,
        exit: exit_window(rules),
        mechanisms,
    }
}

fn mechanism_result(
    table: &PowerTable,
    rule: &DecisionRule,
    m: Mechanism,
    opts: &CaptureOptions,
    defence_fraction: f64,
    borrow_days: f64,
    max_tokens: Option<f64>,
) -> MechanismResult {
    let token_total = table.total();
    let w = weights(table, m, &opts.params);
    let total: f64 = w.iter().sum();
    let scaled = rule.scaled(if token_total > 0.0 {
        total / token_total
    } else {
        1.0
    });
    // Re-sort under the mechanism (conviction can reorder voters).
    let mut holders: Vec<Holder> = table
        .holders
        .iter()
        .zip(&w)
        .map(|(h, &x)| Holder::new(h.name.clone(), x))
        .collect();
    holders.retain(|h| h.own > 0.0);
    let mt = PowerTable::new(holders);
    let game = WeightedGame::from_rule(mt.weights(), &scaled, opts.turnout);
    let ix = indices(&game, &opts.index);
    let mut blocking = smallest_blocking(&mt, &scaled).size;
    if m == Mechanism::DualGovernance {
        if let Some(vt) = &opts.veto_table {
            let need = opts.params.veto_threshold * vt.total();
            let mut acc = 0.0;
            let veto = vt.holders.iter().position(|h| {
                acc += h.power();
                acc >= need
            });
            blocking = match (blocking, veto.map(|v| v + 1)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let votes_needed = crate::cost::votes_needed(&scaled, defence_fraction * total);
    let attack = opts.market.as_ref().map(|mk| {
        let acq = Acquire {
            market: mk,
            borrow_days: borrow_days.max(1.0),
            max_tokens,
        };
        attack_plan(m, votes_needed, token_total, &acq, &opts.params)
    });
    let profitable = match (&attack, opts.value_at_stake) {
        (Some(a), Some(v)) => Some(a.cost < v),
        _ => None,
    };
    MechanismResult {
        mechanism: m.id(),
        model: model(m, &opts.params),
        total_weight: total,
        quorum: scaled.quorum,
        top_share: mt.holders.first().map_or(0.0, |h| h.power() / total),
        winning: crate::coalition::min_winning_size(&game),
        blocking,
        top_banzhaf: ix.banzhaf.values.first().copied().unwrap_or(0.0),
        top_shapley_shubik: ix.shapley_shubik.values.first().copied().unwrap_or(0.0),
        votes_needed,
        attack,
        profitable,
    }
}

/// One historical proposal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalReport {
    /// Id as in the source (`2.1`).
    pub key: String,
    /// Label (`Bravo #10`).
    pub label: String,
    /// First vote's date.
    pub date: String,
    /// Voters.
    pub voters: usize,
    /// For votes.
    pub for_votes: f64,
    /// Against votes.
    pub against: f64,
    /// Abstain votes.
    pub abstain: f64,
    /// Quorum in force (era rules when the rules file has them).
    pub quorum: f64,
    /// Outcome recomputed from the votes and the rule.
    pub verdict: Verdict,
    /// Fewest voters who could have passed it alone.
    pub pass_alone: Coalition,
    /// Fewest voters who could have defeated it.
    pub defeat: Coalition,
    /// Largest voter's Banzhaf index in the game among this proposal's voters.
    pub top_banzhaf: f64,
    /// Largest voter's share of the votes cast.
    pub top_share: f64,
}

/// Analyses every proposal of the records.
pub fn proposals(
    records: &VoteRecords,
    rules: &Rules,
    index: &IndexOptions,
) -> Vec<ProposalReport> {
    records
        .proposals
        .iter()
        .map(|p| proposal(p, rules, index))
        .collect()
}

fn proposal(p: &Proposal, rules: &Rules, index: &IndexOptions) -> ProposalReport {
    let (f, a, ab) = p.tally();
    let cast = f + a + ab;
    let mut rule = DecisionRule::from_rules(rules, cast);
    if let Some(era) = rules.era(&p.governor) {
        rule.quorum = era.quorum_votes;
    }
    let c = on_proposal(p, &rule);
    let mut w: Vec<f64> = p
        .votes
        .iter()
        .map(|v| v.votes)
        .filter(|v| *v > 0.0)
        .collect();
    w.sort_by(|x, y| y.total_cmp(x));
    let game = WeightedGame::from_rule(w.clone(), &rule, Turnout::Full);
    let ix = indices(&game, index);
    ProposalReport {
        key: p.key.clone(),
        label: p.label.clone(),
        date: p.date().to_string(),
        voters: p.votes.len(),
        for_votes: f,
        against: a,
        abstain: ab,
        quorum: rule.quorum,
        verdict: rule.verdict(f, a, ab),
        pass_alone: c.pass_alone,
        defeat: c.defeat,
        top_banzhaf: ix.banzhaf.values.first().copied().unwrap_or(0.0),
        top_share: if cast > 0.0 {
            w.first().copied().unwrap_or(0.0) / cast
        } else {
            0.0
        },
    }
}

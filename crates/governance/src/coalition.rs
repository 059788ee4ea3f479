//! Smallest winning and blocking coalitions, by name: on a power table under a turnout model,
//! and on a real proposal with everyone else voting as they actually did.

use serde::Serialize;

use crate::game::{DecisionRule, Turnout, WeightedGame};
use crate::power::PowerTable;
use crate::rules::QuorumCounts;
use crate::votes::{Proposal, Support};

/// A coalition by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coalition {
    /// Number of members; `None` when no coalition of these voters suffices.
    pub size: Option<usize>,
    /// Members with their power, heaviest first.
    pub members: Vec<(String, f64)>,
    /// Combined power of the members.
    pub power: f64,
    /// Combined share of the total power.
    pub share: f64,
}

impl Coalition {
    fn none() -> Self {
        Coalition {
            size: None,
            members: Vec::new(),
            power: 0.0,
            share: 0.0,
        }
    }

    fn of(members: Vec<(String, f64)>, total: f64) -> Self {
        let power: f64 = members.iter().map(|m| m.1).sum();
        Coalition {
            size: Some(members.len()),
            members,
            power,
            share: if total > 0.0 { power / total } else { 0.0 },
        }
    }
}

/// Smallest number of players (heaviest first) whose weight wins `game`. The heaviest `k` are
/// the best `k` for any weighted game, so the greedy answer is exact. `weights` must be sorted
/// heaviest first.
pub fn min_winning_size(game: &WeightedGame) -> Option<usize> {
    let mut acc = 0.0;
    if game.wins(0.0) {
        return Some(0);
    }
    for (i, w) in game.weights.iter().enumerate() {
        acc += w;
        if game.wins(acc) {
            return Some(i + 1);
        }
    }
    None
}

/// Smallest winning coalition on a power table: the fewest voters who pass a proposal alone
/// against the turnout model's opposition.
pub fn smallest_winning(table: &PowerTable, rule: &DecisionRule, turnout: Turnout) -> Coalition {
    let game = WeightedGame::from_rule(table.weights(), rule, turnout);
    match min_winning_size(&game) {
        Some(k) => Coalition::of(top(table, k), game.total()),
        None => Coalition::none(),
    }
}

/// Smallest blocking coalition on a power table: the fewest voters who defeat a proposal that
/// everyone else votes For, by voting Against (or by staying home, when that denies quorum).
pub fn smallest_blocking(table: &PowerTable, rule: &DecisionRule) -> Coalition {
    let total = table.total();
    let blocks = |s: f64| {
        let rest = (total - s).max(0.0);
        !rule.passes(rest, s, 0.0) || !rule.passes(rest, 0.0, 0.0)
    };
    if blocks(0.0) {
        return Coalition::of(Vec::new(), total);
    }
    let mut acc = 0.0;
    for (i, h) in table.holders.iter().enumerate() {
        acc += h.power();
        if blocks(acc) {
            return Coalition::of(top(table, i + 1), total);
        }
    }
    Coalition::none()
}

fn top(table: &PowerTable, k: usize) -> Vec<(String, f64)> {
    table.holders[..k]
        .iter()
        .map(|h| (h.name.clone(), h.power()))
        .collect()
}

/// What one coalition could have done on a real proposal, with everyone else as cast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalCoalitions {
    /// Fewest voters who pass it alone: they vote For, the other For voters stay home,
    /// Against and Abstain voters vote as they did.
    pub pass_alone: Coalition,
    /// Fewest voters who defeat it: they vote Against, everyone else votes as they did
    /// (size 0 when it failed anyway).
    pub defeat: Coalition,
}

/// Coalitions on a real proposal (observed turnout). Exact: voters fall into three groups by
/// how they voted; within a group a heavier member is always at least as useful, so the best
/// coalition of size `k` takes the heaviest few of each group. Feasibility is monotone in `k`,
/// so small sizes are scanned and larger ones found by binary search.
///
/// * pass alone: the members vote For, the other For voters stay home, Against and Abstain
///   voters vote as they did;
/// * defeat: the members (For or Abstain voters) switch to Against, or all stay home, whichever
///   defeats it with fewer (staying home can deny quorum); everyone else votes as they did.
pub fn on_proposal(p: &Proposal, rule: &DecisionRule) -> ProposalCoalitions {
    let (f, a, ab) = p.tally();
    let total = f + a + ab;
    let ga = group(p, Support::Against);
    let gf = group(p, Support::For);
    let gb = group(p, Support::Abstain);
    let empty = Group::new();
    let pass = search([&ga, &gf, &gb], |[x_a, x_f, x_b]| {
        rule.passes(x_a + x_f + x_b, (a - x_a).max(0.0), (ab - x_b).max(0.0))
    });
    let against = search([&gf, &gb, &empty], |[x_f, x_b, _]| {
        !rule.passes((f - x_f).max(0.0), a + x_f + x_b, (ab - x_b).max(0.0))
    });
    let home = search([&gf, &gb, &empty], |[x_f, x_b, _]| {
        !rule.passes((f - x_f).max(0.0), a, (ab - x_b).max(0.0))
    });
    let defeat = match (against, home) {
        (Some(x), Some(y)) => Some(if y.len() < x.len() { y } else { x }),
        (x, y) => x.or(y),
    };
    ProposalCoalitions {
        pass_alone: pass.map_or_else(Coalition::none, |m| Coalition::of(m, total)),
        defeat: defeat.map_or_else(Coalition::none, |m| Coalition::of(m, total)),
    }
}

type Group = Vec<(String, f64)>;

/// A proposal's voters who voted `s`, heaviest first (the votes are sorted).
fn group(p: &Proposal, s: Support) -> Group {
    p.votes
        .iter()
        .filter(|v| v.support == s && v.votes > 0.0)
        .map(|v| (v.voter.clone(), v.votes))
        .collect()
}

/// Smallest `k` such that the heaviest `i`, `j`, `k − i − j` of the three groups satisfy `ok`
/// (given the three sums). Returns the members, heaviest first.
fn search(groups: [&Group; 3], ok: impl Fn([f64; 3]) -> bool) -> Option<Vec<(String, f64)>> {
    let pre: Vec<Vec<f64>> = groups.iter().map(|g| prefix(g)).collect();
    let lens = [groups[0].len(), groups[1].len(), groups[2].len()];
    let feasible = |k: usize| -> Option<[usize; 3]> {
        for i in 0..=k.min(lens[0]) {
            let rest = k - i;
            let lo = rest.saturating_sub(lens[2]);
            for j in lo..=rest.min(lens[1]) {
                let l = rest - j;
                if ok([pre[0][i], pre[1][j], pre[2][l]]) {
                    return Some([i, j, l]);
                }
            }
        }
        None
    };
    let n = lens.iter().sum::<usize>();
    feasible(n)?;
    let scan = n.min(64);
    let k = match (0..=scan).find(|&k| feasible(k).is_some()) {
        Some(k) => k,
        None => {
            let (mut lo, mut hi) = (scan + 1, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if feasible(mid).is_some() {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        }
    };
    let [i, j, l] = feasible(k)?;
    let mut members: Vec<(String, f64)> = groups[0][..i]
        .iter()
        .chain(&groups[1][..j])
        .chain(&groups[2][..l])
        .cloned()
        .collect();
    members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(members)
}

fn prefix(g: &Group) -> Vec<f64> {
    let mut out = Vec::with_capacity(g.len() + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for v in g {
        acc += v.1;
        out.push(acc);
    }
    out
}

/// Whether the For-only quorum is the binding constraint (for explanations).
pub fn quorum_binds(rule: &DecisionRule, total: f64) -> bool {
    rule.counts == QuorumCounts::For && rule.quorum > rule.approval * total
}

//! The multi-layer Nakamoto coefficient: greedy, and exact branch and bound.

use std::collections::BTreeSet;

use powermap_model::{Boundary, Threshold};

use crate::result::{Coalition, CrossLayerResult, Exactness, Member};
use crate::{DependencyModel, Kind};

/// Default node budget of the exact search (see [`Query::node_budget`]).
pub const DEFAULT_NODE_BUDGET: u64 = 200_000;

/// What to solve: threshold, boundary, which kinds of dependency count, and how hard to try.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The share of total weight the coalition must touch.
    pub threshold: Threshold,
    /// `≥` or `>`.
    pub boundary: Boundary,
    /// Only dependencies of these kinds count (`None`: every kind in the data).
    pub kinds: Option<Vec<Kind>>,
    /// Branch-and-bound nodes to explore before giving up exactness (then the greedy
    /// coalition is returned as an upper bound, with a lower bound).
    pub node_budget: u64,
    /// What crossing the threshold breaks, for [`CrossLayerResult::statement`], e.g.
    /// `halt finality`.
    pub label: Option<String>,
    /// What the weight is, for the statement: `stake`, `validators` (default `weight`).
    pub noun: String,
}

impl Query {
    /// All kinds, [`DEFAULT_NODE_BUDGET`], no label, noun `weight`.
    pub fn new(threshold: Threshold, boundary: Boundary) -> Query {
        Query {
            threshold,
            boundary,
            kinds: None,
            node_budget: DEFAULT_NODE_BUDGET,
            label: None,
            noun: "weight".to_string(),
        }
    }

    /// Count only dependencies of `kinds`.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = Kind>) -> Query {
        self.kinds = Some(kinds.into_iter().collect());
        self
    }

    /// Explore at most `nodes` branch-and-bound nodes (at least 1).
    pub fn node_budget(mut self, nodes: u64) -> Query {
        self.node_budget = nodes.max(1);
        self
    }

    /// What crossing the threshold breaks (appended to the statement).
    pub fn label(mut self, label: impl Into<String>) -> Query {
        self.label = Some(label.into());
        self
    }

    /// What the weight is (`stake`, `validators`).
    pub fn noun(mut self, noun: impl Into<String>) -> Query {
        self.noun = noun.into();
        self
    }
}

impl DependencyModel {
    /// Solve `q`: the fewest organisations whose combined coverage crosses the threshold,
    /// exact unless the node budget runs out (then flagged, with bounds), plus the greedy
    /// coalition for comparison.
    pub fn solve(&self, q: &Query) -> CrossLayerResult {
        let p = Problem::new(self, q.kinds.as_deref());
        solve(&p, q)
    }

    /// The multi-layer Nakamoto coefficient over every kind of dependency.
    pub fn coefficient(&self, threshold: Threshold, boundary: Boundary) -> CrossLayerResult {
        self.solve(&Query::new(threshold, boundary))
    }

    /// The coefficient counting only dependencies of `kinds` (e.g. operator and provider).
    pub fn coefficient_in(
        &self,
        kinds: &[Kind],
        threshold: Threshold,
        boundary: Boundary,
    ) -> CrossLayerResult {
        self.solve(&Query::new(threshold, boundary).kinds(kinds.iter().cloned()))
    }

    /// The single-layer coefficient of every kind in the data, in [`Kind`] order. For a kind
    /// where each unit depends on one organisation (or on disjoint parts), coverage is
    /// additive and this is the ordinary Nakamoto coefficient of that layer. The multi-layer
    /// coefficient is never larger than the smallest of these.
    pub fn per_kind(&self, threshold: Threshold, boundary: Boundary) -> Vec<CrossLayerResult> {
        self.kinds()
            .into_iter()
            .map(|k| self.coefficient_in(&[k], threshold, boundary))
            .collect()
    }

    /// `q` solved for every non-empty combination of the kinds in the data (by size, then
    /// [`Kind`] order): what a per-kind-combination report shows. 2^kinds − 1 solves.
    pub fn per_combination(&self, q: &Query) -> Vec<CrossLayerResult> {
        let kinds = self.kinds();
        let mut subsets: Vec<Vec<Kind>> = (1u64..(1 << kinds.len()))
            .map(|mask| {
                kinds
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, k)| k.clone())
                    .collect()
            })
            .collect();
        subsets.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        subsets
            .into_iter()
            .map(|ks| {
                let mut q = q.clone();
                q.kinds = Some(ks);
                self.solve(&q)
            })
            .collect()
    }

    /// Only the greedy coalition (largest marginal gain first, ties by name): an upper bound
    /// on the coefficient, `None` when the threshold cannot be reached.
    pub fn greedy(&self, q: &Query) -> Option<Coalition> {
        let p = Problem::new(self, q.kinds.as_deref());
        greedy(&p, q.threshold, q.boundary).map(|set| p.coalition(&set))
    }
}

/// The model restricted to some kinds, indexed for the search.
pub(crate) struct Problem<'m> {
    m: &'m DependencyModel,
    kinds: Vec<Kind>,
    /// Model index of each local organisation (ascending, so local order is name order).
    orgs: Vec<usize>,
    /// Model index → local index.
    local: Vec<Option<usize>>,
    /// Per local organisation: `(unit, summed fraction within the kinds)`.
    cover: Vec<Vec<(usize, f64)>>,
    /// Per local organisation: kinds it has dependencies in, within the restriction.
    org_kinds: Vec<Vec<Kind>>,
    weights: Vec<f64>,
    total: f64,
    integral: bool,
}

impl<'m> Problem<'m> {
    pub(crate) fn new(m: &'m DependencyModel, kinds: Option<&[Kind]>) -> Problem<'m> {
        let kinds: Vec<Kind> = match kinds {
            Some(ks) => ks
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            None => m.kinds(),
        };
        let n = m.orgs.len();
        let mut cover_all: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut kinds_all: Vec<BTreeSet<Kind>> = vec![BTreeSet::new(); n];
        for (u, unit) in m.units.iter().enumerate() {
            for (o, k, f) in &unit.deps {
                if !kinds.contains(k) {
                    continue;
                }
                kinds_all[*o].insert(k.clone());
                match cover_all[*o].last_mut() {
                    Some((last, a)) if *last == u => *a += f,
                    _ => cover_all[*o].push((u, *f)),
                }
            }
        }
        let mut local = vec![None; n];
        let (mut orgs, mut cover, mut org_kinds) = (Vec::new(), Vec::new(), Vec::new());
        for (o, (c, ks)) in cover_all.into_iter().zip(kinds_all).enumerate() {
            if c.is_empty() {
                continue;
            }
            local[o] = Some(orgs.len());
            orgs.push(o);
            cover.push(c);
            org_kinds.push(ks.into_iter().collect());
        }
        Problem {
            m,
            kinds,
            orgs,
            local,
            cover,
            org_kinds,
            weights: m.units.iter().map(|u| u.weight).collect(),
            total: m.total,
            integral: m.integral,
        }
    }

    pub(crate) fn local(&self, model_org: usize) -> Option<usize> {
        self.local.get(model_org).copied().flatten()
    }

    /// Coverage of a set of local organisations, computed from scratch in one canonical
    /// order (organisations ascending, then units in input order), so that equal sets give
    /// bit-identical results whichever way they were found.
    pub(crate) fn fresh(&self, set: &[usize]) -> f64 {
        let mut set = set.to_vec();
        set.sort_unstable();
        set.dedup();
        let mut taken = vec![0.0f64; self.weights.len()];
        for &j in &set {
            for &(u, a) in &self.cover[j] {
                taken[u] += a;
            }
        }
        self.weights
            .iter()
            .zip(&taken)
            .map(|(w, t)| if *t > 0.0 { w * t.min(1.0) } else { 0.0 })
            .sum()
    }

    fn reaches(&self, covered: f64, t: Threshold, b: Boundary) -> bool {
        t.reached(covered, self.total, self.integral, b)
    }

    /// Could `bound` reach the threshold? Relaxed by a relative 1e-9 so that rounding never
    /// prunes a solution; acceptance is decided by [`Problem::reaches`] on a fresh sum.
    fn may_reach(&self, bound: f64, t: Threshold) -> bool {
        let need = self.total * t.num() as f64;
        self.total > 0.0 && bound * t.den() as f64 >= need * (1.0 - 1e-9)
    }

    /// Marginal gain of local organisation `j` given per-unit taken fractions.
    fn gain(&self, taken: &[f64], j: usize) -> f64 {
        self.cover[j]
            .iter()
            .map(|&(u, a)| {
                let t = taken[u];
                if t >= 1.0 {
                    0.0
                } else {
                    self.weights[u] * ((t + a).min(1.0) - t)
                }
            })
            .sum()
    }

    /// A coalition's report: members in peeling order (each next member adds the most to
    /// the ones before it; ties by name) with standalone, marginal and unique shares.
    /// Incremental: O(|set| · Σ dependencies of the set).
    pub(crate) fn coalition(&self, set: &[usize]) -> Coalition {
        let per = |w: f64| {
            if self.total > 0.0 {
                w / self.total
            } else {
                0.0
            }
        };
        let mut left: Vec<usize> = set.to_vec();
        left.sort_unstable();
        left.dedup();
        // Per-unit fraction taken by the whole set, for the unique shares.
        let mut full_taken = vec![0.0f64; self.weights.len()];
        for &j in &left {
            for &(u, a) in &self.cover[j] {
                full_taken[u] += a;
            }
        }
        let mut taken = vec![0.0f64; self.weights.len()];
        let mut members = Vec::with_capacity(left.len());
        while !left.is_empty() {
            let mut best: Option<(f64, usize)> = None;
            for (pos, &j) in left.iter().enumerate() {
                let g = self.gain(&taken, j);
                if best.is_none_or(|(bg, _)| g > bg) {
                    best = Some((g, pos));
                }
            }
            let (g, pos) = best.expect("non-empty");
            let j = left.remove(pos);
            for &(u, a) in &self.cover[j] {
                taken[u] += a;
            }
            let standalone: f64 = self.cover[j]
                .iter()
                .map(|&(u, a)| self.weights[u] * a.min(1.0))
                .sum();
            let unique: f64 = self.cover[j]
                .iter()
                .map(|&(u, a)| {
                    let t = full_taken[u];
                    self.weights[u] * (t.min(1.0) - (t - a).clamp(0.0, 1.0))
                })
                .sum();
            let org = &self.m.orgs[self.orgs[j]];
            members.push(Member {
                organisation: self.orgs[j],
                name: org.name.clone(),
                kinds: self.org_kinds[j].clone(),
                aliases: org
                    .aliases
                    .iter()
                    .filter(|(k, _)| self.kinds.contains(k))
                    .cloned()
                    .collect(),
                standalone: per(standalone),
                marginal: per(g),
                unique: per(unique),
            });
        }
        Coalition {
            members,
            share: per(self.fresh(set)),
        }
    }
}

/// Greedy max coverage: add the organisation with the largest marginal gain (ties: the
/// first by name) until the threshold is crossed. `None` when even every organisation
/// together does not cross it.
fn greedy(p: &Problem, t: Threshold, b: Boundary) -> Option<Vec<usize>> {
    let mut taken = vec![0.0f64; p.weights.len()];
    let mut chosen = Vec::new();
    let mut used = vec![false; p.orgs.len()];
    loop {
        if !chosen.is_empty() && p.reaches(p.fresh(&chosen), t, b) {
            return Some(chosen);
        }
        let mut best: Option<(f64, usize)> = None;
        for (j, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
            let g = p.gain(&taken, j);
            if g > 0.0 && best.is_none_or(|(bg, _)| g > bg) {
                best = Some((g, j));
            }
        }
        let (_, j) = best?;
        used[j] = true;
        for &(u, a) in &p.cover[j] {
            taken[u] += a;
        }
        chosen.push(j);
    }
}

struct Exhausted;

struct Search<'p, 'm> {
    p: &'p Problem<'m>,
    t: Threshold,
    b: Boundary,
    taken: Vec<f64>,
    covered: f64,
    chosen: Vec<usize>,
    nodes: u64,
    budget: u64,
}

impl Search<'_, '_> {
    /// Is there a set of at most `m` more organisations from `cands` that, with `chosen`,
    /// crosses the threshold? On success `chosen` holds the coalition.
    fn dfs(&mut self, m: usize, cands: &[usize]) -> Result<bool, Exhausted> {
        self.nodes += 1;
        if self.nodes > self.budget {
            return Err(Exhausted);
        }
        let mut g: Vec<(f64, usize)> = cands
            .iter()
            .map(|&j| (self.p.gain(&self.taken, j), j))
            .filter(|(g, _)| *g > 0.0)
            .collect();
        g.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for i in 0..g.len() {
            // Submodular bound: with C fixed, any ≤ m more from g[i..] add at most the sum
            // of their current marginal gains, and g is sorted, so g[i..i+m] is the best.
            let end = (i + m).min(g.len());
            let bound = self.covered + g[i..end].iter().map(|x| x.0).sum::<f64>();
            if !self.p.may_reach(bound, self.t) {
                break;
            }
            let (gain, j) = g[i];
            self.chosen.push(j);
            if m == 1 {
                if self.p.reaches(self.p.fresh(&self.chosen), self.t, self.b) {
                    return Ok(true);
                }
                self.chosen.pop();
                continue;
            }
            let saved: Vec<f64> = self.p.cover[j]
                .iter()
                .map(|&(u, _)| self.taken[u])
                .collect();
            let saved_covered = self.covered;
            for &(u, a) in &self.p.cover[j] {
                self.taken[u] += a;
            }
            self.covered += gain;
            if self.p.reaches(self.p.fresh(&self.chosen), self.t, self.b) {
                return Ok(true);
            }
            let rest: Vec<usize> = g[i + 1..].iter().map(|x| x.1).collect();
            if self.dfs(m - 1, &rest)? {
                return Ok(true);
            }
            for (&(u, _), s) in self.p.cover[j].iter().zip(saved) {
                self.taken[u] = s;
            }
            self.covered = saved_covered;
            self.chosen.pop();
        }
        Ok(false)
    }
}

fn solve(p: &Problem, q: &Query) -> CrossLayerResult {
    let (t, b) = (q.threshold, q.boundary);
    let all: Vec<usize> = (0..p.orgs.len()).collect();
    let max_share = if p.total > 0.0 {
        p.fresh(&all) / p.total
    } else {
        0.0
    };
    let mut result = CrossLayerResult {
        threshold: t,
        boundary: b,
        kinds: p.kinds.clone(),
        label: q.label.clone(),
        noun: q.noun.clone(),
        total_weight: p.total,
        units: p.weights.len(),
        organisations: p.orgs.len(),
        max_share,
        coalition: None,
        exactness: Exactness::Exact,
        greedy: None,
        nodes: 0,
    };
    let Some(greedy_set) = greedy(p, t, b) else {
        return result; // unreachable: exact
    };
    let greedy_coalition = p.coalition(&greedy_set);
    let upper = greedy_set.len();
    result.greedy = Some(greedy_coalition.clone());

    // Lower bound from the root: k singletons' gains must be able to add up to the need.
    let mut singles: Vec<f64> = all.iter().map(|&j| p.fresh(&[j])).collect();
    singles.sort_by(|a, b| b.total_cmp(a));
    let mut sum = 0.0;
    let mut lower = upper;
    for (i, s) in singles.iter().enumerate() {
        sum += s;
        if p.may_reach(sum, t) {
            lower = (i + 1).min(upper);
            break;
        }
    }

    let mut search = Search {
        p,
        t,
        b,
        taken: vec![0.0; p.weights.len()],
        covered: 0.0,
        chosen: Vec::new(),
        nodes: 0,
        budget: q.node_budget,
    };
    for k in lower..upper {
        match search.dfs(k, &all) {
            Ok(true) => {
                result.coalition = Some(p.coalition(&search.chosen));
                result.nodes = search.nodes;
                return result;
            }
            Ok(false) => {}
            Err(Exhausted) => {
                result.coalition = Some(greedy_coalition);
                result.exactness = Exactness::UpperBound { lower: k };
                result.nodes = search.nodes.min(q.node_budget);
                return result;
            }
        }
    }
    result.coalition = Some(greedy_coalition);
    result.nodes = search.nodes;
    result
}

impl DependencyModel {
    /// The weight organisation set `orgs` (indices into [`DependencyModel::organisations`])
    /// takes out: Σ over units of weight · min(1, Σ fractions of its dependencies on `orgs`),
    /// counting only dependencies of `kinds` (all kinds when `None`). Monotone and
    /// submodular in `orgs`. Out-of-range indices are ignored.
    pub fn coverage(&self, orgs: &[usize], kinds: Option<&[Kind]>) -> f64 {
        let p = Problem::new(self, kinds);
        let set: Vec<usize> = orgs.iter().filter_map(|&o| p.local(o)).collect();
        p.fresh(&set)
    }
}

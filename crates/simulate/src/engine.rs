//! One simulated path: the state and its daily step (the model is in [`crate::dynamics`]).
//!
//! Weights are shares of the starting total. A two-column Fenwick tree holds, per slot, the weight
//! (sources are drawn ∝ weight) and the propensity `w^α · y^β` (destinations), so an event
//! costs O(log n). Quantities that depend on every entity at once (group shares inside
//! yields, program eligibility, migrations) are refreshed at checkpoints.

use serde::Serialize;

use crate::fenwick::{Fenwick, PROPENSITY, WEIGHT};
use crate::metrics::{standard_values, SortedView};
use crate::random::Rng;
use crate::setup::{Setup, NONE};
use crate::Dynamics;

use rules::{AntiCorr, Program};

mod rules;

/// Weights below this share are zero: the entity exits.
const EPS: f64 = 1e-13;

/// Days between exact re-summations of totals and trees (they drift by rounding only) when
/// no rule makes propensities depend on everyone.
const REBUILD_DAYS: u32 = 91;

/// What a scenario's rules cost, averaged over runs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Cost {
    /// Mean relative yield lost by the three largest entities at the start (0.05 = they
    /// earn 5 % less than under the status quo), averaged over checkpoints.
    pub top_yield_loss: f64,
    /// Share of the total weight a rule forced to move (cap excess, withdrawn program stake)
    /// or turned away (refused at a cap), over the whole horizon.
    pub redirected: f64,
    /// Share of the total weight removed by shocks.
    pub removed: f64,
    /// Entities that moved hosting to stay eligible for a delegation program.
    pub migrations: f64,
}

enum Dest {
    Rest,
    New,
    Entity(usize),
}

/// The state of one run.
pub(crate) struct State<'a> {
    s: &'a Setup,
    d: Dynamics,
    w: Vec<f64>,
    wa: Vec<f64>,
    ops: Vec<f64>,
    rest: f64,
    total: f64,
    trees: Fenwick,
    sum_wa: f64,
    used: usize,
    free: Vec<u32>,
    groups: Vec<Vec<u32>>,
    group_w: Vec<Vec<f64>>,
    cap: Option<f64>,
    curves: Vec<(f64, f64)>,
    anti: Option<AntiCorr>,
    program: Option<Program>,
    friction: f64,
    next_rule: usize,
    eligible: Vec<u32>,
    view: SortedView,
    top: Vec<u32>,
    cost: Cost,
    cost_samples: u32,
    since_rebuild: u32,
}

impl<'a> State<'a> {
    /// The starting state for a run of `days` days under dynamics `d`.
    pub(crate) fn new(s: &'a Setup, d: Dynamics, days: u32) -> Self {
        let n = s.initial.len();
        let events = (d.moves_per_day + d.inflows_per_day) * days as f64 * d.entry;
        let extra = (events * 1.5 + 10.0 * events.sqrt() + 16.0).min(1e6) as usize;
        let cap = n + extra;
        let mut w = s.initial.clone();
        w.resize(cap, 0.0);
        let wa: Vec<f64> = w.iter().map(|&x| pow(x, d.alpha)).collect();
        let groups: Vec<Vec<u32>> = s
            .groups
            .iter()
            .map(|g| {
                let mut of = g.of.clone();
                of.resize(cap, NONE);
                of
            })
            .collect();
        let mut top: Vec<u32> = (0..n as u32).collect();
        top.sort_by(|&a, &b| s.initial[b as usize].total_cmp(&s.initial[a as usize]));
        top.truncate(3);
        let mut st = State {
            s,
            d,
            trees: Fenwick::new(&w, &wa),
            sum_wa: wa.iter().sum(),
            view: SortedView::new(&s.initial),
            total: w.iter().sum::<f64>() + s.rest,
            w,
            wa,
            ops: vec![1.0; cap],
            rest: s.rest,
            used: n,
            free: Vec::new(),
            group_w: Vec::new(),
            groups,
            cap: None,
            curves: Vec::new(),
            anti: None,
            program: None,
            friction: 1.0,
            next_rule: 0,
            eligible: Vec::new(),
            top,
            cost: Cost::default(),
            cost_samples: 0,
            since_rebuild: 0,
        };
        st.group_w = st.group_weights();
        st
    }

    /// Simulates day `day` (1-based): rules starting on it, then the day's events.
    pub(crate) fn step(&mut self, day: u32, rng: &mut Rng) {
        while self.next_rule < self.s.rules.len() && self.s.rules[self.next_rule].0 <= day {
            let setup = self.s;
            let rule = self.next_rule;
            self.next_rule += 1;
            self.activate(&setup.rules[rule].1, rng);
        }
        let q = self.d.chunk;
        for _ in 0..rng.count(self.d.inflows_per_day) {
            self.place(q, rng);
        }
        for _ in 0..rng.count(self.d.moves_per_day * self.friction) {
            self.move_one(q, rng);
        }
    }

    /// Checkpoint maintenance after `days` days: exact totals, eligibility, migrations,
    /// propensities that depend on everyone, tree rebuilds, cost accounting.
    pub(crate) fn refresh(&mut self, days: u32, rng: &mut Rng) {
        self.since_rebuild += days;
        let yields = !self.curves.is_empty() || self.anti.is_some();
        // Propensities that depend on the total or on group shares go stale as others move.
        let dynamic = yields || self.cap.is_some() || self.program.is_some();
        if dynamic || self.since_rebuild >= REBUILD_DAYS {
            self.total = self.w.iter().sum::<f64>() + self.rest;
            self.group_w = self.group_weights();
            if self.program.is_some() {
                self.migrate(days, rng);
                self.update_eligible();
            }
            if dynamic {
                self.recompute_propensities();
            } else {
                self.trees.rebuild();
            }
            self.sum_wa = self.wa.iter().sum();
            self.since_rebuild = 0;
        }
        self.cost_samples += 1;
        let held: f64 = self.top.iter().map(|&i| self.w[i as usize]).sum();
        if yields && held > 0.0 {
            let lost: f64 = self
                .top
                .iter()
                .map(|&i| self.w[i as usize] * (1.0 - self.yield_of(i as usize)))
                .sum();
            self.cost.top_yield_loss += lost / held;
        }
    }

    /// The standard metrics, then the top share of each grouping. With `noisy`, block-count
    /// series get the sampling noise of one window of `Setup::sample` blocks.
    pub(crate) fn values(&mut self, noisy: bool, rng: &mut Rng, out: &mut Vec<f64>) {
        out.clear();
        let v = match self.s.sample {
            Some(n) if noisy => {
                let (named, rest) = self.observed(n, rng);
                standard_values(&named, rest)
            }
            _ => self.view.values(&self.w[..self.used], self.total),
        };
        out.extend_from_slice(&v);
        for gw in &self.group_w {
            let top = gw.iter().copied().fold(0.0, f64::max);
            out.push(top / self.total);
        }
    }

    /// Shares of every slot used so far and of the remainder, as a snapshot of `n` blocks
    /// would show them when `n` is given (normal approximation of the multinomial).
    pub(crate) fn observed(&self, n: f64, rng: &mut Rng) -> (Vec<f64>, f64) {
        let t = self.total;
        let noisy = |s: f64, rng: &mut Rng| {
            if s <= 0.0 || n <= 0.0 {
                return s.max(0.0);
            }
            (s + (s * (1.0 - s).max(0.0) / n).sqrt() * rng.normal()).max(0.0)
        };
        let named: Vec<f64> = self.w[..self.used]
            .iter()
            .map(|&w| noisy(w / t, rng))
            .collect();
        let rest = noisy(self.rest / t, rng);
        (named, rest)
    }

    /// Shares of every slot used so far and of the remainder, exactly.
    pub(crate) fn shares(&self) -> (Vec<f64>, f64) {
        let t = self.total;
        (
            self.w[..self.used].iter().map(|&w| w / t).collect(),
            self.rest / t,
        )
    }

    /// The cap in force, if any.
    pub(crate) fn cap(&self) -> Option<f64> {
        self.cap
    }

    /// Cost accumulated by this run (yield loss averaged over its checkpoints).
    pub(crate) fn cost(&self) -> Cost {
        let mut c = self.cost;
        c.top_yield_loss /= self.cost_samples.max(1) as f64;
        c
    }

    fn group_weights(&self) -> Vec<Vec<f64>> {
        self.s
            .groups
            .iter()
            .zip(&self.groups)
            .map(|(g, of)| {
                let mut gw = vec![0.0; g.labels.len()];
                for (i, &k) in of[..self.used].iter().enumerate() {
                    if k != NONE {
                        gw[k as usize] += self.w[i];
                    }
                }
                gw
            })
            .collect()
    }

    fn propensity(&self, i: usize) -> f64 {
        let w = self.w[i];
        if w <= 0.0 {
            return 0.0;
        }
        if let Some(cap) = self.cap {
            if w >= cap * self.total * (1.0 - 1e-9) {
                return 0.0;
            }
        }
        if self.curves.is_empty() && self.anti.is_none() {
            return self.wa[i];
        }
        let y = self.yield_of(i);
        if y <= 0.0 {
            0.0
        } else {
            self.wa[i] * y.powf(self.s.elasticity)
        }
    }

    fn recompute_propensities(&mut self) {
        let p: Vec<f64> = (0..self.w.len()).map(|i| self.propensity(i)).collect();
        self.trees.replace(PROPENSITY, p.into_iter());
    }

    fn set(&mut self, i: usize, v: f64) {
        let v = if v < EPS { 0.0 } else { v };
        let old = self.w[i];
        if v == old {
            return;
        }
        self.w[i] = v;
        self.view.touch(i);
        self.total += v - old;
        let va = pow(v, self.d.alpha);
        self.sum_wa += va - self.wa[i];
        self.wa[i] = va;
        for (k, of) in self.groups.iter().enumerate() {
            let g = of[i];
            if g != NONE {
                self.group_w[k][g as usize] += v - old;
            }
        }
        let p = self.propensity(i);
        self.trees.set(i, [v, p]);
        if v == 0.0 && old > 0.0 {
            self.free.push(i as u32);
        }
    }

    fn destination(&self, rng: &mut Rng) -> Dest {
        if let Some(p) = &self.program {
            if !self.eligible.is_empty() && rng.uniform() < p.share {
                let i = self.eligible[rng.below(self.eligible.len())] as usize;
                if self.w[i] > 0.0 {
                    return Dest::Entity(i);
                }
            }
        }
        // The remainder attracts like the average unit of named weight, so its share is a
        // martingale in the status quo; entry happens among the named.
        let sum_w = self.trees.total(WEIGHT);
        let pr = if sum_w > 0.0 {
            self.rest * self.sum_wa.max(0.0) / sum_w
        } else {
            self.rest
        };
        let named = self.trees.total(PROPENSITY);
        if pr > 0.0 && rng.uniform() * (named.max(0.0) + pr) < pr {
            return Dest::Rest;
        }
        if self.d.entry > 0.0 && rng.uniform() < self.d.entry {
            return Dest::New;
        }
        if named <= 0.0 {
            return Dest::Rest;
        }
        self.trees
            .find(PROPENSITY, rng.uniform() * named)
            .map_or(Dest::Rest, Dest::Entity)
    }

    /// Gives `amt` to destinations, respecting a cap; what nobody can take joins the
    /// remainder.
    fn place(&mut self, amt: f64, rng: &mut Rng) {
        let t_final = self.total + amt;
        let mut left = amt;
        for _ in 0..8 {
            let i = match self.destination(rng) {
                Dest::Rest => break,
                Dest::New => match self.alloc(rng) {
                    Some(i) => i,
                    None => continue,
                },
                Dest::Entity(i) => i,
            };
            let room = self
                .cap
                .map_or(f64::INFINITY, |c| (c * t_final - self.w[i]).max(0.0));
            let give = left.min(room);
            if give < left {
                self.cost.redirected += left - give;
            }
            if give > 0.0 {
                self.set(i, self.w[i] + give);
                left -= give;
            }
            if left <= EPS {
                return;
            }
        }
        self.rest += left;
        self.total += left;
    }

    fn move_one(&mut self, q: f64, rng: &mut Rng) {
        let sum_w = self.trees.total(WEIGHT);
        let u = rng.uniform() * (sum_w + self.rest);
        let from = if u < self.rest || sum_w <= 0.0 {
            None
        } else {
            self.trees.find(WEIGHT, u - self.rest)
        };
        let amt = match from {
            None => {
                let a = q.min(self.rest);
                self.rest -= a;
                self.total -= a;
                a
            }
            Some(j) => {
                let a = q.min(self.w[j]);
                self.set(j, self.w[j] - a);
                a
            }
        };
        if amt > 0.0 {
            self.place(amt, rng);
        }
    }

    fn alloc(&mut self, rng: &mut Rng) -> Option<usize> {
        let i = match self.free.pop() {
            Some(i) => i as usize,
            None if self.used < self.w.len() => {
                self.used += 1;
                self.used - 1
            }
            None => return None,
        };
        self.ops[i] = 1.0;
        for k in 0..self.groups.len() {
            // A newcomer hosts like a random existing entity.
            let donor = rng.below(self.used);
            self.groups[k][i] = self.groups[k][donor];
        }
        Some(i)
    }
}

/// `x^alpha`, exact for `alpha = 1` and 0 at 0; otherwise `exp(alpha · ln x)`, faster than
/// `powf` in the event loop and as accurate for shares in (0, 1].
#[inline]
fn pow(x: f64, alpha: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if alpha == 1.0 {
        x
    } else {
        (alpha * x.ln()).exp()
    }
}

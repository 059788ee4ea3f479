//! The scenario's rules inside a run: relative yields (reward curves, anti-correlation
//! penalties), caps and their enforcement, delegation programs with group caps and
//! migrations, exit friction and shocks.

use super::{State, EPS};
use crate::random::Rng;
use crate::setup::{Action, NONE};

/// Active anti-correlation penalties (see [`crate::Mechanism::AntiCorrelation`]).
#[derive(Debug, Clone)]
pub(super) struct AntiCorr {
    slope: f64,
    max: f64,
    scale: f64,
    group: Option<usize>,
}

/// An active delegation program (see [`crate::Mechanism::DelegationProgram`]).
#[derive(Debug, Clone)]
pub(super) struct Program {
    pub(super) share: f64,
    caps: Vec<(usize, f64, bool)>,
    migrate: f64,
}

impl State<'_> {
    /// Relative yield of slot `i` under the active rules (1 = the status quo).
    pub(super) fn yield_of(&self, i: usize) -> f64 {
        let share = self.w[i] / self.total;
        let mut y = 1.0;
        for &(knee, e) in &self.curves {
            if share > knee {
                y *= (knee / share).powf(e);
            }
        }
        if let Some(a) = &self.anti {
            let c = match a.group.map(|k| (k, self.groups[k][i])) {
                Some((k, g)) if g != NONE => self.group_w[k][g as usize] / self.total,
                _ => share / self.ops[i],
            };
            let factor = (1.0 + a.slope * c).min(a.max);
            y *= (1.0 - a.scale * (factor - 1.0)).max(0.0);
        }
        y
    }

    pub(super) fn activate(&mut self, action: &Action, rng: &mut Rng) {
        match action {
            Action::Cap(c) => {
                self.cap = Some(*c);
                self.enforce_cap(rng);
            }
            Action::Curve { knee, exponent } => self.curves.push((*knee, *exponent)),
            Action::AntiCorrelation {
                slope,
                max,
                scale,
                group,
                operators,
            } => {
                for &(slot, n) in operators {
                    self.ops[slot as usize] = n;
                }
                self.anti = Some(AntiCorr {
                    slope: *slope,
                    max: *max,
                    scale: *scale,
                    group: *group,
                });
            }
            Action::Program {
                share,
                caps,
                migrate,
            } => {
                self.program = Some(Program {
                    share: *share,
                    caps: caps.clone(),
                    migrate: *migrate,
                });
                self.update_eligible();
                if !caps.is_empty() {
                    self.withdraw(*share);
                }
            }
            Action::Friction(f) => self.friction *= f,
            Action::Shock {
                slots,
                group,
                remove,
            } => {
                let mut hit: Vec<usize> = slots.iter().map(|&s| s as usize).collect();
                if let Some((k, g)) = group {
                    hit.extend((0..self.used).filter(|&i| self.groups[*k][i] == *g));
                }
                hit.sort_unstable();
                hit.dedup();
                for i in hit {
                    let cut = self.w[i] * remove;
                    self.cost.removed += cut;
                    self.set(i, self.w[i] - cut);
                }
                if self.cap.is_some() {
                    self.enforce_cap(rng);
                }
            }
        }
        self.recompute_propensities();
    }

    /// Takes every entity down to the cap and re-delegates the excess.
    fn enforce_cap(&mut self, rng: &mut Rng) {
        let Some(c) = self.cap else { return };
        let limit = c * self.total;
        let mut excess = 0.0;
        for i in 0..self.used {
            if self.w[i] > limit {
                excess += self.w[i] - limit;
                self.set(i, limit);
            }
        }
        self.cost.redirected += excess;
        self.recompute_propensities();
        while excess > EPS {
            let a = excess.min(self.d.chunk);
            self.place(a, rng);
            excess -= a;
        }
    }

    fn eligible_slot(&self, p: &Program, i: usize) -> bool {
        p.caps.iter().all(|&(k, max, strict)| {
            let g = self.groups[k][i];
            if g == NONE {
                return true;
            }
            let share = self.group_w[k][g as usize] / self.total;
            if strict {
                share < max
            } else {
                share <= max
            }
        })
    }

    pub(super) fn update_eligible(&mut self) {
        let Some(p) = &self.program else { return };
        self.eligible = (0..self.used)
            .filter(|&i| self.w[i] > 0.0 && self.eligible_slot(p, i))
            .map(|i| i as u32)
            .collect();
    }

    /// The program's stake leaves ineligible entities (assumed spread evenly over every
    /// entity before the caps) and is spread evenly over the eligible ones.
    fn withdraw(&mut self, share: f64) {
        let active = (0..self.used).filter(|&i| self.w[i] > 0.0).count();
        if active == 0 || self.eligible.is_empty() {
            return;
        }
        let each = share * self.total / active as f64;
        let mut pool = 0.0;
        for i in 0..self.used {
            if self.w[i] > 0.0 && self.eligible.binary_search(&(i as u32)).is_err() {
                let take = each.min(self.w[i]);
                pool += take;
                self.set(i, self.w[i] - take);
            }
        }
        self.cost.redirected += pool;
        let give = pool / self.eligible.len() as f64;
        for k in 0..self.eligible.len() {
            let i = self.eligible[k] as usize;
            self.set(i, self.w[i] + give);
        }
    }

    /// Each ineligible entity moves to the groups of a random eligible one with probability
    /// `1 − (1 − migrate)^days`.
    pub(super) fn migrate(&mut self, days: u32, rng: &mut Rng) {
        let Some(p) = self.program.clone() else {
            return;
        };
        if p.caps.is_empty() || p.migrate <= 0.0 || self.eligible.is_empty() {
            return;
        }
        let prob = 1.0 - (1.0 - p.migrate).powi(days as i32);
        for i in 0..self.used {
            if self.w[i] <= 0.0 || self.eligible_slot(&p, i) || rng.uniform() >= prob {
                continue;
            }
            let j = self.eligible[rng.below(self.eligible.len())] as usize;
            for &(k, _, _) in &p.caps {
                let (from, to) = (self.groups[k][i], self.groups[k][j]);
                if from != NONE {
                    self.group_w[k][from as usize] -= self.w[i];
                }
                if to != NONE {
                    self.group_w[k][to as usize] += self.w[i];
                }
                self.groups[k][i] = to;
            }
            self.cost.migrations += 1.0;
        }
    }
}

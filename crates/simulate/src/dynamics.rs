//! The parameters of the concentration dynamics (see `docs/simulate.md` for the model).
//!
//! Weight is moved in *events* of a fixed size (`chunk`, a fraction of the starting total):
//!
//! * an **inflow** adds a chunk of new weight (a Pólya urn when `alpha = 1` and nothing else
//!   happens);
//! * a **move** takes a chunk from a holder chosen in proportion to weight (every unit is
//!   equally likely to leave) and gives it to a destination;
//! * a destination is a **new entity** with probability `entry`; otherwise entity `i` with
//!   probability ∝ `w_i^alpha · y_i^β` (economies of scale `alpha`; relative yield `y_i` under
//!   the scenario's mechanisms, elasticity `β`), or the dispersed remainder, which attracts
//!   like the average unit of named weight;
//! * an entity whose weight reaches 0 exits.
//!
//! With `alpha = 1` shares are martingales (neutral drift); `alpha > 1` drifts towards
//! monopoly, `alpha < 1` towards equal shares.

use serde::Serialize;

use crate::{Result, SimulateError};

/// One parameter set of the dynamics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dynamics {
    /// Economies of scale: destinations are drawn ∝ `w^alpha` (1 = proportional, Pólya urn).
    pub alpha: f64,
    /// Moves per day (mean; the day's count is `floor` plus a Bernoulli for the fraction).
    pub moves_per_day: f64,
    /// Inflows of new weight per day (mean).
    pub inflows_per_day: f64,
    /// Weight of one event, as a fraction of the starting total.
    pub chunk: f64,
    /// Probability that an event's weight founds a new entity.
    pub entry: f64,
}

impl Dynamics {
    /// Share of the total weight that changes hands per day (`moves_per_day × chunk`).
    pub fn turnover(&self) -> f64 {
        self.moves_per_day * self.chunk
    }

    /// Checks ranges: `alpha` in [0, 4], rates ≥ 0 and at most 100 000 a day, `chunk` in
    /// (0, 1], `entry` in [0, 1].
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| {
            Err(SimulateError::Option {
                name: "dynamics",
                message,
            })
        };
        let finite = [
            self.alpha,
            self.moves_per_day,
            self.inflows_per_day,
            self.chunk,
            self.entry,
        ]
        .iter()
        .all(|x| x.is_finite());
        if !finite {
            return bad(format!("parameters must be finite numbers: {self:?}"));
        }
        if !(0.0..=4.0).contains(&self.alpha) {
            return bad(format!("alpha {} is outside [0, 4]", self.alpha));
        }
        for (name, r) in [
            ("moves_per_day", self.moves_per_day),
            ("inflows_per_day", self.inflows_per_day),
        ] {
            if !(0.0..=1e5).contains(&r) {
                return bad(format!("{name} {r} is outside [0, 100000]"));
            }
        }
        if !(self.chunk > 0.0 && self.chunk <= 1.0) {
            return bad(format!("chunk {} is outside (0, 1]", self.chunk));
        }
        if !(0.0..=1.0).contains(&self.entry) {
            return bad(format!("entry {} is outside [0, 1]", self.entry));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ranges() {
        let d = Dynamics {
            alpha: 1.0,
            moves_per_day: 10.0,
            inflows_per_day: 0.0,
            chunk: 1e-3,
            entry: 0.01,
        };
        assert!(d.validate().is_ok());
        assert!((d.turnover() - 0.01).abs() < 1e-15);
        assert!(Dynamics { chunk: 0.0, ..d }.validate().is_err());
        assert!(Dynamics {
            alpha: f64::NAN,
            ..d
        }
        .validate()
        .is_err());
        assert!(Dynamics { entry: 1.5, ..d }.validate().is_err());
    }
}

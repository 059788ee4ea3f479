//! Simulations from a starting state you give: the building block under [`crate::Study`],
//! usable on its own (validity tests, benchmarks, other crates).

use chrono::NaiveDate;

use crate::engine::State;
use crate::random::Rng;
use crate::scenario::Scenario;
use crate::series::Snapshot;
use crate::setup::Setup;
use crate::{Dynamics, Ensemble, Metric, Result, RunOptions};

/// What [`Simulation::path`] calls after every day: day, shares of every entity slot so far,
/// the remainder's share, the cap in force.
pub type Visit<'a> = dyn FnMut(u32, &[f64], f64, Option<f64>) + 'a;

/// A starting state (and optionally a scenario) to simulate from.
///
/// ```
/// use chrono::NaiveDate;
/// use powermap_simulate::{Dynamics, RunOptions, Simulation};
///
/// let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
/// let sim = Simulation::new(&[("a", 0.5), ("b", 0.3), ("c", 0.2)], 0.0, None, start).unwrap();
/// let d = Dynamics { alpha: 1.0, moves_per_day: 5.0, inflows_per_day: 0.0, chunk: 1e-3, entry: 0.0 };
/// let ens = sim.ensemble(&[d], vec![0, 30, 60], &RunOptions { runs: 20, seed: 1, threads: 1 });
/// assert_eq!(ens.sorted(0, 0), vec![1.0; 20]); // NC at 1/3 is 1 at the start: a holds 50 %
/// ```
#[derive(Debug, Clone)]
pub struct Simulation {
    setup: Setup,
    start: NaiveDate,
}

impl Simulation {
    /// Entities with their weights (any unit), a dispersed remainder, and an optional
    /// `(scenario, yield elasticity)` whose rules may name the entities.
    pub fn new(
        weights: &[(&str, f64)],
        remainder: f64,
        scenario: Option<(&Scenario, f64)>,
        start: NaiveDate,
    ) -> Result<Simulation> {
        let names: Vec<String> = weights.iter().map(|w| w.0.to_string()).collect();
        let snap = Snapshot {
            date: start,
            weights: weights.iter().map(|w| w.1).collect(),
            remainder,
        };
        if !(snap.total() > 0.0
            && snap
                .weights
                .iter()
                .chain([&remainder])
                .all(|w| w.is_finite() && *w >= 0.0))
        {
            return Err(crate::SimulateError::Option {
                name: "weights",
                message: "need finite weights ≥ 0 with a positive total".into(),
            });
        }
        let setup = Setup::new(
            &snap,
            &names,
            &[],
            scenario.map(|(s, beta)| (s, beta, "scenario")),
            start,
            None,
        )?;
        Ok(Simulation { setup, start })
    }

    /// `opts.runs` paths recording the standard metrics on `days` (offsets from the start,
    /// sorted; 0 = the starting state), each with parameters drawn from `posterior`.
    pub fn ensemble(&self, posterior: &[Dynamics], days: Vec<u32>, opts: &RunOptions) -> Ensemble {
        Ensemble::simulate(
            &self.setup,
            posterior,
            self.start,
            days,
            Metric::standard(),
            opts,
            3,
            &|_| {},
        )
    }

    /// One path of `days` days under `d` (run `run` of `seed`); after every day `visit`
    /// gets the day, the shares of every entity slot so far, the remainder's share, and the
    /// cap in force (if any).
    pub fn path(&self, d: Dynamics, days: u32, seed: u64, run: u64, visit: &mut Visit<'_>) {
        let mut rng = Rng::for_run(seed, 4, run);
        let mut st = State::new(&self.setup, d, days);
        let mut since = 0;
        for day in 1..=days {
            st.step(day, &mut rng);
            since += 1;
            if since >= 28 {
                st.refresh(since, &mut rng);
                since = 0;
            }
            let (shares, rest) = st.shares();
            visit(day, &shares, rest, st.cap());
        }
    }
}

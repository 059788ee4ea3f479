//! What an adapter gives: a stream of observations, and the rows it skipped on purpose.

use std::cell::Cell;
use std::rc::Rc;

use powermap_model::Observation;

use crate::SourceError;

/// A stream of observations from one dataset file.
pub type Observations = Box<dyn Iterator<Item = Result<Observation, SourceError>>>;

/// Rows an adapter skipped on purpose (e.g. jailed validators), counted while it streams.
#[derive(Debug, Clone, Default)]
pub struct Skipped {
    count: Rc<Cell<u64>>,
    reason: &'static str,
}

impl Skipped {
    /// The number skipped so far.
    pub fn get(&self) -> u64 {
        self.count.get()
    }

    /// Why the adapter skips rows, e.g. `jailed or not bonded` (empty for adapters that never
    /// skip any).
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// Nothing skipped yet, for `reason`.
    pub(crate) fn new(reason: &'static str) -> Self {
        Skipped {
            count: Rc::default(),
            reason,
        }
    }

    pub(crate) fn add(&self, n: u64) {
        self.count.set(self.count.get() + n);
    }
}

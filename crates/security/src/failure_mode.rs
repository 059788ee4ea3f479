//! One failure mode: the share of one layer that breaks one property of a network, with its source.

use std::fmt;
use std::str::FromStr;

use powermap_model::{Boundary, Layer, Threshold};
use serde::Serialize;

/// What breaks when a threshold is crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// The chain stops making progress (no finality, censorship, halts).
    Liveness,
    /// The chain can be rewritten or made to accept what it should not (double spends,
    /// invalid finality, captured votes).
    Safety,
}

impl Property {
    /// Stable id: `liveness` or `safety`.
    pub fn id(self) -> &'static str {
        match self {
            Property::Liveness => "liveness",
            Property::Safety => "safety",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Property {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "liveness" => Ok(Property::Liveness),
            "safety" => Ok(Property::Safety),
            _ => Err(format!(
                "unknown property `{s}` (expected liveness or safety)"
            )),
        }
    }
}

/// A cited threshold: entities holding `threshold` of `layer` (under `boundary`) can break
/// `property` of `network` in the way `id` names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureMode {
    /// Network id as written in the file (one id per value; lists are expanded), or `*`.
    pub network: String,
    /// The layer whose shares the threshold applies to.
    pub layer: Layer,
    /// Stable snake_case id, e.g. `halt_finality`, `finalize_invalid`, `double_spend`.
    pub id: String,
    /// The share that must be reached, exact.
    pub threshold: Threshold,
    /// Whether reaching means `≥` or `>`, as the protocol rule implies.
    pub boundary: Boundary,
    /// What breaks.
    pub property: Property,
    /// Paper or specification URL.
    pub citation: String,
    /// One line: why this threshold and this boundary.
    pub why: String,
    /// What the measured distribution must represent for the model to apply, if anything.
    pub assumption: Option<String>,
    /// Where the entry was read from: `file:line`.
    pub origin: String,
}

impl FailureMode {
    /// The threshold with its boundary, e.g. `≥ 1/3` or `> 1/2`.
    pub fn rule(&self) -> String {
        let op = match self.boundary {
            Boundary::AtLeast => "≥",
            Boundary::Greater => ">",
        };
        format!("{op} {}", self.threshold)
    }

    /// Does `part` of `total` cross this failure mode's threshold (exact, see
    /// [`Threshold::reached`])?
    pub fn crossed_by(&self, part: f64, total: f64, integral: bool) -> bool {
        self.threshold.reached(part, total, integral, self.boundary)
    }
}

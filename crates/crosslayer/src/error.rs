//! Errors building a dependency model.

use thiserror::Error;

/// Why rows could not be turned into a [`DependencyModel`](crate::DependencyModel).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CrossLayerError {
    /// A unit id or organisation name is empty (use a row without dependency instead).
    #[error("empty {what} (unit `{unit}`)")]
    EmptyName {
        /// `unit id` or `organisation`.
        what: &'static str,
        /// The unit concerned (may be empty).
        unit: String,
    },
    /// A kind id that is not a word.
    #[error("bad kind `{0}` (expected operator, client, provider, country, relay or a word)")]
    BadKind(String),
    /// A weight that is negative, NaN or infinite.
    #[error("unit `{unit}`: weight must be finite and ≥ 0, got {weight}")]
    BadWeight {
        /// The unit.
        unit: String,
        /// The weight given.
        weight: f64,
    },
    /// Two rows of one unit give different weights.
    #[error("unit `{unit}`: rows disagree on its weight ({first} vs {second})")]
    InconsistentWeight {
        /// The unit.
        unit: String,
        /// Weight of its first row.
        first: f64,
        /// A later, different weight.
        second: f64,
    },
    /// A dependency fraction outside (0, 1].
    #[error("unit `{unit}`, {kind} `{org}`: fraction must lie in (0, 1], got {fraction}")]
    BadFraction {
        /// The unit.
        unit: String,
        /// Kind id of the dependency.
        kind: String,
        /// Organisation.
        org: String,
        /// The fraction given.
        fraction: f64,
    },
    /// The fractions of one unit within one kind add up to more than 1: parts within one kind
    /// are disjoint, so they cannot.
    #[error(
        "unit `{unit}`: {kind} fractions add up to {sum} > 1 (parts within one kind are disjoint)"
    )]
    KindOverfull {
        /// The unit.
        unit: String,
        /// Kind id.
        kind: String,
        /// Their sum.
        sum: f64,
    },
    /// One `(kind, organisation)` is mapped to two different owners.
    #[error("{kind} `{org}` has two owners: `{first}` and `{second}`")]
    ConflictingOwner {
        /// Kind id.
        kind: String,
        /// Organisation.
        org: String,
        /// Owner declared first.
        first: String,
        /// The other owner.
        second: String,
    },
}

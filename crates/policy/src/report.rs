//! What evaluation returns: per-constraint [`Outcome`]s with measurements and explanations.

use chrono::NaiveDate;
use powermap_model::Layer;
use serde::Serialize;

use crate::Severity;

/// The verdict on one constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Measured and within the limit.
    Pass,
    /// Measured and outside the limit, and the constraint is in effect.
    Violated,
    /// Outside the limit, but `effective_from` is after today: announced, not yet biting.
    Pending,
    /// Applies, but could not be measured (e.g. undefined metric, too little history, no
    /// forecaster); the explanation says why.
    NotEvaluated,
    /// No analysis matches the constraint's network and layer.
    NotApplicable,
}

impl Outcome {
    /// `pass`, `violated`, `pending`, `not_evaluated`, `not_applicable`.
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Violated => "violated",
            Outcome::Pending => "pending",
            Outcome::NotEvaluated => "not_evaluated",
            Outcome::NotApplicable => "not_applicable",
        }
    }
}

/// A window's first and last day (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WindowDates {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl std::fmt::Display for WindowDates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// An entity and its share (a fraction in [0, 1]) of one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityShare {
    /// Entity name.
    pub name: String,
    /// Share of the window's total weight.
    pub share: f64,
}

/// The comparison a drift constraint made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// The look-back period asked for.
    pub days: u32,
    /// The reference window: the one whose end is closest to `latest end − days`.
    pub reference_window: WindowDates,
    /// The subject's value there (a fraction for shares).
    pub reference_value: f64,
    /// Latest minus reference: percentage points for shares, metric units for metrics.
    pub change: f64,
    /// Who held the top share / the named share in the reference window.
    pub reference_entities: Vec<EntityShare>,
}

/// What was measured on one analysis (one network layer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    /// Network of the analysis.
    pub network: String,
    /// Layer of the analysis.
    pub layer: Layer,
    /// `pass`, `violated` or `not_evaluated` (dates are applied at the constraint level).
    pub status: Outcome,
    /// The window the value comes from (the latest, or the worst with `all_windows`).
    pub window: Option<WindowDates>,
    /// The measured value: a share as a fraction, a coalition size, or a metric value.
    pub value: Option<f64>,
    /// The entities involved: the decisive coalition, the offending entities, or the top.
    pub entities: Vec<EntityShare>,
    /// With `all_windows`: how many windows violate, out of how many.
    pub violating_windows: Option<(usize, usize)>,
    /// For `max_drift`: the reference window and the change.
    pub drift: Option<Drift>,
    /// One or two sentences a person can act on.
    pub explanation: String,
}

/// The result of one constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintResult {
    /// Constraint id.
    pub id: String,
    /// Kind id (`max_share`, …).
    pub kind: &'static str,
    /// The constraint's description.
    pub description: String,
    /// The limit in words.
    pub limit: String,
    /// `warn` or `fail`.
    pub severity: Severity,
    /// When it bites, if announced ahead.
    pub effective_from: Option<NaiveDate>,
    /// Line of the `[[constraint]]` header in the policy file.
    pub line: usize,
    /// The verdict.
    pub outcome: Outcome,
    /// Why, in words: the measured values, windows, entities and changes.
    pub explanation: String,
    /// One entry per analysis the constraint applies to.
    pub measurements: Vec<Measurement>,
}

impl ConstraintResult {
    /// Sort key, most severe first: failed, warning, pending, not evaluated, not
    /// applicable, passed.
    pub fn rank(&self) -> u8 {
        match (self.outcome, self.severity) {
            (Outcome::Violated, Severity::Fail) => 0,
            (Outcome::Violated, Severity::Warn) => 1,
            (Outcome::Pending, _) => 2,
            (Outcome::NotEvaluated, _) => 3,
            (Outcome::NotApplicable, _) => 4,
            (Outcome::Pass, _) => 5,
        }
    }
}

/// Counts per verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// Passed.
    pub passed: usize,
    /// Violated `fail` constraints (these make `check` exit 1).
    pub failed: usize,
    /// Violated `warn` constraints.
    pub warnings: usize,
    /// Violated but not yet in effect.
    pub pending: usize,
    /// Not measurable.
    pub not_evaluated: usize,
    /// No matching analysis.
    pub not_applicable: usize,
}

/// The results of a policy on a set of analyses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The policy's name (or its file when unnamed).
    pub policy: String,
    /// The policy file.
    pub file: String,
    /// The day effective dates were compared with.
    pub today: NaiveDate,
    /// Counts per verdict.
    pub tally: Tally,
    /// One result per constraint, in file order.
    pub results: Vec<ConstraintResult>,
}

impl Report {
    /// True when a `fail` constraint is violated (and in effect): `check` exits 1.
    pub fn failed(&self) -> bool {
        self.tally.failed > 0
    }

    /// Results, most severe first (stable within a rank: file order).
    pub fn by_severity(&self) -> Vec<&ConstraintResult> {
        let mut v: Vec<_> = self.results.iter().collect();
        v.sort_by_key(|r| r.rank());
        v
    }

    /// The result of the constraint with this id.
    pub fn get(&self, id: &str) -> Option<&ConstraintResult> {
        self.results.iter().find(|r| r.id == id)
    }
}

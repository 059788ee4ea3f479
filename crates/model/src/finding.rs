//! Findings: statements a person can act on.

use serde::Serialize;

/// How urgent a finding is; ordered most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A decisive threshold is crossed now.
    Critical,
    /// Something is moving toward a threshold, or changed recently.
    Warning,
    /// Context worth knowing.
    Info,
}

impl Severity {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding about one network layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// How urgent.
    pub severity: Severity,
    /// Stable kind id: `threshold`, `coalition`, `change_point`, `trend`, `forecast`, …
    pub kind: &'static str,
    /// Network and layer it is about, e.g. `bitcoin/consensus`.
    pub scope: String,
    /// The statement, with the numbers and the method behind them.
    pub message: String,
}

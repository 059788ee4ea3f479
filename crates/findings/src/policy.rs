//! Policy results as findings.

use powermap_model::{Finding, Severity as Level};
use powermap_policy::{Outcome, Report, Severity};

/// Violated constraints (`fail` → critical, `warn` → warning) and pending ones (info) of
/// `report`; passed, not-evaluated and not-applicable ones are left out.
pub fn findings(report: &Report) -> Vec<Finding> {
    report
        .results
        .iter()
        .filter_map(|r| {
            let severity = match (r.outcome, r.severity) {
                (Outcome::Violated, Severity::Fail) => Level::Critical,
                (Outcome::Violated, Severity::Warn) => Level::Warning,
                (Outcome::Pending, _) => Level::Info,
                _ => return None,
            };
            Some(Finding {
                severity,
                kind: "constraint",
                scope: format!("{}:{}", report.file, r.id),
                message: format!("{} ({}): {}", r.description, r.outcome.id(), r.explanation),
            })
        })
        .collect()
}

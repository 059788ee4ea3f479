//! Security results as findings: what `powermap analyze` and `powermap watch` list.

use powermap_model::{Analysis, Finding, Severity};

use crate::SecurityModels;

impl SecurityModels {
    /// Single points of failure (critical when they break safety, else warnings) and the
    /// decisive coalition of every failure mode (information) in the latest window of `a`.
    pub fn findings(&self, a: &Analysis) -> Vec<Finding> {
        let scope = format!("{}/{}", a.network, a.layer);
        let mut out: Vec<Finding> = self
            .single_points_of_failure(a)
            .into_iter()
            .map(|spof| {
                let modes: Vec<String> = spof
                    .crossed
                    .iter()
                    .map(|c| format!("{} ({}, {})", c.failure_mode, c.property, c.threshold))
                    .collect();
                Finding {
                    severity: if spof.breaks_safety() {
                        Severity::Critical
                    } else {
                        Severity::Warning
                    },
                    kind: "single_point_of_failure",
                    scope: scope.clone(),
                    message: format!(
                        "{} alone ({:.1} %) crosses {}",
                        spof.entity,
                        spof.share * 100.0,
                        modes.join(", ")
                    ),
                }
            })
            .collect();
        out.extend(self.decisive_coalitions(a).into_iter().map(|c| Finding {
            severity: Severity::Info,
            kind: "failure_mode",
            scope: scope.clone(),
            message: c.statement(),
        }));
        out
    }
}

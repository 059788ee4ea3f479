//! What the security models say about one distribution: the decisive coalition of every
//! failure mode and the single points of failure, and how they read as findings.

use powermap_model::{Distribution, Finding, Layer, Severity, Window};
use powermap_security::{CoalitionResult, SecurityModels, Spof};

/// The security reading of one distribution of one network layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The decisive coalition of every failure mode that applies, in model order.
    pub coalitions: Vec<CoalitionResult>,
    /// Every entity that crosses a failure mode's threshold alone, heaviest first.
    pub spofs: Vec<Spof>,
}

impl Assessment {
    /// Assesses `d` under the failure modes `models` has for `network` and `layer`
    /// (`window`, when given, is recorded with each result).
    pub fn of(
        models: &SecurityModels,
        network: &str,
        layer: Layer,
        d: &Distribution,
        window: Option<&Window>,
    ) -> Assessment {
        Assessment {
            coalitions: models.coalitions(network, layer, d, window),
            spofs: models.spofs(network, layer, d, window),
        }
    }

    /// Single points of failure (critical when they break safety, else warnings), then the
    /// decisive coalition of every failure mode (information), about `scope`.
    pub fn findings(&self, scope: &str) -> Vec<Finding> {
        let spofs = self.spofs.iter().map(|spof| {
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
                scope: scope.to_string(),
                message: format!(
                    "{} alone ({:.1} %) crosses {}",
                    spof.entity,
                    spof.share * 100.0,
                    modes.join(", ")
                ),
            }
        });
        let coalitions = self.coalitions.iter().map(|c| Finding {
            severity: Severity::Info,
            kind: "failure_mode",
            scope: scope.to_string(),
            message: c.statement(),
        });
        spofs.chain(coalitions).collect()
    }
}

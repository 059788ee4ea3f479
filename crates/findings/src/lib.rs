//! The findings stage: the one place where statements a person can act on are made from
//! analyses.
//!
//! ```text
//!  Analysis (per network layer) ──┬─ powermap-stats ─────▶ thresholds, intervals, change points, movers, forecasts
//!  registry/security-models.toml ─┼─ Assessment ─────────▶ single points of failure, decisive coalitions
//!  policy.toml (optional) ────────┴─ powermap-policy ────▶ violated / pending constraints
//!                                                          └──▶ Findings (most severe first)
//! ```
//!
//! A [`Stage`] holds the rules findings are judged by (security models, an optional policy);
//! [`Stage::run`] turns analyses into [`Findings`]. `powermap analyze`, `powermap check`,
//! `powermap report` (through [`Stage::assess`]) and the watch service all use it, so a rule
//! added here reaches every output at once, and so does per-analysis context a finding must
//! carry (what the weight measures, when the data ends, how much of the network it covers).
//!
//! ```
//! use chrono::NaiveDate;
//! use powermap_findings::Stage;
//! use powermap_model::{Analysis, Distribution, Layer, Provenance, Severity, Window, WindowResult};
//!
//! let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! let analysis = Analysis {
//!     network: "bitcoin".into(),
//!     layer: Layer::Consensus,
//!     clustering: true,
//!     metrics: vec![],
//!     windows: vec![WindowResult {
//!         window: Window::days(day("2026-01-01"), day("2026-01-30")),
//!         distribution: Distribution::from_weights([("A", 60.0), ("B", 40.0)]).unwrap(),
//!         values: vec![],
//!     }],
//!     provenance: Provenance::default(),
//! };
//! let found = Stage::builtin().run(&[analysis], day("2026-02-01"));
//! // A alone holds 60 %: a threshold crossed (statistics) and a single point of failure.
//! assert_eq!(found.findings[0].severity, Severity::Critical);
//! assert!(found
//!     .findings
//!     .iter()
//!     .any(|f| f.kind == "single_point_of_failure" && f.message.starts_with("A alone")));
//! ```

mod assessment;
mod error;
mod policy;

use std::path::Path;

use chrono::NaiveDate;
use powermap_model::{Analysis, Distribution, Finding, Layer, Window};
use powermap_policy::{Policy, Report, TheilSenForecaster};
use powermap_security::{SecurityModels, DEFAULT_ORIGIN};

pub use assessment::Assessment;
pub use error::FindingsError;

/// The rules findings are judged by: security models (with where they come from) and an
/// optional policy.
#[derive(Debug, Clone)]
pub struct Stage {
    models: SecurityModels,
    models_origin: String,
    policy: Option<Policy>,
}

/// What the stage found.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Every finding, most severe first (in stage order within a severity: statistics,
    /// then security, then constraints).
    pub findings: Vec<Finding>,
    /// The policy's results, when the stage has a policy.
    pub policy: Option<Report>,
}

impl Stage {
    /// The built-in security models and no policy.
    pub fn builtin() -> Stage {
        Stage {
            models: SecurityModels::builtin(),
            models_origin: format!("{DEFAULT_ORIGIN} (built in)"),
            policy: None,
        }
    }

    /// The built-in security models with the file at `models` laid over them (see
    /// [`SecurityModels::load`]), and the policy at `policy`.
    pub fn load(models: Option<&Path>, policy: Option<&Path>) -> Result<Stage, FindingsError> {
        let mut stage = Stage::builtin();
        if let Some(path) = models {
            stage.models = SecurityModels::load(path)?;
            stage.models_origin = format!("{} laid over {DEFAULT_ORIGIN}", path.display());
        }
        stage.policy = policy.map(Policy::load).transpose()?;
        Ok(stage)
    }

    /// This stage with `policy` evaluated too.
    pub fn with_policy(mut self, policy: Policy) -> Stage {
        self.policy = Some(policy);
        self
    }

    /// The security models.
    pub fn models(&self) -> &SecurityModels {
        &self.models
    }

    /// Where the security models come from, e.g. `registry/security-models.toml (built in)`.
    pub fn models_origin(&self) -> &str {
        &self.models_origin
    }

    /// The policy, if any.
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// The security reading of one distribution, under the models of `network` (which may
    /// differ from the network the data names, as in a report layer).
    pub fn assess(
        &self,
        network: &str,
        layer: Layer,
        d: &Distribution,
        window: Option<&Window>,
    ) -> Assessment {
        Assessment::of(&self.models, network, layer, d, window)
    }

    /// Single points of failure and decisive coalitions in the latest window of `a`.
    fn security_findings(&self, a: &Analysis) -> Vec<Finding> {
        match a.windows.last() {
            Some(w) => self
                .assess(&a.network, a.layer, &w.distribution, Some(&w.window))
                .findings(&format!("{}/{}", a.network, a.layer)),
            None => Vec::new(),
        }
    }

    /// Every finding about `analyses`, most severe first; with a policy, its results too,
    /// evaluated on `today` with the Theil–Sen forecaster (docs/vigilance.md).
    pub fn run(&self, analyses: &[Analysis], today: NaiveDate) -> Findings {
        // Statistics of every analysis first, then security: the order `analyze` has always
        // listed them in within a severity.
        let mut findings: Vec<Finding> =
            analyses.iter().flat_map(powermap_stats::findings).collect();
        for a in analyses {
            findings.extend(self.security_findings(a));
        }
        let policy = self
            .policy
            .as_ref()
            .map(|p| powermap_policy::evaluate_with(p, analyses, today, Some(&TheilSenForecaster)));
        if let Some(report) = &policy {
            findings.extend(policy::findings(report));
        }
        findings.sort_by_key(|f| f.severity);
        Findings { findings, policy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_model::{Provenance, Severity, WindowResult};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn analysis(network: &str, weights: &[(&str, f64)]) -> Analysis {
        Analysis {
            network: network.into(),
            layer: Layer::Consensus,
            clustering: true,
            metrics: vec![],
            windows: vec![WindowResult {
                window: Window::days(day("2026-01-01"), day("2026-01-30")),
                distribution: Distribution::from_weights(weights.iter().copied()).unwrap(),
                values: vec![],
            }],
            provenance: Provenance::default(),
        }
    }

    const POLICY: &str = r#"
[[constraint]]
id = "no-majority"
kind = "max_share"
severity = "fail"
max = "1/2"
"#;

    /// Within a severity: statistics of every analysis, then security per analysis, then
    /// constraints; across severities, most severe first.
    #[test]
    fn order_is_severity_then_stage() {
        let policy = Policy::parse(POLICY, "policy.toml").unwrap();
        let stage = Stage::builtin().with_policy(policy);
        let analyses = [
            analysis("bitcoin", &[("A", 60.0), ("B", 40.0)]),
            analysis("ethereum", &[("C", 70.0), ("D", 30.0)]),
        ];
        let found = stage.run(&analyses, day("2026-02-01"));
        let kinds: Vec<(Severity, &str, &str)> = found
            .findings
            .iter()
            .map(|f| (f.severity, f.kind, f.scope.as_str()))
            .collect();
        let critical: Vec<_> = kinds.iter().filter(|k| k.0 == Severity::Critical).collect();
        let spof = critical
            .iter()
            .position(|k| k.1 == "single_point_of_failure");
        let constraint = critical.iter().position(|k| k.1 == "constraint");
        assert!(spof.is_some() && constraint.is_some(), "{kinds:?}");
        assert!(spof < constraint, "{kinds:?}");
        assert_eq!(critical.last().unwrap().2, "policy.toml:no-majority");
        assert!(kinds.windows(2).all(|w| w[0].0 <= w[1].0), "{kinds:?}");
        let report = found.policy.unwrap();
        assert!(report.failed());
    }

    #[test]
    fn an_analysis_without_windows_has_no_security_findings() {
        let mut a = analysis("bitcoin", &[("A", 1.0)]);
        a.windows.clear();
        assert!(Stage::builtin()
            .run(&[a], day("2026-02-01"))
            .findings
            .is_empty());
    }

    /// Loading names the file and keeps the cause; the origin says what was laid over what.
    #[test]
    fn load_reports_bad_files_and_the_models_origin() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("models.toml");
        std::fs::write(&bad, "[[model]]\nnetwork = 3\n").unwrap();
        let err = Stage::load(Some(&bad), None).unwrap_err();
        assert!(matches!(err, FindingsError::Security(_)));
        assert!(err.to_string().contains("models.toml"), "{err}");
        let missing = dir.path().join("policy.toml");
        let err = Stage::load(None, Some(&missing)).unwrap_err();
        assert!(matches!(err, FindingsError::Policy(_)));

        let good = dir.path().join("empty.toml");
        std::fs::write(&good, "").unwrap();
        let stage = Stage::load(Some(&good), None).unwrap();
        assert!(stage
            .models_origin()
            .ends_with("laid over registry/security-models.toml"));
        assert_eq!(
            Stage::builtin().models_origin(),
            "registry/security-models.toml (built in)"
        );
        assert!(stage.policy().is_none());
    }
}

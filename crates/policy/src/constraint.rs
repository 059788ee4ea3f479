//! The validated policy: analysis defaults and constraints, as the evaluator sees them.

use chrono::NaiveDate;
use powermap_metrics::Metric;
use powermap_model::{Boundary, Layer, Threshold};
use powermap_windows::{Alignment, WindowSpec};
use serde::Serialize;

/// A loaded, validated policy (see `docs/policy.md` for the file format).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The file it was read from, as given (used in messages).
    pub file: String,
    /// `[policy] name`, if set.
    pub name: Option<String>,
    /// `[policy] description`, if set.
    pub description: Option<String>,
    /// `[analysis]`: how `powermap check` builds the analyses when flags do not say.
    pub analysis: AnalysisDefaults,
    /// The constraints, in file order; ids are unique.
    pub constraints: Vec<Constraint>,
}

/// The `[analysis]` table: defaults for the windows the constraints are checked on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalysisDefaults {
    /// `window = "30d"`: window spec, as `powermap analyze --window` takes it.
    pub window: Option<WindowSpec>,
    /// `align = "end"`: anchor day windows at the start or the end of the data.
    pub align: Option<Alignment>,
    /// `clustering = true`: roll pools up to their owners.
    pub clustering: Option<bool>,
    /// `unattributed = "unknown"`: `separate`, `unknown` or `exclude`.
    pub unattributed: Option<String>,
}

/// How bad a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Reported, but `powermap check` still exits 0.
    Warn,
    /// Makes `powermap check` exit 1.
    Fail,
}

impl Severity {
    /// `warn` or `fail`.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

/// One declared limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// Unique id within the policy (the JUnit test name, the JSON key).
    pub id: String,
    /// What the constraint protects, in words.
    pub description: String,
    /// `warn` or `fail`.
    pub severity: Severity,
    /// Only analyses of this network (all networks when `None`).
    pub network: Option<String>,
    /// Only analyses of this layer (all layers when `None`).
    pub layer: Option<Layer>,
    /// Before this day a violation is reported as `pending`, not as a failure.
    pub effective_from: Option<NaiveDate>,
    /// 1-based line of the `[[constraint]]` header in the policy file.
    pub line: usize,
    /// What is measured and the limit.
    pub kind: Kind,
}

/// What a constraint measures, with its limit.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// No entity (or the named entity) holds a share reaching `max` under `boundary`.
    MaxShare {
        /// The limit, exact.
        max: Threshold,
        /// `greater` (default): a share `> max` violates; `at_least`: `≥ max` violates.
        boundary: Boundary,
        /// Only this entity; the heaviest entity when `None`.
        entity: Option<String>,
        /// Check every window, not only the latest.
        all_windows: bool,
    },
    /// The decisive coalition at `threshold` has at least `min` members.
    MinCoalition {
        /// The share the coalition must reach, exact.
        threshold: Threshold,
        /// `at_least` (default, EDI's) or `greater`: how the coalition reaches the threshold.
        boundary: Boundary,
        /// The fewest members allowed.
        min: u64,
        /// Check every window, not only the latest.
        all_windows: bool,
    },
    /// A registered metric stays within `[min, max]` (inclusive).
    Metric {
        /// The metric, from the registry.
        metric: Metric,
        /// Lowest allowed value.
        min: Option<f64>,
        /// Highest allowed value.
        max: Option<f64>,
        /// Check every window, not only the latest.
        all_windows: bool,
    },
    /// The subject must not rise by more than `max_rise` within `days` days.
    MaxDrift {
        /// What is tracked.
        subject: Subject,
        /// Largest allowed rise: percentage points for shares, metric units for metrics.
        max_rise: f64,
        /// Look-back period in days.
        days: u32,
    },
    /// The subject must not be forecast to reach `threshold` within `within_days` days.
    ///
    /// Parsed and validated now; evaluated only when a [`Forecaster`](crate::Forecaster) is
    /// supplied (the trend estimator of the statistics crate). Without one the outcome is
    /// `not_evaluated`, never a guess.
    Forecast {
        /// What is forecast.
        subject: Subject,
        /// The share (or metric value, as a fraction) that must not be reached.
        threshold: Threshold,
        /// Horizon in days from the latest window.
        within_days: u32,
    },
}

impl Kind {
    /// The stable id used in the file's `kind` field: `max_share`, `min_coalition`, `metric`,
    /// `max_drift`, `forecast`.
    pub fn id(&self) -> &'static str {
        match self {
            Kind::MaxShare { .. } => "max_share",
            Kind::MinCoalition { .. } => "min_coalition",
            Kind::Metric { .. } => "metric",
            Kind::MaxDrift { .. } => "max_drift",
            Kind::Forecast { .. } => "forecast",
        }
    }

    /// The limit in words, e.g. `no entity > 1/3`, `NC at ≥ 1/2 ≥ 4`.
    pub fn limit(&self) -> String {
        match self {
            Kind::MaxShare {
                max,
                boundary,
                entity,
                all_windows,
            } => format!(
                "{} {} {max}{}",
                entity
                    .as_ref()
                    .map_or("no entity".to_string(), |e| format!("share of {e} not")),
                op(*boundary),
                if *all_windows { " in any window" } else { "" }
            ),
            Kind::MinCoalition {
                threshold,
                boundary,
                min,
                all_windows,
            } => format!(
                "decisive coalition at {} {threshold} has ≥ {min} entities{}",
                op(*boundary),
                if *all_windows { " in every window" } else { "" }
            ),
            Kind::Metric {
                metric,
                min,
                max,
                all_windows,
            } => {
                let range = match (min, max) {
                    (Some(lo), Some(hi)) => format!("{lo} ≤ {metric} ≤ {hi}"),
                    (Some(lo), None) => format!("{metric} ≥ {lo}"),
                    (None, Some(hi)) => format!("{metric} ≤ {hi}"),
                    (None, None) => format!("{metric} defined"),
                };
                format!(
                    "{range}{}",
                    if *all_windows { " in every window" } else { "" }
                )
            }
            Kind::MaxDrift {
                subject,
                max_rise,
                days,
            } => format!(
                "{subject} rises by at most {max_rise}{} within {days} days",
                subject.unit(*max_rise)
            ),
            Kind::Forecast {
                subject,
                threshold,
                within_days,
            } => format!("{subject} not forecast to reach {threshold} within {within_days} days"),
        }
    }
}

fn op(b: Boundary) -> &'static str {
    match b {
        Boundary::AtLeast => "≥",
        Boundary::Greater => ">",
    }
}

/// What a drift or forecast constraint tracks.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// The heaviest entity's share in each window (whoever it is).
    TopShare,
    /// The named entity's share.
    Entity(String),
    /// A metric's value.
    Metric(Metric),
}

impl Subject {
    /// The unit after an amount `x`: ` point(s)` for shares (percentage points), nothing
    /// for metrics (their own units).
    pub fn unit(&self, x: f64) -> &'static str {
        match self {
            Subject::Metric(_) => "",
            _ if x.abs() == 1.0 => " point",
            _ => " points",
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::TopShare => f.write_str("top share"),
            Subject::Entity(e) => write!(f, "share of {e}"),
            Subject::Metric(m) => write!(f, "{m}"),
        }
    }
}

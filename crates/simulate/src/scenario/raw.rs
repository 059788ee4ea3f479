//! The scenario file as written (every field optional), and the checks that turn it into
//! [`Rule`]s: required fields, ranges, fields that do not belong to a kind.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{GroupCap, Mechanism, Rule};
use crate::{Result, SimulateError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) network: String,
    pub(super) yield_elasticity: RawSourced,
    #[serde(default)]
    pub(super) scenario: Vec<RawScenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSourced {
    pub(super) value: f64,
    pub(super) source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) rule: Vec<RawRule>,
}

/// Every field any rule kind may have; [`RawRule::check`] keeps those of its kind.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    kind: String,
    source: Option<String>,
    from: Option<String>,
    max_share: Option<f64>,
    k: Option<f64>,
    knee: Option<f64>,
    exponent: Option<f64>,
    max_penalty_factor: Option<f64>,
    offline_fraction: Option<f64>,
    target_weight: Option<f64>,
    group: Option<String>,
    label: Option<String>,
    operators: Option<BTreeMap<String, f64>>,
    share: Option<f64>,
    caps: Option<Vec<GroupCap>>,
    migrate_per_day: Option<f64>,
    turnover_factor: Option<f64>,
    entities: Option<Vec<String>>,
    remove: Option<f64>,
}

impl RawRule {
    fn present(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut add = |name, set: bool| {
            if set {
                v.push(name)
            }
        };
        add("max_share", self.max_share.is_some());
        add("k", self.k.is_some());
        add("knee", self.knee.is_some());
        add("exponent", self.exponent.is_some());
        add("max_penalty_factor", self.max_penalty_factor.is_some());
        add("offline_fraction", self.offline_fraction.is_some());
        add("target_weight", self.target_weight.is_some());
        add("group", self.group.is_some());
        add("label", self.label.is_some());
        add("operators", self.operators.is_some());
        add("share", self.share.is_some());
        add("caps", self.caps.is_some());
        add("migrate_per_day", self.migrate_per_day.is_some());
        add("turnover_factor", self.turnover_factor.is_some());
        add("entities", self.entities.is_some());
        add("remove", self.remove.is_some());
        v
    }

    pub(super) fn check(self, file: &str, scenario: &str, rule: usize) -> Result<Rule> {
        let err = |field: &str, message: String| SimulateError::Rule {
            at: format!(
                "{file}: scenario `{}`, rule {} (`{}`)",
                scenario, rule, self.kind
            ),
            field: field.to_string(),
            message,
        };
        let allowed: &[&str] = match self.kind.as_str() {
            "stake_cap" => &["max_share"],
            "saturation" => &["k"],
            "reward_curve" => &["knee", "exponent"],
            "anti_correlation" => &[
                "max_penalty_factor",
                "offline_fraction",
                "target_weight",
                "group",
                "operators",
            ],
            "delegation_program" => &["share", "caps", "migrate_per_day"],
            "exit_friction" => &["turnover_factor"],
            "shock" => &["entities", "group", "label", "remove"],
            other => {
                return Err(err(
                    "kind",
                    format!("unknown kind `{other}` (expected stake_cap, saturation, reward_curve, anti_correlation, delegation_program, exit_friction or shock)"),
                ))
            }
        };
        if let Some(extra) = self.present().into_iter().find(|f| !allowed.contains(f)) {
            return Err(err(extra, format!("does not apply to `{}`", self.kind)));
        }
        let source = match &self.source {
            Some(s) if !s.trim().is_empty() => s.clone(),
            _ => return Err(err("source", "every rule needs a source".into())),
        };
        let from = match &self.from {
            None => None,
            Some(s) => Some(
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| err("from", format!("`{s}` is not a date YYYY-MM-DD")))?,
            ),
        };
        let need = |field: &str, v: Option<f64>, lo: f64, hi: f64, lo_open: bool| -> Result<f64> {
            let x = v.ok_or_else(|| err(field, "is required".into()))?;
            let ok = x.is_finite() && x <= hi && if lo_open { x > lo } else { x >= lo };
            if !ok {
                let open = if lo_open { "(" } else { "[" };
                return Err(err(field, format!("{x} is outside {open}{lo}, {hi}]")));
            }
            Ok(x)
        };
        let mechanism = match self.kind.as_str() {
            "stake_cap" => Mechanism::StakeCap {
                max_share: need("max_share", self.max_share, 0.0, 1.0, true)?,
            },
            "saturation" => {
                let k = need("k", self.k, 1.0, 1e6, false)?;
                if k.fract() != 0.0 {
                    return Err(err("k", format!("{k} is not a whole number of pools")));
                }
                Mechanism::RewardCurve {
                    knee: 1.0 / k,
                    exponent: 1.0,
                }
            }
            "reward_curve" => Mechanism::RewardCurve {
                knee: need("knee", self.knee, 0.0, 1.0, true)?,
                exponent: need("exponent", self.exponent, 0.0, 100.0, false)?,
            },
            "anti_correlation" => {
                let operators = self.operators.clone().unwrap_or_default();
                if let Some((name, n)) = operators
                    .iter()
                    .find(|(_, n)| !(n.is_finite() && **n >= 1.0))
                {
                    return Err(err(
                        "operators",
                        format!("`{name}` = {n}: an operator count must be ≥ 1"),
                    ));
                }
                Mechanism::AntiCorrelation {
                    max_penalty_factor: need(
                        "max_penalty_factor",
                        self.max_penalty_factor,
                        1.0,
                        1e6,
                        false,
                    )?,
                    offline_fraction: need(
                        "offline_fraction",
                        self.offline_fraction,
                        0.0,
                        1.0,
                        false,
                    )?,
                    target_weight: need("target_weight", self.target_weight, 0.0, 1.0, true)?,
                    group: self.group.clone(),
                    operators,
                }
            }
            "delegation_program" => {
                let caps = self.caps.clone().unwrap_or_default();
                if let Some(c) = caps
                    .iter()
                    .find(|c| !(c.max_share > 0.0 && c.max_share <= 1.0))
                {
                    return Err(err(
                        "caps",
                        format!(
                            "cap of `{}`: max_share {} is outside (0, 1]",
                            c.group, c.max_share
                        ),
                    ));
                }
                Mechanism::DelegationProgram {
                    share: need("share", self.share, 0.0, 1.0, false)?,
                    caps,
                    migrate_per_day: need(
                        "migrate_per_day",
                        self.migrate_per_day.or(Some(0.0)),
                        0.0,
                        1.0,
                        false,
                    )?,
                }
            }
            "exit_friction" => Mechanism::ExitFriction {
                turnover_factor: need("turnover_factor", self.turnover_factor, 0.0, 100.0, true)?,
            },
            _ => {
                if from.is_none() {
                    return Err(err("from", "a shock needs the day it happens".into()));
                }
                let entities = self.entities.clone().unwrap_or_default();
                let group = match (&self.group, &self.label) {
                    (Some(g), Some(l)) => Some((g.clone(), l.clone())),
                    (None, None) => None,
                    _ => return Err(err("group", "`group` and `label` go together".into())),
                };
                if entities.is_empty() && group.is_none() {
                    return Err(err(
                        "entities",
                        "name the entities hit, or a group and label".into(),
                    ));
                }
                Mechanism::Shock {
                    entities,
                    group,
                    remove: need("remove", self.remove, 0.0, 1.0, true)?,
                }
            }
        };
        Ok(Rule {
            mechanism,
            from,
            source,
        })
    }
}

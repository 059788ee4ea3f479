//! What every run of one (starting state, scenario) shares: the starting shares, the groups,
//! and the scenario's rules compiled to actions on entity slots.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::scenario::{Mechanism, Scenario};
use crate::series::Snapshot;
use crate::{Grouping, Result, SimulateError};

/// "No group" marker in per-slot group indices.
pub(crate) const NONE: u32 = u32::MAX;

/// A grouping resolved to indices.
#[derive(Debug, Clone)]
pub(crate) struct GroupSetup {
    /// The kind (`asn`, `data_center`).
    pub kind: String,
    /// Group index per starting entity ([`NONE`] when unknown).
    pub of: Vec<u32>,
    /// Label per group index.
    pub labels: Vec<String>,
}

/// A scenario rule on slots.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Cap(f64),
    Curve {
        knee: f64,
        exponent: f64,
    },
    AntiCorrelation {
        slope: f64,
        max: f64,
        scale: f64,
        group: Option<usize>,
        operators: Vec<(u32, f64)>,
    },
    Program {
        share: f64,
        caps: Vec<(usize, f64, bool)>,
        migrate: f64,
    },
    Friction(f64),
    Shock {
        slots: Vec<u32>,
        group: Option<(usize, u32)>,
        remove: f64,
    },
}

/// The shared part of a set of runs.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Starting shares of the named entities (with `rest`, they add up to 1).
    pub initial: Vec<f64>,
    /// Starting share of the dispersed remainder.
    pub rest: f64,
    /// Groupings of the starting entities.
    pub groups: Vec<GroupSetup>,
    /// `(first day, action)`, ordered by day (day 1 = the first simulated day).
    pub rules: Vec<(u32, Action)>,
    /// Elasticity β of destinations to relative yield.
    pub elasticity: f64,
    /// Blocks per window when snapshots are samples (block counts), else `None`.
    pub sample: Option<f64>,
}

impl Setup {
    /// The starting state of `snapshot` (entities named by `names`, grouped by `groupings`)
    /// under `scenario`, simulated from `start`.
    pub(crate) fn new(
        snapshot: &Snapshot,
        names: &[String],
        groupings: &[Grouping],
        scenario: Option<(&Scenario, f64, &str)>,
        start: NaiveDate,
        sample: Option<f64>,
    ) -> Result<Setup> {
        let total = snapshot.total();
        // Keep entities with weight; remember each one's position in the series.
        let kept: Vec<usize> = (0..snapshot.weights.len())
            .filter(|&i| snapshot.weights[i] > 0.0)
            .collect();
        let initial: Vec<f64> = kept.iter().map(|&i| snapshot.weights[i] / total).collect();
        let mut groups = Vec::new();
        for g in groupings {
            let mut index: HashMap<&str, u32> = HashMap::new();
            let mut labels = Vec::new();
            let of = kept
                .iter()
                .map(|&i| match g.labels.get(i).map(String::as_str) {
                    None | Some("") => NONE,
                    Some(l) => *index.entry(l).or_insert_with(|| {
                        labels.push(l.to_string());
                        labels.len() as u32 - 1
                    }),
                })
                .collect();
            groups.push(GroupSetup {
                kind: g.kind.clone(),
                of,
                labels,
            });
        }
        let mut setup = Setup {
            initial,
            rest: snapshot.remainder / total,
            groups,
            rules: Vec::new(),
            elasticity: 0.0,
            sample,
        };
        if let Some((scenario, elasticity, file)) = scenario {
            setup.elasticity = elasticity;
            let slot_of: HashMap<&str, u32> = kept
                .iter()
                .enumerate()
                .map(|(slot, &i)| (names[i].as_str(), slot as u32))
                .collect();
            for (n, rule) in scenario.rules.iter().enumerate() {
                let err = |field: &str, message: String| SimulateError::Rule {
                    at: format!(
                        "{file}: scenario `{}`, rule {} (`{}`)",
                        scenario.id,
                        n + 1,
                        rule.mechanism.kind()
                    ),
                    field: field.to_string(),
                    message,
                };
                let action = setup.compile(&rule.mechanism, &slot_of, &err)?;
                let day = rule.from.map_or(1, |d| {
                    (d - start).num_days().clamp(1, u32::MAX as i64) as u32
                });
                setup.rules.push((day, action));
            }
            setup.rules.sort_by_key(|r| r.0);
        }
        Ok(setup)
    }

    fn group_index(
        &self,
        kind: &str,
        err: &dyn Fn(&str, String) -> SimulateError,
    ) -> Result<usize> {
        self.groups
            .iter()
            .position(|g| g.kind == kind)
            .ok_or_else(|| {
                let have: Vec<&str> = self.groups.iter().map(|g| g.kind.as_str()).collect();
                err(
                    "group",
                    format!(
                        "this series has no grouping `{kind}` (it has: {})",
                        if have.is_empty() {
                            "none".into()
                        } else {
                            have.join(", ")
                        }
                    ),
                )
            })
    }

    fn compile(
        &self,
        m: &Mechanism,
        slot_of: &HashMap<&str, u32>,
        err: &dyn Fn(&str, String) -> SimulateError,
    ) -> Result<Action> {
        let slot = |field: &str, name: &str| {
            slot_of.get(name).copied().ok_or_else(|| {
                let mut close: Vec<&str> = slot_of
                    .keys()
                    .copied()
                    .filter(|k| {
                        k.to_lowercase().contains(&name.to_lowercase())
                            || name.to_lowercase().contains(&k.to_lowercase())
                    })
                    .collect();
                close.sort();
                close.truncate(5);
                err(
                    field,
                    format!(
                        "no entity `{name}` holds weight at the start{}",
                        if close.is_empty() {
                            String::new()
                        } else {
                            format!(" (similar: {})", close.join(", "))
                        }
                    ),
                )
            })
        };
        Ok(match m {
            Mechanism::StakeCap { max_share } => Action::Cap(*max_share),
            Mechanism::RewardCurve { knee, exponent } => Action::Curve {
                knee: *knee,
                exponent: *exponent,
            },
            Mechanism::AntiCorrelation {
                max_penalty_factor,
                offline_fraction,
                target_weight,
                group,
                operators,
            } => Action::AntiCorrelation {
                slope: 3.0 * (max_penalty_factor - 1.0),
                max: *max_penalty_factor,
                scale: offline_fraction * target_weight,
                group: group
                    .as_deref()
                    .map(|g| self.group_index(g, err))
                    .transpose()?,
                operators: operators
                    .iter()
                    .map(|(name, n)| Ok((slot("operators", name)?, *n)))
                    .collect::<Result<_>>()?,
            },
            Mechanism::DelegationProgram {
                share,
                caps,
                migrate_per_day,
            } => Action::Program {
                share: *share,
                caps: caps
                    .iter()
                    .map(|c| Ok((self.group_index(&c.group, err)?, c.max_share, c.strict)))
                    .collect::<Result<_>>()?,
                migrate: *migrate_per_day,
            },
            Mechanism::ExitFriction { turnover_factor } => Action::Friction(*turnover_factor),
            Mechanism::Shock {
                entities,
                group,
                remove,
            } => Action::Shock {
                slots: entities
                    .iter()
                    .map(|e| slot("entities", e))
                    .collect::<Result<_>>()?,
                group: match group {
                    None => None,
                    Some((kind, label)) => {
                        let k = self.group_index(kind, err)?;
                        let g = self.groups[k]
                            .labels
                            .iter()
                            .position(|l| l == label)
                            .ok_or_else(|| {
                                err(
                                    "label",
                                    format!("no entity is in {kind} `{label}` at the start"),
                                )
                            })?;
                        Some((k, g as u32))
                    }
                },
                remove: *remove,
            },
        })
    }
}

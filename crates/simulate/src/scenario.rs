//! Counter-mechanisms as data: a scenario file (`registry/simulate/<network>.toml`) lists
//! scenarios, each a set of rules with the source of every rule.
//!
//! ```toml
//! network = "ethereum"
//!
//! [yield_elasticity]
//! value = 10.0
//! source = "assumption (see docs/simulate.md)"
//!
//! [[scenario]]
//! id = "nobody-acts"          # required: the status quo
//! title = "If nobody acts"
//!
//! [[scenario]]
//! id = "cap-one-third"
//! title = "No entity above 1/3"
//! [[scenario.rule]]
//! kind = "stake_cap"
//! max_share = 0.33
//! from = "2026-01-01"         # optional: the rule starts on this day
//! source = "https://…"
//! ```
//!
//! Rule kinds: `stake_cap`, `saturation`, `reward_curve`, `anti_correlation`,
//! `delegation_program`, `exit_friction`, `shock` (fields in [`Mechanism`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Result, SimulateError};

/// The id every scenario file must have: the status quo, "if nobody acts".
pub const BASELINE: &str = "nobody-acts";

/// A per-group cap of a delegation program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupCap {
    /// The grouping kind (`asn`, `data_center`).
    pub group: String,
    /// The largest share of total stake a group may hold for its members to stay eligible.
    pub max_share: f64,
    /// `true`: eligible only below the cap (`<`); `false`: at or below (`≤`).
    #[serde(default)]
    pub strict: bool,
}

/// One counter-mechanism (or status-quo rule) and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mechanism {
    /// No entity may hold more than `max_share` of the total: it receives nothing at the cap,
    /// and its excess is re-delegated when the rule starts (or after a shock).
    StakeCap {
        /// The cap, in (0, 1].
        max_share: f64,
    },
    /// Per-unit yield falls as `(knee / s)^exponent` above share `knee` (Cardano's saturation
    /// is `knee = 1/k`, `exponent = 1`).
    RewardCurve {
        /// Share above which yield falls.
        knee: f64,
        /// How fast (1 = rewards capped at the knee).
        exponent: f64,
    },
    /// EIP-7716-style anti-correlation penalties: an entity whose correlated share `c` goes
    /// offline pays the target penalty times `F(c) = min(1 + 3(M − 1)c, M)`, so its yield
    /// falls by `offline_fraction × target_weight × (F(c) − 1)`.
    AntiCorrelation {
        /// `M`, the cap of the penalty factor.
        max_penalty_factor: f64,
        /// Fraction of the time an entity's failure domain is offline together.
        offline_fraction: f64,
        /// Share of an epoch's attestation yield that the timely-target penalty mirrors.
        target_weight: f64,
        /// When set, the correlated share is the entity's group share (co-hosted validators
        /// fail together); otherwise the entity's share divided by its operator count.
        group: Option<String>,
        /// Independent operators per entity (e.g. Lido's node operators); default 1.
        operators: BTreeMap<String, f64>,
    },
    /// A delegation program holding `share` of the stake, spread evenly over eligible
    /// entities; with caps, entities in groups above a cap lose eligibility, their program
    /// stake is withdrawn, and each migrates to an eligible group with `migrate_per_day`.
    DelegationProgram {
        /// The program's share of all stake, in [0, 1].
        share: f64,
        /// Per-group caps on eligibility.
        caps: Vec<GroupCap>,
        /// Daily probability that an ineligible entity moves to an eligible group.
        migrate_per_day: f64,
    },
    /// Moves per day are multiplied by `turnover_factor` (< 1: harder to leave).
    ExitFriction {
        /// Multiplier of the turnover, > 0.
        turnover_factor: f64,
    },
    /// On the rule's `from` day the named entities (or every member of a group) lose
    /// `remove` of their weight, which leaves the network.
    Shock {
        /// Entities hit.
        entities: Vec<String>,
        /// Or: a grouping kind and label, e.g. (`asn`, `16509`).
        group: Option<(String, String)>,
        /// Fraction of their weight removed, in (0, 1].
        remove: f64,
    },
}

impl Mechanism {
    /// The rule's kind id.
    pub fn kind(&self) -> &'static str {
        match self {
            Mechanism::StakeCap { .. } => "stake_cap",
            Mechanism::RewardCurve { .. } => "reward_curve",
            Mechanism::AntiCorrelation { .. } => "anti_correlation",
            Mechanism::DelegationProgram { .. } => "delegation_program",
            Mechanism::ExitFriction { .. } => "exit_friction",
            Mechanism::Shock { .. } => "shock",
        }
    }
}

/// One rule of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// What it does.
    pub mechanism: Mechanism,
    /// First day it applies (the start of the simulation when absent or earlier).
    pub from: Option<NaiveDate>,
    /// Where the rule and its numbers come from.
    pub source: String,
}

/// A named set of rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Stable id (`nobody-acts` is the status quo).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// A parsed scenario file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSet {
    /// The network the file is for.
    pub network: String,
    /// Elasticity β of delegation to relative yield (destination weight ∝ `y^β`).
    pub yield_elasticity: f64,
    /// Where β comes from.
    pub yield_elasticity_source: String,
    /// The scenarios, the status quo first.
    pub scenarios: Vec<Scenario>,
}

impl ScenarioSet {
    /// The status-quo scenario.
    pub fn baseline(&self) -> &Scenario {
        &self.scenarios[0]
    }

    /// Parses and checks a scenario file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<ScenarioSet> {
        let raw: RawFile = toml::from_str(text).map_err(|source| SimulateError::ScenarioToml {
            file: file.to_string(),
            source,
        })?;
        let set_err = |message: String| SimulateError::Scenario {
            file: file.to_string(),
            message,
        };
        let beta = raw.yield_elasticity;
        if !(beta.value.is_finite() && (0.0..=1000.0).contains(&beta.value)) {
            return Err(set_err(format!(
                "yield_elasticity.value {} is outside [0, 1000]",
                beta.value
            )));
        }
        let mut scenarios = Vec::new();
        for s in raw.scenario {
            if scenarios.iter().any(|x: &Scenario| x.id == s.id) {
                return Err(set_err(format!("scenario id `{}` is used twice", s.id)));
            }
            let rules = s
                .rule
                .into_iter()
                .enumerate()
                .map(|(i, r)| r.check(file, &s.id, i + 1))
                .collect::<Result<Vec<_>>>()?;
            scenarios.push(Scenario {
                id: s.id,
                title: s.title,
                description: s.description.unwrap_or_default(),
                rules,
            });
        }
        let Some(pos) = scenarios.iter().position(|s| s.id == BASELINE) else {
            return Err(set_err(format!(
                "no scenario with id `{BASELINE}` (the status quo every other scenario is compared with)"
            )));
        };
        let base = scenarios.remove(pos);
        scenarios.insert(0, base);
        Ok(ScenarioSet {
            network: raw.network,
            yield_elasticity: beta.value,
            yield_elasticity_source: beta.source,
            scenarios,
        })
    }

    /// The scenario file shipped for `network` (`registry/simulate/<file>.toml`), if any.
    pub fn builtin(network: &str) -> Option<Result<ScenarioSet>> {
        BUILTIN
            .iter()
            .find(|(n, _, _)| *n == network)
            .map(|(_, file, text)| ScenarioSet::parse(text, file))
    }
}

/// Shipped scenario files: (network, file, text). dYdX and Sei share the Cosmos file.
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "bitcoin",
        "registry/simulate/bitcoin.toml",
        include_str!("../../../registry/simulate/bitcoin.toml"),
    ),
    (
        "ethereum",
        "registry/simulate/ethereum.toml",
        include_str!("../../../registry/simulate/ethereum.toml"),
    ),
    (
        "solana",
        "registry/simulate/solana.toml",
        include_str!("../../../registry/simulate/solana.toml"),
    ),
    (
        "dydx",
        "registry/simulate/cosmos.toml",
        include_str!("../../../registry/simulate/cosmos.toml"),
    ),
    (
        "sei",
        "registry/simulate/cosmos.toml",
        include_str!("../../../registry/simulate/cosmos.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    network: String,
    yield_elasticity: RawSourced,
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourced {
    value: f64,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: String,
    title: String,
    description: Option<String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

/// Every field any rule kind may have; [`RawRule::check`] keeps those of its kind.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRule {
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

    fn check(self, file: &str, scenario: &str, rule: usize) -> Result<Rule> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "network = \"x\"\n[yield_elasticity]\nvalue = 10\nsource = \"assumption\"\n";

    #[test]
    fn every_builtin_file_parses() {
        for (network, file, text) in BUILTIN {
            let set = ScenarioSet::parse(text, file).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(set.baseline().id, BASELINE, "{network}");
            assert!(
                set.scenarios.len() >= 3,
                "{network}: compare at least two mechanisms"
            );
        }
    }

    #[test]
    fn parses_rules_and_puts_the_baseline_first() {
        let text = format!(
            "{HEAD}[[scenario]]\nid = \"k\"\ntitle = \"t\"\n[[scenario.rule]]\nkind = \"saturation\"\nk = 10\nfrom = \"2026-01-01\"\nsource = \"s\"\n[[scenario]]\nid = \"nobody-acts\"\ntitle = \"b\"\n"
        );
        let set = ScenarioSet::parse(&text, "f.toml").unwrap();
        assert_eq!(set.baseline().id, BASELINE);
        assert_eq!(
            set.scenarios[1].rules[0].mechanism,
            Mechanism::RewardCurve {
                knee: 0.1,
                exponent: 1.0
            }
        );
        assert_eq!(
            set.scenarios[1].rules[0].from,
            NaiveDate::from_ymd_opt(2026, 1, 1)
        );
    }

    #[test]
    fn errors_name_file_scenario_rule_and_field() {
        let case = |rule: &str| {
            let text = format!("{HEAD}[[scenario]]\nid = \"nobody-acts\"\ntitle = \"b\"\n[[scenario.rule]]\n{rule}\n");
            ScenarioSet::parse(&text, "f.toml").unwrap_err().to_string()
        };
        let e = case("kind = \"stake_cap\"\nmax_share = 1.5\nsource = \"s\"");
        assert!(
            e.contains("f.toml: scenario `nobody-acts`, rule 1 (`stake_cap`): field `max_share`"),
            "{e}"
        );
        let e = case("kind = \"stake_cap\"\nmax_share = 0.3");
        assert!(e.contains("field `source`"), "{e}");
        let e = case("kind = \"stake_cap\"\nk = 3\nmax_share = 0.3\nsource = \"s\"");
        assert!(e.contains("field `k`: does not apply"), "{e}");
        let e = case("kind = \"shock\"\nentities = [\"a\"]\nremove = 0.5\nsource = \"s\"");
        assert!(e.contains("field `from`"), "{e}");
        let e = case("kind = \"nope\"\nsource = \"s\"");
        assert!(e.contains("unknown kind"), "{e}");
        let e = ScenarioSet::parse(
            &format!("{HEAD}[[scenario]]\nid = \"a\"\ntitle = \"b\"\n"),
            "f.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no scenario with id `nobody-acts`"), "{e}");
        let e = ScenarioSet::parse("network = 3", "f.toml").unwrap_err();
        assert!(std::error::Error::source(&e).is_some());
    }
}

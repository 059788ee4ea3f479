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

use raw::RawFile;

mod raw;

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

//! What a report contains, as data: `registry/reports/<network>.toml` lists the layers (which
//! dataset, which adapter, which windows, which lever) and `registry/facts/<network>.toml` the
//! declared facts with their sources.

use std::path::{Path, PathBuf};

use powermap_attribution::Unattributed;
use powermap_model::Layer;
use powermap_windows::WindowSpec;
use serde::{Deserialize, Serialize};

use crate::ReportError;

/// The four levers that disperse power, plus the power they protect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    /// Who produces blocks and holds stake: what the levers protect.
    Power,
    /// Independent implementations of open standards, and their shares.
    OpenStandards,
    /// Decision circles and voting power.
    DistributedGovernance,
    /// Hostile interoperability / exit options: independent infrastructure and places.
    ExitOptions,
    /// Ability to fork or exit: client independence, exit windows.
    ForkOrExit,
}

impl Lever {
    /// Every lever in report order.
    pub const ALL: [Lever; 5] = [
        Lever::Power,
        Lever::OpenStandards,
        Lever::DistributedGovernance,
        Lever::ExitOptions,
        Lever::ForkOrExit,
    ];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Lever::Power => "power",
            Lever::OpenStandards => "open_standards",
            Lever::DistributedGovernance => "distributed_governance",
            Lever::ExitOptions => "exit_options",
            Lever::ForkOrExit => "fork_or_exit",
        }
    }

    /// Heading shown in reports.
    pub fn title(self) -> &'static str {
        match self {
            Lever::Power => "Block production and stake (what the levers protect)",
            Lever::OpenStandards => "Open standards: independent implementations",
            Lever::DistributedGovernance => "Distributed governance: decision circles and votes",
            Lever::ExitOptions => "Exit options: independent infrastructure and jurisdictions",
            Lever::ForkOrExit => "Ability to fork or exit: client independence, exit windows",
        }
    }
}

/// One layer of a report: which dataset, read how.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// Stable id within the report, e.g. `stake`.
    pub id: String,
    /// Heading, e.g. "Stake by staking entity (Rated)".
    pub title: String,
    /// Which lever this layer measures.
    pub lever: Lever,
    /// The layer of the observations.
    pub layer: Layer,
    /// `builtin:<dataset>` or a `powermap import` adapter id.
    pub source: String,
    /// The files the adapter reads, relative to the data root (default: the adapter's).
    #[serde(default)]
    pub files: Vec<String>,
    /// Keep only observations of this network (adapters can give several).
    #[serde(default)]
    pub network: Option<String>,
    /// The network whose security models apply (default: `network`, else the report's).
    #[serde(default)]
    pub models: Option<String>,
    /// Windows, as `analyze --window` takes them (default `1d`: one window per date).
    #[serde(default = "default_window")]
    pub window: String,
    /// The entity that stands for weight no source attributes (e.g. `unknown`, `unlabelled`).
    #[serde(default)]
    pub unattributed: Option<String>,
    /// Weight of one unattributed producer for the "each its own" bound (1 block, 1 validator).
    #[serde(default)]
    pub unit: Option<f64>,
    /// Which treatment of the unattributed entity the headline results use (the other two
    /// give the uncertainty range): `unknown` (one bucket, the default), `separate` (each
    /// unit its own entity) or `exclude` (also read: `one_bucket`, `each_its_own`,
    /// `excluded`).
    #[serde(default = "one_bucket")]
    pub headline: Unattributed,
    /// Why that treatment is the headline, shown with the layer.
    #[serde(default)]
    pub headline_why: Option<String>,
    /// What the weight is (e.g. "validators", "blocks"), shown with totals.
    pub weight: String,
    /// Caveats a reader must know, shown under the layer.
    #[serde(default)]
    pub note: Option<String>,
    /// Dataset id (a `[[dataset]]` entry) for the sources section.
    pub dataset: String,
}

fn one_bucket() -> Unattributed {
    Unattributed::Bucket
}

fn default_window() -> String {
    "1d".into()
}

impl LayerSpec {
    /// The window spec, checked.
    pub fn window_spec(&self) -> Result<WindowSpec, ReportError> {
        self.window.parse().map_err(|e| ReportError::Spec {
            file: format!("layer `{}`", self.id),
            message: format!("window `{}`: {e}", self.window),
        })
    }
}

/// A dataset the report draws on, with provenance and licence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    /// Id referenced by layers.
    pub id: String,
    /// Folder under `data/` (or `built-in`).
    pub path: String,
    /// Upstream origin (repository, commit).
    pub origin: String,
    /// Licence as stated upstream.
    pub licence: String,
}

/// How the cross-layer section joins layers on the same unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossLayerSpec {
    /// `solana_validators` (validator ↔ operator ↔ client ↔ ASN ↔ country) or
    /// `ethereum_entities` (staking entity ↔ consensus-client mix).
    pub join: String,
    /// The file of the join, relative to the data root.
    pub file: String,
    /// Network whose consensus security models give the thresholds.
    pub models: String,
}

/// `[governance]` in a report spec.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceSpec {
    /// A shipped rules file by name (`registry/governance/<name>.toml`).
    pub rules: String,
    /// Vote records (CSV), relative to the data root.
    pub votes: String,
}

/// A report's layers and datasets (`registry/reports/<network>.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Network id.
    pub network: String,
    /// Display name.
    pub title: String,
    /// One paragraph on what the report covers and what it cannot.
    pub scope: String,
    /// The layers, in report order.
    #[serde(rename = "layer", default)]
    pub layers: Vec<LayerSpec>,
    /// The datasets the layers draw on.
    #[serde(rename = "dataset")]
    pub datasets: Vec<DatasetSpec>,
    /// The cross-layer join, where the data allows one.
    #[serde(default)]
    pub crosslayer: Option<CrossLayerSpec>,
    /// The governance-capture analysis, for DAOs with vote records and a rules file.
    #[serde(default)]
    pub governance: Option<GovernanceSpec>,
}

/// A declared fact (not measured here) with its source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The lever it informs.
    pub lever: Lever,
    /// What is stated, e.g. "Independent consensus-client codebases".
    pub name: String,
    /// The value as stated.
    pub value: String,
    /// Where it is stated (URL or specification).
    pub source: String,
    /// When it was true (as stated by the source).
    pub as_of: String,
}

/// Declared facts of a network (`registry/facts/<network>.toml`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// The facts.
    #[serde(rename = "fact", default)]
    pub facts: Vec<Fact>,
}

/// The networks with a built-in report, with their spec and facts files.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "bitcoin",
        include_str!("../../../registry/reports/bitcoin.toml"),
        include_str!("../../../registry/facts/bitcoin.toml"),
    ),
    (
        "ethereum",
        include_str!("../../../registry/reports/ethereum.toml"),
        include_str!("../../../registry/facts/ethereum.toml"),
    ),
    (
        "solana",
        include_str!("../../../registry/reports/solana.toml"),
        include_str!("../../../registry/facts/solana.toml"),
    ),
    (
        "sui",
        include_str!("../../../registry/reports/sui.toml"),
        include_str!("../../../registry/facts/sui.toml"),
    ),
    (
        "uniswap",
        include_str!("../../../registry/reports/uniswap.toml"),
        include_str!("../../../registry/facts/uniswap.toml"),
    ),
];

/// The built-in report spec and facts of `network`.
pub fn builtin(network: &str) -> Result<(ReportSpec, Facts), ReportError> {
    let (id, spec, facts) = BUILTIN
        .iter()
        .find(|(id, _, _)| *id == network)
        .ok_or_else(|| ReportError::UnknownNetwork {
            network: network.to_string(),
            known: BUILTIN
                .iter()
                .map(|(id, _, _)| *id)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok((
        parse_spec(spec, &format!("registry/reports/{id}.toml"))?,
        parse_facts(facts, &format!("registry/facts/{id}.toml"))?,
    ))
}

/// Reads a report spec file.
pub fn load_spec(path: &Path) -> Result<ReportSpec, ReportError> {
    parse_spec(&read(path)?, &path.display().to_string())
}

/// Reads a facts file.
pub fn load_facts(path: &Path) -> Result<Facts, ReportError> {
    parse_facts(&read(path)?, &path.display().to_string())
}

fn read(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: PathBuf::from(path),
        source,
    })
}

/// Parses and checks a report spec (`file` names it in errors).
pub fn parse_spec(text: &str, file: &str) -> Result<ReportSpec, ReportError> {
    let spec: ReportSpec = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    for l in &spec.layers {
        l.window_spec().map_err(|e| match e {
            ReportError::Spec { message, .. } => ReportError::Spec {
                file: file.to_string(),
                message: format!("layer `{}`: {message}", l.id),
            },
            other => other,
        })?;
        if !spec.datasets.iter().any(|d| d.id == l.dataset) {
            return Err(ReportError::Spec {
                file: file.to_string(),
                message: format!(
                    "layer `{}` names dataset `{}`, which no [[dataset]] defines",
                    l.id, l.dataset
                ),
            });
        }
        if l.headline == Unattributed::Separate && (l.unit.is_none() || l.unattributed.is_none()) {
            return Err(ReportError::Spec {
                file: file.to_string(),
                message: format!(
                    "layer `{}`: headline = \"separate\" (each its own) needs `unattributed` and `unit`",
                    l.id
                ),
            });
        }
        if l.unit.is_some_and(|u| !(u.is_finite() && u > 0.0)) {
            return Err(ReportError::Spec {
                file: file.to_string(),
                message: format!("layer `{}`: unit must be a positive number", l.id),
            });
        }
    }
    Ok(spec)
}

/// Parses a facts file (`file` names it in errors).
pub fn parse_facts(text: &str, file: &str) -> Result<Facts, ReportError> {
    toml::from_str(text).map_err(|e| toml_error(file, text, &e))
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> ReportError {
    let at = e
        .span()
        .map(|s| {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            format!(":{line}")
        })
        .unwrap_or_default();
    ReportError::Spec {
        file: format!("{file}{at}"),
        message: e.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `headline` takes the shared treatment ids and, for older specs, the report's former
    /// names.
    #[test]
    fn headline_takes_treatment_ids_and_old_names() {
        let layer = |headline: &str| {
            format!(
                "id = \"x\"\ntitle = \"x\"\nlever = \"power\"\nlayer = \"consensus\"\nsource = \"s\"\nweight = \"w\"\ndataset = \"d\"\n{headline}"
            )
        };
        let parse = |h: &str| toml::from_str::<LayerSpec>(&layer(h)).unwrap().headline;
        assert_eq!(parse(""), Unattributed::Bucket);
        for (new, old, t) in [
            ("separate", "each_its_own", Unattributed::Separate),
            ("unknown", "one_bucket", Unattributed::Bucket),
            ("exclude", "excluded", Unattributed::Exclude),
        ] {
            assert_eq!(parse(&format!("headline = \"{new}\"")), t);
            assert_eq!(parse(&format!("headline = \"{old}\"")), t);
        }
    }

    #[test]
    fn builtin_specs_parse() {
        for (id, _, _) in BUILTIN {
            let (spec, facts) = builtin(id).unwrap();
            assert_eq!(spec.network, *id);
            assert!(!spec.layers.is_empty() || spec.governance.is_some());
            assert!(!facts.facts.is_empty(), "{id} has declared facts");
        }
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "network = \"x\"\ntitle = \"X\"\nscope = \"s\"\nlayer = 3\n";
        let err = parse_spec(text, "x.toml").unwrap_err().to_string();
        assert!(err.starts_with("x.toml:4"), "{err}");
    }

    #[test]
    fn unknown_network_lists_known() {
        let err = builtin("dogecoin").unwrap_err().to_string();
        assert!(
            err.contains("bitcoin, ethereum, solana, sui, uniswap"),
            "{err}"
        );
    }
}

//! Reports: every layer of a network, its decisive coalitions and single points of failure,
//! attribution uncertainty, cross-layer control and the Balance-of-Power scorecard, as one
//! self-contained HTML page and as Markdown (`powermap report <network>`).
//!
//! ```text
//! registry/reports/<network>.toml ─┐                 ┌─▶ LayerReport (coalitions, trend, SPOFs, range)
//! data/… (sources, built-in) ──────┼─▶ pipeline ─────┤
//! registry/security-models.toml ───┘                 ├─▶ Scorecard (levers × failure modes)
//! registry/facts/<network>.toml ─────────────────────┴─▶ Report ─▶ html / markdown / json
//! ```
//!
//! What a report contains is data: [`spec::ReportSpec`] lists the layers (adapter, files,
//! windows, lever) and [`spec::Facts`] the declared facts with sources. [`build`] runs them;
//! [`html::render`] and [`markdown::render`] write them. Measured and declared facts are kept
//! apart everywhere.

mod cell;
pub mod chart;
mod collect;
mod crosslayer;
mod error;
pub mod governance;
pub mod html;
pub mod layer;
pub mod markdown;
pub mod scorecard;
pub mod spec;
mod text;

use std::path::Path;

use powermap_findings::Stage;
use serde::Serialize;

pub use crosslayer::CrossLayerReport;
pub use error::ReportError;
pub use layer::{LayerReport, Trend};
pub use scorecard::Scorecard;
pub use spec::{Fact, Facts, Lever, ReportSpec};

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Network id.
    pub network: String,
    /// Display name.
    pub title: String,
    /// What it covers and what it cannot.
    pub scope: String,
    /// The scorecard (levers × layers × failure modes).
    pub scorecard: Scorecard,
    /// Per-layer sections, in spec order.
    pub layers: Vec<LayerReport>,
    /// Cross-layer control, where the data allows the join.
    pub crosslayer: Option<CrossLayerReport>,
    /// Governance capture (coalitions, power indices, mechanisms, exit), for DAOs.
    pub governance: Option<governance::GovernanceReport>,
    /// Declared facts (not measured here).
    pub facts: Vec<Fact>,
    /// Datasets used, with origin and licence.
    pub datasets: Vec<spec::DatasetSpec>,
    /// Where the failure-mode thresholds come from.
    pub models_origin: String,
}

/// Builds a report: runs every layer of `spec` on the data under `data_root`, judged by the
/// findings stage's security models.
///
/// `progress` is told each layer id as it starts.
pub fn build(
    spec: &ReportSpec,
    facts: &Facts,
    stage: &Stage,
    data_root: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, ReportError> {
    let models = stage.models();
    let mut layers = Vec::new();
    for l in &spec.layers {
        progress(&l.id);
        let analysis = collect::analyse_layer(l, data_root)?;
        let section = LayerReport::build(l, &spec.network, analysis, models).ok_or_else(|| {
            ReportError::Layer {
                layer: l.id.clone(),
                message: "no window has any weight".into(),
            }
        })?;
        layers.push(section);
    }
    let crosslayer = match &spec.crosslayer {
        Some(c) => {
            progress("cross-layer");
            Some(crosslayer::build(c, models, data_root)?)
        }
        None => None,
    };
    let governance = match &spec.governance {
        Some(g) => {
            progress("governance");
            Some(governance::build(g, data_root)?)
        }
        None => None,
    };
    Ok(Report {
        network: spec.network.clone(),
        title: spec.title.clone(),
        scope: spec.scope.clone(),
        scorecard: Scorecard::build(&layers, crosslayer.as_ref(), governance.as_ref(), facts),
        layers,
        crosslayer,
        governance,
        facts: facts.facts.clone(),
        datasets: spec.datasets.clone(),
        models_origin: stage.models_origin().to_string(),
    })
}

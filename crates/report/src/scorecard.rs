//! The Balance-of-Power scorecard: per lever, every layer's decisive coalition sizes per
//! failure mode with trend arrows (measured), and the network's declared facts (stated by
//! their sources), kept apart.

use serde::Serialize;

use crate::cell::rule;
pub use crate::cell::{ScoreCell, ScoreRow};
use crate::crosslayer::CrossLayerReport;
use crate::layer::LayerReport;
use crate::spec::{Fact, Facts, Lever};

/// One lever: measured rows, then declared facts.
#[derive(Debug, Clone, Serialize)]
pub struct LeverGroup {
    /// The lever.
    pub lever: Lever,
    /// Its heading.
    pub title: String,
    /// Measured by powermap from the datasets.
    pub measured: Vec<ScoreRow>,
    /// Declared by the cited sources.
    pub declared: Vec<Fact>,
}

/// The scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    /// One group per lever with anything to show, in [`Lever::ALL`] order.
    pub groups: Vec<LeverGroup>,
}

/// Share from which an implementation or provider counts as present.
pub const PRESENT_SHARE: f64 = 0.01;

impl Scorecard {
    /// Groups layers and facts by lever.
    pub fn build(
        layers: &[LayerReport],
        crosslayer: Option<&CrossLayerReport>,
        governance: Option<&crate::governance::GovernanceReport>,
        facts: &Facts,
    ) -> Scorecard {
        let groups = Lever::ALL
            .iter()
            .filter_map(|&lever| {
                let mut measured: Vec<ScoreRow> = layers
                    .iter()
                    .filter(|l| l.spec.lever == lever)
                    .map(row)
                    .collect();
                if lever == Lever::Power {
                    if let Some(c) = crosslayer {
                        measured.push(c.score_row());
                    }
                }
                if lever == Lever::DistributedGovernance {
                    if let Some(g) = governance {
                        measured.push(g.score_row());
                    }
                }
                let declared: Vec<Fact> = facts
                    .facts
                    .iter()
                    .filter(|f| f.lever == lever)
                    .cloned()
                    .collect();
                (!measured.is_empty() || !declared.is_empty()).then(|| LeverGroup {
                    lever,
                    title: lever.title().to_string(),
                    measured,
                    declared,
                })
            })
            .collect();
        Scorecard { groups }
    }
}

fn row(l: &LayerReport) -> ScoreRow {
    let concentration = l.concentration.iter().map(|c| ScoreCell {
        failure_mode: "share".into(),
        property: "concentration".into(),
        rule: format!("≥ {}", c.threshold),
        size: c.size,
        trend: c.trend,
        since: c.before.as_ref().map(|(w, _)| w.end),
        range: None,
    });
    let cells = l
        .coalitions
        .iter()
        .map(|c| {
            let range = l.uncertainty.as_ref().and_then(|u| {
                let what = format!("{} coalition size", c.now.failure_mode);
                let (lo, hi) = u.rows.iter().find(|r| r.what == what)?.range()?;
                Some((lo as usize, hi as usize))
            });
            ScoreCell {
                failure_mode: c.now.failure_mode.clone(),
                property: c.now.property.to_string(),
                rule: rule(c.now.boundary, c.now.threshold),
                size: c.now.size,
                trend: c.trend,
                since: c.before.as_ref().map(|(w, _)| w.end),
                range,
            }
        })
        .chain(concentration)
        .collect();
    let present = l
        .latest
        .top
        .iter()
        .filter(|(_, s)| *s >= PRESENT_SHARE)
        .count();
    let note = format!(
        "{} entities in all; {}{} hold ≥ 1 %",
        l.latest.entities,
        present,
        if present == l.latest.top.len() && l.latest.entities > l.latest.top.len() {
            "+"
        } else {
            ""
        },
    );
    ScoreRow {
        layer: l.spec.id.clone(),
        title: l.spec.title.clone(),
        as_of: Some(l.latest.window.end),
        cells,
        note: Some(note),
    }
}

//! Decisive coalitions by name: for each failure mode that applies, the fewest heaviest
//! entities whose combined share crosses its threshold.

use powermap_metrics::decisive_coalition;
use powermap_model::{Analysis, Boundary, Distribution, Layer, Threshold, Window};
use serde::Serialize;

use crate::{FailureMode, Property, SecurityModels};

/// One failure mode's decisive coalition in one distribution, with the threshold and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoalitionResult {
    /// Network analysed.
    pub network: String,
    /// Layer analysed.
    pub layer: Layer,
    /// The window, when computed from an [`Analysis`].
    pub window: Option<Window>,
    /// Failure mode id, e.g. `halt_finality`.
    pub failure_mode: String,
    /// What breaks when the coalition acts.
    pub property: Property,
    /// The threshold crossed, exact.
    pub threshold: Threshold,
    /// Whether crossing means `≥` or `>`.
    pub boundary: Boundary,
    /// Paper or specification the threshold comes from.
    pub citation: String,
    /// Why this threshold and this boundary.
    pub why: String,
    /// What the distribution must represent for the model to apply, if anything.
    pub assumption: Option<String>,
    /// The coalition, heaviest first: `(entity, share of the total)`. Empty when the
    /// threshold cannot be reached (no weight, or `> 1`).
    pub members: Vec<(String, f64)>,
    /// Combined share of the members (0 when empty).
    pub share: f64,
    /// Number of members (the Nakamoto coefficient at this threshold); `None` when the
    /// threshold cannot be reached.
    pub size: Option<usize>,
}

impl CoalitionResult {
    /// One line a person can act on, e.g.
    /// `halt_finality (liveness, > 1/3): 2 entities hold 40.0 %: Lido 30.0 %, Coinbase 10.0 % — why [citation]`.
    pub fn statement(&self) -> String {
        let op = match self.boundary {
            Boundary::AtLeast => "≥",
            Boundary::Greater => ">",
        };
        let head = format!(
            "{} ({}, {op} {})",
            self.failure_mode, self.property, self.threshold
        );
        let body = match self.size {
            None => "not reachable in this distribution".to_string(),
            Some(n) => {
                let names: Vec<String> = self
                    .members
                    .iter()
                    .map(|(e, s)| format!("{e} {:.1} %", s * 100.0))
                    .collect();
                let noun = if n == 1 {
                    "entity holds"
                } else {
                    "entities hold"
                };
                format!(
                    "{n} {noun} {:.1} %: {}",
                    self.share * 100.0,
                    names.join(", ")
                )
            }
        };
        format!("{head}: {body} — {} [{}]", self.why, self.citation)
    }
}

/// The decisive coalition of `fm` in `d` (pure; `window` is carried into the result).
pub fn coalition_for(
    network: &str,
    fm: &FailureMode,
    d: &Distribution,
    window: Option<&Window>,
) -> CoalitionResult {
    let found = decisive_coalition(d, fm.threshold, fm.boundary);
    let total = d.total();
    let members: Vec<(String, f64)> = found
        .unwrap_or(&[])
        .iter()
        .map(|s| (s.name.clone(), s.weight / total))
        .collect();
    let share = found.map_or(0.0, |c| c.iter().map(|s| s.weight).sum::<f64>() / total);
    CoalitionResult {
        network: network.to_string(),
        layer: fm.layer,
        window: window.cloned(),
        failure_mode: fm.id.clone(),
        property: fm.property,
        threshold: fm.threshold,
        boundary: fm.boundary,
        citation: fm.citation.clone(),
        why: fm.why.clone(),
        assumption: fm.assumption.clone(),
        size: found.map(<[_]>::len),
        members,
        share,
    }
}

impl SecurityModels {
    /// Decisive coalitions for every failure mode that applies to `network`/`layer`
    /// ([`SecurityModels::models_for`]) in one distribution.
    pub fn coalitions(
        &self,
        network: &str,
        layer: Layer,
        d: &Distribution,
        window: Option<&Window>,
    ) -> Vec<CoalitionResult> {
        self.models_for(network, layer)
            .into_iter()
            .map(|fm| coalition_for(network, fm, d, window))
            .collect()
    }

    /// Decisive coalitions in window `index` of `analysis` (empty if out of range).
    pub fn decisive_coalitions_in(
        &self,
        analysis: &Analysis,
        index: usize,
    ) -> Vec<CoalitionResult> {
        self.in_window(analysis, Some(index), Self::coalitions)
    }

    /// Decisive coalitions in the latest window of `analysis` (empty if it has none).
    pub fn decisive_coalitions(&self, analysis: &Analysis) -> Vec<CoalitionResult> {
        self.in_window(analysis, None, Self::coalitions)
    }
}

/// Decisive coalitions in the latest window of `analysis` under the built-in models.
pub fn decisive_coalitions(analysis: &Analysis) -> Vec<CoalitionResult> {
    SecurityModels::builtin().decisive_coalitions(analysis)
}

/// Decisive coalitions in window `index` of `analysis` under the built-in models.
pub fn decisive_coalitions_in(analysis: &Analysis, index: usize) -> Vec<CoalitionResult> {
    SecurityModels::builtin().decisive_coalitions_in(analysis, index)
}

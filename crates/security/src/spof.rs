//! Single points of failure: one entity whose share alone crosses a failure mode's threshold.

use powermap_model::{Analysis, Boundary, Distribution, Layer, Threshold, Window};
use serde::Serialize;

use crate::{FailureMode, Property, SecurityModels};

/// A failure mode one entity crosses on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossing {
    /// Failure mode id, e.g. `halt_finality`.
    pub failure_mode: String,
    /// What breaks.
    pub property: Property,
    /// The threshold crossed, exact.
    pub threshold: Threshold,
    /// Whether crossing means `≥` or `>`.
    pub boundary: Boundary,
    /// Paper or specification the threshold comes from.
    pub citation: String,
    /// Why this threshold and this boundary.
    pub why: String,
}

impl Crossing {
    fn of(fm: &FailureMode) -> Crossing {
        Crossing {
            failure_mode: fm.id.clone(),
            property: fm.property,
            threshold: fm.threshold,
            boundary: fm.boundary,
            citation: fm.citation.clone(),
            why: fm.why.clone(),
        }
    }
}

/// One entity (operator, provider, client, country) whose outage, bug or coercion alone
/// crosses at least one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spof {
    /// Network analysed.
    pub network: String,
    /// Layer analysed.
    pub layer: Layer,
    /// The window, when computed from an [`Analysis`].
    pub window: Option<Window>,
    /// The entity.
    pub entity: String,
    /// Its share of the total.
    pub share: f64,
    /// Every failure mode its share alone crosses, in model order.
    pub crossed: Vec<Crossing>,
}

impl Spof {
    /// True if any crossing breaks liveness.
    pub fn breaks_liveness(&self) -> bool {
        self.crossed
            .iter()
            .any(|c| c.property == Property::Liveness)
    }

    /// True if any crossing breaks safety.
    pub fn breaks_safety(&self) -> bool {
        self.crossed.iter().any(|c| c.property == Property::Safety)
    }
}

impl SecurityModels {
    /// Single points of failure in one distribution, heaviest first: every entity whose own
    /// weight crosses a failure mode that applies to `network`/`layer` (exact comparison,
    /// the mode's own boundary). An entity is listed here for a mode exactly when that mode's
    /// decisive coalition has size 1 and the entity's share reaches it — several entities can
    /// (e.g. two clients at 35 % each both cross `≥ 1/3`).
    pub fn spofs(
        &self,
        network: &str,
        layer: Layer,
        d: &Distribution,
        window: Option<&Window>,
    ) -> Vec<Spof> {
        let models = self.models_for(network, layer);
        let (total, integral) = (d.total(), d.is_integral());
        d.producers()
            .iter()
            .filter_map(|s| {
                let crossed: Vec<Crossing> = models
                    .iter()
                    .filter(|fm| fm.crossed_by(s.weight, total, integral))
                    .map(|fm| Crossing::of(fm))
                    .collect();
                (!crossed.is_empty()).then(|| Spof {
                    network: network.to_string(),
                    layer,
                    window: window.cloned(),
                    entity: s.name.clone(),
                    share: s.weight / total,
                    crossed,
                })
            })
            .collect()
    }

    /// Single points of failure in window `index` of `analysis` (empty if out of range).
    pub fn single_points_of_failure_in(&self, analysis: &Analysis, index: usize) -> Vec<Spof> {
        self.in_window(analysis, Some(index), Self::spofs)
    }

    /// Single points of failure in the latest window of `analysis`.
    pub fn single_points_of_failure(&self, analysis: &Analysis) -> Vec<Spof> {
        self.in_window(analysis, None, Self::spofs)
    }
}

/// Single points of failure in the latest window of `analysis` under the built-in models.
pub fn single_points_of_failure(analysis: &Analysis) -> Vec<Spof> {
    SecurityModels::builtin().single_points_of_failure(analysis)
}

/// Single points of failure in window `index` of `analysis` under the built-in models.
pub fn single_points_of_failure_in(analysis: &Analysis, index: usize) -> Vec<Spof> {
    SecurityModels::builtin().single_points_of_failure_in(analysis, index)
}

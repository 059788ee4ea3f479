//! Attribution registries by network: which rules attribute which network's subjects.

use std::collections::HashMap;

use powermap_attribution::Registry;

use crate::PipelineError;

/// Attribution registries by network, each with a label for provenance; a network without
/// one only keeps pre-attributed entities (everything else is unattributed).
#[derive(Debug, Default)]
pub struct Registries {
    by_network: HashMap<String, (Registry, String)>,
}

impl Registries {
    /// The registries of the built-in datasets: the Bitcoin registry (pool slugs → names, EDI's
    /// dated legal links → owners), labelled as every command reports it.
    pub fn builtin() -> Result<Registries, PipelineError> {
        let mut r = Registries::default();
        r.insert(
            Registry::bitcoin_builtin()?,
            "bitcoin-builtin (pool slugs → names, EDI legal_links.json → owners; see docs/attribution.md)",
        );
        Ok(r)
    }

    /// Adds (or replaces) the registry of its network; `label` names it in every output row
    /// (e.g. `bitcoin-builtin`).
    pub fn insert(&mut self, registry: Registry, label: impl Into<String>) {
        self.by_network
            .insert(registry.network().to_string(), (registry, label.into()));
    }

    /// The registry for a network, if any.
    pub fn get(&self, network: &str) -> Option<&Registry> {
        self.by_network.get(network).map(|(r, _)| r)
    }

    /// Every registry with its network and label, in network order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Registry, &str)> {
        let mut all: Vec<_> = self
            .by_network
            .iter()
            .map(|(n, (r, l))| (n.as_str(), r, l.as_str()))
            .collect();
        all.sort_by_key(|e| e.0);
        all.into_iter()
    }

    /// The label of a network's registry, for provenance.
    pub fn describe(&self, network: &str) -> String {
        match self.by_network.get(network) {
            Some((_, label)) => label.clone(),
            None => NO_REGISTRY.into(),
        }
    }
}

/// Provenance label of a network analysed without any registry.
const NO_REGISTRY: &str = "none (pre-attributed entities only)";

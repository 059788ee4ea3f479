//! EDI's mapping stage: raw blocks → [`AttributedObservation`]s.

use powermap_attribution::{Registry, ResolveOptions, Unattributed};
use powermap_model::{AttributedObservation, Attribution, Layer, Observation, Rule};

use crate::reader::EdiBlock;

/// Maps EDI blocks of one ledger the way EDI's `map` stage does.
///
/// * `clustering = true`: the registry's precedence (identifiers, addresses, clusters) then
///   dated legal links; unmatched blocks fall back to their reward-address string.
/// * `clustering = false`: EDI applies **no rule at all**: every block is its reward-address
///   string (or `----- UNDEFINED BLOCK PRODUCER -----`). We reproduce that.
#[derive(Debug, Clone)]
pub struct EdiMapper {
    registry: Registry,
    clustering: bool,
    unattributed: Unattributed,
}

impl EdiMapper {
    /// A mapper with EDI's unattributed treatment ([`Unattributed::Separate`]).
    pub fn new(registry: Registry, clustering: bool) -> Self {
        EdiMapper {
            registry,
            clustering,
            unattributed: Unattributed::Separate,
        }
    }

    /// Uses another unattributed treatment (EDI has only `separate`).
    pub fn with_unattributed(mut self, unattributed: Unattributed) -> Self {
        self.unattributed = unattributed;
        self
    }

    /// The registry in use.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Maps one block; `None` only with [`Unattributed::Exclude`] for an unmatched block.
    /// `source` labels the observation's provenance (e.g. the raw file name).
    pub fn map(&self, block: &EdiBlock, source: &str) -> Option<AttributedObservation> {
        let ev = block.evidence();
        let attribution = if self.clustering {
            self.registry.resolve(
                &ev,
                ResolveOptions {
                    clustering: true,
                    unattributed: self.unattributed,
                },
            )?
        } else {
            self.registry.unattributed(&ev, self.unattributed)?
        };
        let observation = Observation {
            network: self.registry.network().to_string(),
            layer: Layer::Consensus,
            time: block.time,
            height: block.height,
            subject: self.registry.fallback_name(&ev),
            entity: None,
            weight: 1.0,
            source: Some(format!("{source}:{}", block.line)),
        };
        Some(AttributedObservation {
            observation,
            attribution,
        })
    }
}

/// EDI's `mapping_method` string for an attribution.
pub fn edi_mapping_method(a: &Attribution) -> &'static str {
    if a.owner_source.is_some() {
        return "known_legal_links";
    }
    match a.rule {
        Rule::Identifier => "known_identifiers",
        Rule::Address => "known_addresses",
        Rule::Cluster => "known_clusters",
        Rule::Unattributed | Rule::UnknownBucket => "fallback_mapping",
        Rule::Preattributed => "preattributed",
    }
}

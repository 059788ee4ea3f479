//! Attribution of followed blocks with EDI's registries, exactly as `powermap-edi` maps EDI's
//! raw block data (same evidence, same precedence, same fallback names).

use std::path::Path;

use powermap_attribution::{Evidence, Registry, ResolveOptions};
use powermap_edi::{load_mapping_information, Ledger};
use powermap_model::{Layer, Observation, Rule};

use crate::error::{FollowError, Result};

const DIR: &str = "data/edi-mapping/mapping_information";
const BTC_IDS: &str =
    include_str!("../../../data/edi-mapping/mapping_information/identifiers/bitcoin.json");
const BTC_ADDRS: &str =
    include_str!("../../../data/edi-mapping/mapping_information/addresses/bitcoin.json");
const ETH_IDS: &str =
    include_str!("../../../data/edi-mapping/mapping_information/identifiers/ethereum.json");
const ETH_ADDRS: &str =
    include_str!("../../../data/edi-mapping/mapping_information/addresses/ethereum.json");
const LEGAL: &str = include_str!("../../../data/edi-mapping/mapping_information/legal_links.json");
const SPECIAL: &str =
    include_str!("../../../data/edi-mapping/mapping_information/special_addresses.json");

/// EDI's registry for `network`: from `mapping` (a `mapping_information/` directory) when
/// given, else the copy of `data/edi-mapping/` built into the binary (Bitcoin and Ethereum;
/// other networks get an empty registry: every block is its reward address).
pub fn edi_registry(network: &str, mapping: Option<&Path>) -> Result<Registry> {
    let ledger = Ledger::ALL.into_iter().find(|l| l.id() == network);
    if let Some(dir) = mapping {
        let ledger = ledger.ok_or_else(|| {
            FollowError::Attribution(format!("EDI has no mapping for network `{network}`"))
        })?;
        return load_mapping_information(dir, ledger)
            .map_err(|e| FollowError::Attribution(e.to_string()));
    }
    let mut r = Registry::new(network);
    let (ids, addrs) = match ledger {
        Some(Ledger::Bitcoin) => (BTC_IDS, BTC_ADDRS),
        Some(Ledger::Ethereum) => (ETH_IDS, ETH_ADDRS),
        _ => return Ok(r),
    };
    let err = |e: powermap_attribution::Error| FollowError::Attribution(e.to_string());
    r.add_edi_identifiers(&format!("{DIR}/identifiers/{network}.json"), ids)
        .map_err(err)?;
    r.add_edi_addresses(&format!("{DIR}/addresses/{network}.json"), addrs)
        .map_err(err)?;
    r.add_edi_legal_links(&format!("{DIR}/legal_links.json"), LEGAL)
        .map_err(err)?;
    r.add_edi_special_addresses(&format!("{DIR}/special_addresses.json"), SPECIAL)
        .map_err(err)?;
    Ok(r)
}

/// One block's observation: subject = EDI's fallback name (reward addresses joined with `/`),
/// entity = the attributed entity (owner after dated legal links) when a rule matched.
pub(crate) fn block_observation(
    registry: &Registry,
    ev: &Evidence,
    layer: Layer,
    time: chrono::DateTime<chrono::Utc>,
    height: u64,
    source: &str,
) -> Observation {
    let entity = registry
        .resolve(ev, ResolveOptions::default())
        .filter(|a| !matches!(a.rule, Rule::Unattributed | Rule::UnknownBucket))
        .map(|a| a.entity);
    Observation {
        network: registry.network().to_string(),
        layer,
        time,
        height: Some(height),
        subject: registry.fallback_name(ev),
        entity,
        weight: 1.0,
        source: Some(source.to_string()),
    }
}

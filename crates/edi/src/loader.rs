//! Loads EDI's `mapping_information/` directory into a [`Registry`] for one ledger.

use std::fs;
use std::path::Path;

use powermap_attribution::{IdentifierMatch, Registry, RuleSource};

use crate::error::{Error, Result};
use crate::ledger::{Family, Ledger};

/// Who made Cardano blocks that carry no reward address (EDI `cardano_mapping.py`).
pub const CARDANO_NO_ADDRESS_ENTITY: &str = "Input Output (iohk.io)";

/// Reads the files EDI's mapping uses for `ledger` from `dir` (a `mapping_information/`):
/// `identifiers/<ledger>.json`, `addresses/<ledger>.json`, `clusters/<ledger>.json` (each
/// optional, as in EDI), `legal_links.json` and `special_addresses.json` (required).
///
/// Ledger rules follow EDI: Cardano tickers match exactly and blocks without a reward address
/// go to [`CARDANO_NO_ADDRESS_ENTITY`]; Tezos ignores identifiers.
pub fn load_mapping_information(dir: &Path, ledger: Ledger) -> Result<Registry> {
    let mut r = Registry::new(ledger.id());
    let id = ledger.id();
    if ledger.family() != Family::Tezos {
        load_optional(dir, &format!("identifiers/{id}.json"), |label, text| {
            r.add_edi_identifiers(label, text)
        })?;
    }
    load_optional(dir, &format!("addresses/{id}.json"), |label, text| {
        r.add_edi_addresses(label, text)
    })?;
    load_optional(dir, &format!("clusters/{id}.json"), |label, text| {
        r.add_edi_clusters(label, text)
    })?;
    load_required(dir, "legal_links.json", |label, text| {
        r.add_edi_legal_links(label, text)
    })?;
    load_required(dir, "special_addresses.json", |label, text| {
        r.add_edi_special_addresses(label, text)
    })?;
    if ledger.family() == Family::Cardano {
        r.set_identifier_match(IdentifierMatch::Exact);
        let mut source = RuleSource::new(
            "EDI consensus_decentralization/mappings/cardano_mapping.py",
            Some(
                "https://github.com/Blockchain-Technology-Lab/consensus-decentralization"
                    .to_string(),
            ),
        );
        source.note = Some("blocks without a reward address predate decentralisation, when Input Output made every block".to_string());
        r.set_no_address_entity(CARDANO_NO_ADDRESS_ENTITY, source);
    }
    Ok(r)
}

fn read(dir: &Path, rel: &str) -> Result<Option<String>> {
    let path = dir.join(rel);
    match fs::read_to_string(&path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io { path, source: e }),
    }
}

fn load_optional(
    dir: &Path,
    rel: &str,
    add: impl FnOnce(&str, &str) -> powermap_attribution::Result<usize>,
) -> Result<()> {
    if let Some(text) = read(dir, rel)? {
        add(rel, &text).map_err(|e| Error::Registry {
            path: dir.join(rel),
            source: Box::new(e),
        })?;
    }
    Ok(())
}

fn load_required(
    dir: &Path,
    rel: &str,
    add: impl FnOnce(&str, &str) -> powermap_attribution::Result<usize>,
) -> Result<()> {
    let path = dir.join(rel);
    let text = read(dir, rel)?.ok_or_else(|| Error::Io {
        path: path.clone(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "required EDI mapping file is missing",
        ),
    })?;
    add(rel, &text).map_err(|e| Error::Registry {
        path,
        source: Box::new(e),
    })?;
    Ok(())
}

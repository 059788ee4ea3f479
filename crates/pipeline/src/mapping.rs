//! A second attribution source for comparing results under two registries
//! ([`compare_mappings`](crate::compare_mappings)): an EDI `mapping_information/` directory or
//! a bitcoin-data mining-pools `pools/` directory.
//!
//! Registries are plain data anyone can fork, and disagreements over attribution are the most
//! common dispute in this field; this module turns "the other side's files" into a registry
//! that attributes the same input.

use std::path::{Path, PathBuf};

use powermap_attribution::{Registry, RuleSource, SlugRule};
use powermap_edi::Ledger;

use crate::{PipelineError, Registries};

/// A second attribution source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingSource {
    /// An EDI `mapping_information/` directory (identifiers, addresses, clusters,
    /// `legal_links.json`, `special_addresses.json`).
    EdiMappingInformation(PathBuf),
    /// A bitcoin-data mining-pools `pools/` directory: one `<id>.json` per pool with its
    /// name, coinbase tags and payout addresses (no ownership).
    PoolList(PathBuf),
}

impl MappingSource {
    /// Recognises a directory: with `legal_links.json` it is an EDI `mapping_information/`;
    /// a directory of pool files (`*.json` with `tags`), or one holding such a `pools/`
    /// folder, is a pool list.
    pub fn detect(path: &Path) -> Result<MappingSource, PipelineError> {
        if !path.is_dir() {
            return Err(PipelineError::Mapping(format!(
                "{}: not a directory (expected an EDI mapping_information/ or a bitcoin-data pools/ directory)",
                path.display()
            )));
        }
        if path.join("legal_links.json").is_file() {
            return Ok(MappingSource::EdiMappingInformation(path.to_path_buf()));
        }
        for dir in [path.join("pools"), path.to_path_buf()] {
            if dir.is_dir() && !pool_files(&dir)?.is_empty() {
                return Ok(MappingSource::PoolList(dir));
            }
        }
        Err(PipelineError::Mapping(format!(
            "{}: neither an EDI mapping_information/ directory (no legal_links.json) nor a bitcoin-data pools/ directory (no pool files with `tags`)",
            path.display()
        )))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        match self {
            MappingSource::EdiMappingInformation(p) | MappingSource::PoolList(p) => p,
        }
    }

    /// A label for provenance.
    pub fn describe(&self) -> String {
        match self {
            MappingSource::EdiMappingInformation(p) => {
                format!("EDI mapping_information {}", p.display())
            }
            MappingSource::PoolList(p) => format!("bitcoin-data pool list {}", p.display()),
        }
    }

    /// Registries for observation inputs (the built-in dataset, observation files), one per
    /// network of `base`:
    ///
    /// * **EDI directory**: its rules for that ledger (identifiers, addresses, clusters,
    ///   ownership links, special addresses); for `bitcoin` also the built-in slug → name
    ///   lookup, aliases and unattributed label, so the built-in dataset's pool slugs still
    ///   resolve and only what the directory says (above all, ownership) differs.
    /// * **pool list** (bitcoin only): slug → name from the pool names only (upstream's slug
    ///   rule, [`pool_slug`]), tags and addresses; ownership links, aliases and the
    ///   unattributed label of the built-in registry (a pool list says nothing about owners).
    ///   A slug the pool list has no pool for is unattributed under it.
    ///
    /// Networks the source has nothing for keep `base`'s registry.
    pub fn registries(&self, base: &Registries) -> Result<Registries, PipelineError> {
        let mut out = Registries::default();
        for (network, registry, label) in base.entries() {
            let ledger: Option<Ledger> = network.parse().ok();
            let built = match (self, ledger) {
                (MappingSource::EdiMappingInformation(dir), Some(ledger)) => {
                    let mut r = powermap_edi::load_mapping_information(dir, ledger)?;
                    if network == "bitcoin" {
                        add_builtin_names(&mut r)?;
                    }
                    Some((r, self.describe()))
                }
                (MappingSource::PoolList(dir), _) if network == "bitcoin" => {
                    let mut r = pool_list_registry(dir, false)?;
                    use powermap_attribution as pa;
                    r.add_aliases(pa::ALIASES_FILE, pa::ALIASES)?;
                    r.add_unattributed_label(pa::UNKNOWN_SLUG);
                    r.add_edi_legal_links(
                        powermap_attribution::LEGAL_LINKS_FILE,
                        powermap_attribution::LEGAL_LINKS,
                    )?;
                    Some((
                        r,
                        format!(
                            "{} (ownership: {})",
                            self.describe(),
                            powermap_attribution::LEGAL_LINKS_FILE
                        ),
                    ))
                }
                _ => None,
            };
            match built {
                Some((r, l)) => out.insert(r, l),
                None => out.insert(registry.clone(), label.to_string()),
            }
        }
        Ok(out)
    }

    /// The registry of one EDI ledger. `own_mapping` is the run's own `mapping_information/`:
    /// a pool list replaces identification (tags, addresses) and keeps its ownership links
    /// and special addresses.
    pub(crate) fn edi_registry(
        &self,
        ledger: Ledger,
        own_mapping: &Path,
    ) -> Result<Registry, PipelineError> {
        match self {
            MappingSource::EdiMappingInformation(dir) => {
                Ok(powermap_edi::load_mapping_information(dir, ledger)?)
            }
            MappingSource::PoolList(dir) => {
                if ledger != Ledger::Bitcoin {
                    return Err(PipelineError::Mapping(format!(
                        "{}: a bitcoin-data pool list attributes bitcoin only, not {}",
                        dir.display(),
                        ledger.id()
                    )));
                }
                let mut r = pool_list_registry(dir, true)?;
                for (file, add) in [
                    (
                        "legal_links.json",
                        Registry::add_edi_legal_links as fn(&mut Registry, &str, &str) -> _,
                    ),
                    (
                        "special_addresses.json",
                        Registry::add_edi_special_addresses,
                    ),
                ] {
                    let path = own_mapping.join(file);
                    let text = read(&path)?;
                    add(&mut r, &path.display().to_string(), &text)?;
                }
                Ok(r)
            }
        }
    }
}

/// The built-in slug → name lookup, aliases and unattributed label.
fn add_builtin_names(r: &mut Registry) -> Result<(), PipelineError> {
    use powermap_attribution as pa;
    r.add_slug_names(
        pa::SLUG_LOOKUP_FILE,
        pa::SLUG_LOOKUP,
        Some(pa::UPSTREAM_METHOD),
    )?;
    r.add_aliases(pa::ALIASES_FILE, pa::ALIASES)?;
    r.add_unattributed_label(pa::UNKNOWN_SLUG);
    Ok(())
}

/// A bitcoin registry from a pool list: files in name order, a slug per pool name, addresses,
/// and with `tags` the coinbase tags as identifiers.
///
/// Tags are substring patterns for coinbase text (EDI raw block data); matched against an
/// observation's subject (a pool slug) they misfire (`redrockpool` contains CKPool's tag
/// `ckpool`), so observation inputs get names and addresses only.
fn pool_list_registry(dir: &Path, tags: bool) -> Result<Registry, PipelineError> {
    let mut r = Registry::new("bitcoin");
    for path in pool_files(dir)? {
        let text = read(&path)?;
        let label = path.display().to_string();
        let mut v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| PipelineError::Mapping(format!("{label}: {e}")))?;
        if !tags {
            if let Some(obj) = v.as_object_mut() {
                obj.remove("tags");
            }
        }
        r.add_pool_list_entry(&label, &v.to_string())?;
        let name = v.get("name").and_then(|n| n.as_str()).map(str::to_string);
        if let Some(name) = name {
            r.add_slug(SlugRule {
                slug: pool_slug(&name),
                name,
                source: RuleSource::new(label, None),
            });
        }
    }
    Ok(r)
}

/// The slug upstream datasets derive from a pool name: lower case, without spaces, dots,
/// hyphens or underscores (`Foundry USA` → `foundryusa`, `21 Inc.` → `21inc`).
pub fn pool_slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '_'))
        .collect()
}

/// The `*.json` files of a pool list directory that look like pool entries, sorted by name.
fn pool_files(dir: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    let io = |source| PipelineError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            let looks_like_pool = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| v.get("tags").is_some() && v.get("name").is_some());
            if looks_like_pool {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<String, PipelineError> {
    std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    #[test]
    fn detects_both_kinds_and_rejects_others() {
        let edi = repo("data/edi-mapping/mapping_information");
        assert!(matches!(
            MappingSource::detect(&edi).unwrap(),
            MappingSource::EdiMappingInformation(_)
        ));
        let pools = repo("data/bitcoin-data-mining-pools");
        match MappingSource::detect(&pools).unwrap() {
            MappingSource::PoolList(p) => assert!(p.ends_with("pools")),
            other => panic!("{other:?}"),
        }
        assert!(MappingSource::detect(&repo("docs")).is_err());
    }

    #[test]
    fn pool_slugs_match_the_builtin_lookup() {
        let lookup: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(powermap_attribution::SLUG_LOOKUP).unwrap();
        let matching = lookup
            .iter()
            .filter(|(slug, name)| pool_slug(name.as_str().unwrap()) == **slug)
            .count();
        // Every slug of the upstream lookup follows the rule.
        assert_eq!(matching, lookup.len());
    }
}

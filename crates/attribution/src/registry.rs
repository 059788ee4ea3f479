//! The registry: attribution rules with their provenance, read from EDI and pool-list files.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::json::{
    expect_array, expect_object, opt_str_field, parse_object, str_field, str_or_list_field,
};
use crate::validity::Validity;

/// Where a rule comes from: the file it was read from and, when known, the upstream link
/// or public source the file cites for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleSource {
    /// The file, as labelled by whoever loaded it (e.g. `identifiers/bitcoin.json`).
    pub file: String,
    /// The upstream link or public source cited for this one rule, if any.
    pub link: Option<String>,
    /// A note on the method (e.g. how an upstream dataset attributed blocks).
    pub note: Option<String>,
}

impl RuleSource {
    /// A source with a file and an optional link.
    pub fn new(file: impl Into<String>, link: Option<String>) -> Self {
        RuleSource {
            file: file.into(),
            link: link.filter(|l| !l.is_empty()),
            note: None,
        }
    }
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match (&self.link, &self.note) {
            (Some(l), Some(n)) => write!(f, " ({l}; {n})"),
            (Some(l), None) => write!(f, " ({l})"),
            (None, Some(n)) => write!(f, " ({n})"),
            (None, None) => Ok(()),
        }
    }
}

/// How identifier patterns are compared with a block's identifier text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierMatch {
    /// The pattern occurs anywhere in the text (EDI's default: coinbase tags, extra data).
    #[default]
    Substring,
    /// The pattern equals the text (EDI's Cardano mapping: pool tickers).
    Exact,
}

/// A tag or ticker that names the entity producing a block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentifierRule {
    /// The tag (e.g. `/AntPool/`) or ticker.
    pub pattern: String,
    /// The entity (pool) it names.
    pub entity: String,
    /// Where the rule comes from.
    pub source: RuleSource,
}

/// A payout address known to belong to an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressRule {
    /// The address, compared exactly.
    pub address: String,
    /// The entity it belongs to.
    pub entity: String,
    /// Where the rule comes from.
    pub source: RuleSource,
}

/// A pool id (e.g. a Cardano pool hash) grouped into a cluster of pools run together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRule {
    /// The pool id, compared exactly with the block's reward address.
    pub id: String,
    /// The cluster name: the entity power is counted for.
    pub cluster: String,
    /// The pool's own name, if the file gives it.
    pub pool: Option<String>,
    /// Where the rule comes from (the `source` field names the clustering signal).
    pub source: RuleSource,
}

/// A dated ownership link: `name` (a pool or company) belongs to `owner` while `validity` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnershipLink {
    /// The owning company.
    pub owner: String,
    /// The owned pool or company, as named in the links file.
    pub name: String,
    /// When the link holds.
    pub validity: Validity,
    /// Where the link comes from (file and public source URL).
    pub source: RuleSource,
}

/// An upstream dataset's slug and the display name it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlugRule {
    /// The slug as the dataset writes it (e.g. `btccom`).
    pub slug: String,
    /// Its display name (e.g. `BTC.com`).
    pub name: String,
    /// Where the mapping comes from (lookup file and the upstream attribution method).
    pub source: RuleSource,
}

/// A reviewed statement that two spellings name the same entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// The spelling used by a rule (e.g. `BTC.com`).
    pub name: String,
    /// The spelling the ownership links use (e.g. `BTC.COM`).
    pub canonical: String,
    /// Why the two are the same entity.
    pub reason: String,
    /// Where the alias is recorded.
    pub source: RuleSource,
}

/// A name that some links file mentions but no rule can reach, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Absence {
    /// The name.
    pub name: String,
    /// Why nothing reaches it.
    pub reason: String,
}

/// Attribution rules for one network, each with its source.
///
/// Load files with the `add_*` methods (pure: they take the text, the caller reads files),
/// then call [`Registry::resolve`] or [`Registry::explain`]. Identifier rules keep load
/// order (the first matching tag wins, as in EDI); for addresses, cluster ids, slugs and
/// aliases a later entry overrides an earlier one with the same key (Python `dict` update).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub(crate) network: String,
    pub(crate) identifier_match: IdentifierMatch,
    pub(crate) identifiers: Vec<IdentifierRule>,
    pub(crate) addresses: HashMap<String, AddressRule>,
    pub(crate) clusters: HashMap<String, ClusterRule>,
    pub(crate) links: Vec<OwnershipLink>,
    pub(crate) special: HashMap<String, RuleSource>,
    pub(crate) slugs: HashMap<String, SlugRule>,
    pub(crate) aliases: HashMap<String, Alias>,
    pub(crate) absences: Vec<Absence>,
    pub(crate) unattributed_labels: HashSet<String>,
    pub(crate) no_address_entity: Option<(String, RuleSource)>,
}

impl Registry {
    /// An empty registry for `network` (the EDI ledger name, e.g. `bitcoin`).
    pub fn new(network: impl Into<String>) -> Self {
        Registry {
            network: network.into(),
            ..Registry::default()
        }
    }

    /// The network this registry attributes.
    pub fn network(&self) -> &str {
        &self.network
    }

    /// Sets how identifier patterns match (EDI: substring, Cardano: exact).
    pub fn set_identifier_match(&mut self, m: IdentifierMatch) {
        self.identifier_match = m;
    }

    /// How identifier patterns match.
    pub fn identifier_match(&self) -> IdentifierMatch {
        self.identifier_match
    }

    /// Attributes blocks that carry no reward address at all to `entity` with rule `address`
    /// (EDI's Cardano rule: such blocks predate decentralisation and were made by Input Output).
    pub fn set_no_address_entity(&mut self, entity: impl Into<String>, source: RuleSource) {
        self.no_address_entity = Some((entity.into(), source));
    }

    /// Declares a pre-attributed label (e.g. the slug `unknown`) that means "not attributed".
    pub fn add_unattributed_label(&mut self, label: impl Into<String>) {
        self.unattributed_labels.insert(label.into());
    }

    /// Adds one identifier rule at the end (lowest priority among identifiers).
    pub fn add_identifier(&mut self, rule: IdentifierRule) {
        self.identifiers.push(rule);
    }

    /// Adds (or replaces) one address rule.
    pub fn add_address(&mut self, rule: AddressRule) {
        self.addresses.insert(rule.address.clone(), rule);
    }

    /// Adds (or replaces) one cluster rule.
    pub fn add_cluster(&mut self, rule: ClusterRule) {
        self.clusters.insert(rule.id.clone(), rule);
    }

    /// Adds one ownership link at the end (a later link for the same name wins on overlap).
    pub fn add_link(&mut self, link: OwnershipLink) {
        self.links.push(link);
    }

    /// Adds (or replaces) one slug.
    pub fn add_slug(&mut self, rule: SlugRule) {
        self.slugs.insert(rule.slug.clone(), rule);
    }

    /// Adds (or replaces) one alias.
    pub fn add_alias(&mut self, alias: Alias) {
        self.aliases.insert(alias.name.clone(), alias);
    }

    /// Marks an address as special (protocol-owned; dropped from reward addresses).
    pub fn add_special_address(&mut self, address: impl Into<String>, source: RuleSource) {
        self.special.insert(address.into(), source);
    }

    /// Reads EDI `identifiers/<ledger>.json`: `{ tag: {"name": …, "link": …} }`, in file order.
    pub fn add_edi_identifiers(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let n = obj.0.len();
        for (tag, v) in obj.0 {
            expect_object(file, &tag, &v, "value")?;
            let name = str_field(file, &tag, &v, "name")?.to_string();
            let link = opt_str_field(file, &tag, &v, "link")?
                .or(opt_str_field(file, &tag, &v, "homepage")?);
            self.add_identifier(IdentifierRule {
                pattern: tag,
                entity: name,
                source: RuleSource::new(file, link),
            });
        }
        Ok(n)
    }

    /// Reads EDI `addresses/<ledger>.json`: `{ address: {"name": …, "source": …} }`.
    pub fn add_edi_addresses(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let n = obj.0.len();
        for (address, v) in obj.0 {
            expect_object(file, &address, &v, "value")?;
            let name = str_field(file, &address, &v, "name")?.to_string();
            let link = opt_str_field(file, &address, &v, "source")?;
            self.add_address(AddressRule {
                address,
                entity: name,
                source: RuleSource::new(file, link),
            });
        }
        Ok(n)
    }

    /// Reads EDI `clusters/<ledger>.json`: `{ pool_id: {"cluster": …, "pool": …, "source": …} }`.
    pub fn add_edi_clusters(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let n = obj.0.len();
        for (id, v) in obj.0 {
            expect_object(file, &id, &v, "value")?;
            let cluster = str_field(file, &id, &v, "cluster")?.to_string();
            let pool = opt_str_field(file, &id, &v, "pool")?;
            let signal = str_or_list_field(file, &id, &v, "source")?;
            let mut source = RuleSource::new(file, None);
            source.note = signal.map(|s| format!("clustered by {s}"));
            self.add_cluster(ClusterRule {
                id,
                cluster,
                pool,
                source,
            });
        }
        Ok(n)
    }

    /// Reads EDI `legal_links.json`: `{ owner: [{"name", "from", "to", "source"}] }`, in order.
    pub fn add_edi_legal_links(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let mut n = 0;
        for (owner, v) in obj.0 {
            for (i, entry) in expect_array(file, &owner, &v, "value")?.iter().enumerate() {
                let key = format!("{owner}[{i}]");
                expect_object(file, &key, entry, "value")?;
                let name = str_field(file, &key, entry, "name")?.to_string();
                let from = opt_str_field(file, &key, entry, "from")?.unwrap_or_default();
                let to = opt_str_field(file, &key, entry, "to")?.unwrap_or_default();
                let link = opt_str_field(file, &key, entry, "source")?;
                let validity = Validity::parse(&from, &to).ok_or_else(|| {
                    let (field, value) = if Validity::parse(&from, "").is_none() {
                        ("from", from.clone())
                    } else {
                        ("to", to.clone())
                    };
                    Error::BadDate {
                        file: file.to_string(),
                        key: key.clone(),
                        field: field.to_string(),
                        value,
                    }
                })?;
                self.add_link(OwnershipLink {
                    owner: owner.clone(),
                    name,
                    validity,
                    source: RuleSource::new(file, link),
                });
                n += 1;
            }
        }
        Ok(n)
    }

    /// Reads EDI `special_addresses.json` and keeps this network's list.
    pub fn add_edi_special_addresses(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let mut n = 0;
        for (ledger, v) in obj.0 {
            if ledger != self.network {
                continue;
            }
            for (i, entry) in expect_array(file, &ledger, &v, "value")?.iter().enumerate() {
                let key = format!("{ledger}[{i}]");
                let address = str_field(file, &key, entry, "address")?.to_string();
                let link = opt_str_field(file, &key, entry, "source")?;
                self.add_special_address(address, RuleSource::new(file, link));
                n += 1;
            }
        }
        Ok(n)
    }

    /// Reads one bitcoin-data mining-pools file (`pools/<id>.json`:
    /// `{"id", "name", "addresses": [], "tags": [], "link"}`): tags become identifier rules
    /// (appended in file order), addresses become address rules.
    pub fn add_pool_list_entry(&mut self, file: &str, text: &str) -> Result<usize> {
        let v: Value = serde_json::from_str(text).map_err(|e| Error::json(file, e))?;
        let key = "(pool)";
        expect_object(file, key, &v, "value")?;
        let name = str_field(file, key, &v, "name")?.to_string();
        let link = opt_str_field(file, &name, &v, "link")?;
        let source = RuleSource::new(file, link);
        let mut n = 0;
        for field in ["tags", "addresses"] {
            let Some(list) = v.get(field) else { continue };
            for item in expect_array(file, &name, list, field)? {
                let s = item.as_str().ok_or_else(|| {
                    Error::field(file, &name, field, "expected a list of strings")
                })?;
                if field == "tags" {
                    self.add_identifier(IdentifierRule {
                        pattern: s.to_string(),
                        entity: name.clone(),
                        source: source.clone(),
                    });
                } else {
                    self.add_address(AddressRule {
                        address: s.to_string(),
                        entity: name.clone(),
                        source: source.clone(),
                    });
                }
                n += 1;
            }
        }
        Ok(n)
    }

    /// Reads a slug → display-name table (`{ "btccom": "BTC.com" }`); `note` describes how
    /// the upstream dataset attributed blocks to slugs.
    pub fn add_slug_names(&mut self, file: &str, text: &str, note: Option<&str>) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let n = obj.0.len();
        for (slug, v) in obj.0 {
            let name = v
                .as_str()
                .ok_or_else(|| {
                    Error::field(file, &slug, "value", "expected a display name string")
                })?
                .to_string();
            let mut source = RuleSource::new(file, None);
            source.note = note.map(str::to_string);
            self.add_slug(SlugRule { slug, name, source });
        }
        Ok(n)
    }

    /// Reads an alias table:
    /// `{"aliases": [{"name", "canonical", "reason"}], "absent": [{"name", "reason"}]}`.
    /// Every alias and absence must give a non-empty reason.
    pub fn add_aliases(&mut self, file: &str, text: &str) -> Result<usize> {
        let obj = parse_object(file, text)?;
        let mut n = 0;
        for (section, v) in obj.0 {
            if section != "aliases" && section != "absent" {
                continue;
            }
            for (i, entry) in expect_array(file, &section, &v, "value")?
                .iter()
                .enumerate()
            {
                let key = format!("{section}[{i}]");
                let name = str_field(file, &key, entry, "name")?.to_string();
                let reason = str_field(file, &key, entry, "reason")?.to_string();
                if reason.trim().is_empty() {
                    return Err(Error::field(file, &key, "reason", "must explain the entry"));
                }
                if section == "aliases" {
                    let canonical = str_field(file, &key, entry, "canonical")?.to_string();
                    let link = opt_str_field(file, &key, entry, "source")?;
                    self.add_alias(Alias {
                        name,
                        canonical,
                        reason,
                        source: RuleSource::new(file, link),
                    });
                } else {
                    self.absences.push(Absence { name, reason });
                }
                n += 1;
            }
        }
        Ok(n)
    }

    /// Identifier rules in match order.
    pub fn identifiers(&self) -> &[IdentifierRule] {
        &self.identifiers
    }

    /// Ownership links in file order.
    pub fn links(&self) -> &[OwnershipLink] {
        &self.links
    }

    /// Slug rules (unordered).
    pub fn slugs(&self) -> impl Iterator<Item = &SlugRule> {
        self.slugs.values()
    }

    /// Aliases (unordered).
    pub fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values()
    }

    /// Names documented as unreachable, with reasons.
    pub fn absences(&self) -> &[Absence] {
        &self.absences
    }

    /// True when `address` is special (protocol-owned) on this network.
    pub fn is_special(&self, address: &str) -> bool {
        self.special.contains_key(address)
    }

    /// Number of rules of each kind: identifiers, addresses, clusters, links, slugs.
    pub fn counts(&self) -> [usize; 5] {
        [
            self.identifiers.len(),
            self.addresses.len(),
            self.clusters.len(),
            self.links.len(),
            self.slugs.len(),
        ]
    }

    /// The spelling ownership links use for `name` (through an alias), or `name` itself.
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.aliases
            .get(name)
            .map_or(name, |a| a.canonical.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_edi_files_with_context_errors() {
        let mut r = Registry::new("bitcoin");
        let n = r
            .add_edi_identifiers(
                "identifiers/bitcoin.json",
                r#"{"/A/": {"name": "A", "link": "a.com"}, "/B/": {"name": "B"}}"#,
            )
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(r.identifiers()[0].pattern, "/A/");
        assert_eq!(
            r.identifiers()[0].source.to_string(),
            "identifiers/bitcoin.json (a.com)"
        );
        let e = r
            .add_edi_identifiers("identifiers/bitcoin.json", r#"{"/C/": {"nom": "C"}}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "identifiers/bitcoin.json: entry `/C/`: field `name`: missing"
        );
        let e = r
            .add_edi_legal_links(
                "legal_links.json",
                r#"{"O": [{"name": "A", "from": "2020-1", "to": ""}]}"#,
            )
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("`O[0]`: field `from`: bad date `2020-1`"),
            "{e}"
        );
        let e = r
            .add_edi_legal_links(
                "legal_links.json",
                r#"{"O": [{"name": "A", "from": "", "to": "x"}]}"#,
            )
            .unwrap_err();
        assert!(e.to_string().contains("field `to`"), "{e}");
    }

    #[test]
    fn special_addresses_keep_only_this_network() {
        let mut r = Registry::new("ethereum");
        let n = r
            .add_edi_special_addresses("special_addresses.json", r#"{"zcash": [{"address": "t3"}], "ethereum": [{"address": "0xdead", "source": "s"}]}"#)
            .unwrap();
        assert_eq!(n, 1);
        assert!(r.is_special("0xdead") && !r.is_special("t3"));
    }

    #[test]
    fn aliases_need_reasons() {
        let mut r = Registry::new("bitcoin");
        let e = r
            .add_aliases(
                "aliases.json",
                r#"{"aliases": [{"name": "a", "canonical": "A", "reason": " "}]}"#,
            )
            .unwrap_err();
        assert!(e.to_string().contains("field `reason`"));
        r.add_aliases(
            "aliases.json",
            r#"{"aliases": [{"name": "a", "canonical": "A", "reason": "same"}]}"#,
        )
        .unwrap();
        assert_eq!(r.canonical("a"), "A");
        assert_eq!(r.canonical("b"), "b");
    }
}

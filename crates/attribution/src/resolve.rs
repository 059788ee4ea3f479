//! Resolution: evidence about one block or subject → an [`Attribution`], by one precedence.
//!
//! Precedence (first match wins; the same order as EDI's mapping):
//!
//! 0. **pre-attributed label**: the source already named the entity (or a slug for it);
//! 1. **identifiers**: a known tag occurs in the decoded coinbase / extra data (or, with
//!    [`IdentifierMatch::Exact`], equals the ticker), first rule in load order wins;
//! 2. **addresses**: known reward addresses (special addresses removed first); several
//!    distinct entities are joined `A/B` in sorted order, as EDI does;
//! 3. **clusters**: the reward address is a pool id of a known cluster;
//! 4. otherwise **unattributed**, treated as [`Unattributed`] says.
//!
//! Then, only with `clustering` on and only for a matched entity, **ownership links** valid on
//! the block's day roll the brand up to its owner, following chains (A → B → C).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use powermap_model::{Attribution, Claim, Observation, Rule};
use serde::{Deserialize, Serialize};

use crate::registry::{IdentifierMatch, OwnershipLink, Registry, RuleSource};

/// EDI's name for a block with no reward address at all.
pub const UNDEFINED_PRODUCER: &str = "----- UNDEFINED BLOCK PRODUCER -----";
/// EDI's name for a block whose reward addresses are all special.
pub const SPECIAL_ADDRESS: &str = "----- SPECIAL ADDRESS -----";
/// The single entity of [`Unattributed::Bucket`].
pub const UNKNOWN_ENTITY: &str = "unknown";

/// What to do with weight no rule attributes: the one vocabulary of every stage (attribution,
/// the pipeline's ranges, report specs, policies).
///
/// Report specs written before it was shared say `each_its_own`, `one_bucket` and `excluded`;
/// those names are still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Unattributed {
    /// Each subject is its own entity (EDI's behaviour). Id `separate`.
    #[default]
    #[serde(rename = "separate", alias = "each_its_own")]
    Separate,
    /// All unattributed weight goes to one entity named `unknown`. Id `unknown`.
    #[serde(rename = "unknown", alias = "one_bucket")]
    Bucket,
    /// Unattributed weight is dropped. Id `exclude`.
    #[serde(rename = "exclude", alias = "excluded")]
    Exclude,
}

impl Unattributed {
    /// Every option, in a stable order.
    pub const ALL: [Unattributed; 3] = [
        Unattributed::Separate,
        Unattributed::Bucket,
        Unattributed::Exclude,
    ];

    /// Position in [`Unattributed::ALL`] (the order of per-treatment values).
    pub fn index(self) -> usize {
        match self {
            Unattributed::Separate => 0,
            Unattributed::Bucket => 1,
            Unattributed::Exclude => 2,
        }
    }

    /// How reports name it in prose: `each its own`, `one bucket`, `excluded`.
    pub fn label(self) -> &'static str {
        match self {
            Unattributed::Separate => "each its own",
            Unattributed::Bucket => "one bucket",
            Unattributed::Exclude => "excluded",
        }
    }

    /// Stable id: `separate`, `unknown` or `exclude`.
    pub fn id(self) -> &'static str {
        match self {
            Unattributed::Separate => "separate",
            Unattributed::Bucket => "unknown",
            Unattributed::Exclude => "exclude",
        }
    }
}

impl fmt::Display for Unattributed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Unattributed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unattributed::ALL
            .into_iter()
            .find(|u| u.id() == s)
            .ok_or_else(|| {
                format!(
                    "unknown unattributed treatment `{s}` (expected separate, unknown or exclude)"
                )
            })
    }
}

/// How to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveOptions {
    /// Roll brands up to their owners through dated ownership links.
    pub clustering: bool,
    /// What to do with subjects no rule matches.
    pub unattributed: Unattributed,
}

impl Default for ResolveOptions {
    /// EDI's defaults: clustering on, each unattributed subject its own entity.
    fn default() -> Self {
        ResolveOptions {
            clustering: true,
            unattributed: Unattributed::Separate,
        }
    }
}

/// What is known about one block (or one observation) when attributing it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// The block's UTC day: ownership links are checked against it.
    pub date: NaiveDate,
    /// A name or slug the source already attributed the block to.
    pub label: Option<String>,
    /// Where `label` comes from, when the source itself named the entity (not a slug lookup).
    pub label_source: Option<String>,
    /// Decoded identifier text (coinbase script, extra data, ticker).
    pub identifiers: Option<String>,
    /// Reward addresses, `None` when the block has none at all.
    pub reward_addresses: Option<Vec<String>>,
}

impl Evidence {
    /// Evidence for a block on `date` with nothing else known yet.
    pub fn block(date: NaiveDate) -> Self {
        Evidence {
            date,
            ..Evidence::default()
        }
    }

    /// Evidence for a bare subject: tried as a slug, as identifier text and as an address.
    pub fn subject(subject: &str, date: NaiveDate) -> Self {
        Evidence {
            date,
            label: Some(subject.to_string()),
            label_source: None,
            identifiers: Some(subject.to_string()),
            reward_addresses: Some(vec![subject.to_string()]),
        }
    }

    /// Evidence for an observation: its pre-attributed entity if any, else its subject.
    pub fn observation(obs: &Observation) -> Self {
        let date = obs.time.date_naive();
        match obs.claim() {
            Claim::Entity(e) => Evidence {
                date,
                label: Some(e.to_string()),
                label_source: Some(
                    obs.source
                        .clone()
                        .unwrap_or_else(|| format!("observation ({})", obs.network)),
                ),
                identifiers: None,
                reward_addresses: None,
            },
            Claim::Subject(subject) => Evidence::subject(subject, date),
        }
    }
}

/// The kind of one step in an attribution chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The source named the entity (or a slug for it).
    Preattributed,
    /// A tag / ticker matched.
    Identifier,
    /// A known address matched.
    Address,
    /// A cluster grouped the pool id.
    Cluster,
    /// A reviewed alias renamed the entity to the spelling links use.
    Alias,
    /// A dated ownership link.
    Ownership,
    /// No rule matched.
    Unattributed,
}

impl StepKind {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            StepKind::Preattributed => "preattributed",
            StepKind::Identifier => "identifier",
            StepKind::Address => "address",
            StepKind::Cluster => "cluster",
            StepKind::Alias => "alias",
            StepKind::Ownership => "legal link",
            StepKind::Unattributed => "unattributed",
        }
    }

    pub(crate) fn rule(self) -> Rule {
        match self {
            StepKind::Preattributed => Rule::Preattributed,
            StepKind::Identifier => Rule::Identifier,
            StepKind::Address => Rule::Address,
            StepKind::Cluster => Rule::Cluster,
            _ => Rule::Unattributed,
        }
    }
}

/// One rule that matched the evidence (the winner, or one that lost on precedence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Which precedence level matched.
    pub kind: StepKind,
    /// What matched (the tag, the addresses…).
    pub evidence: String,
    /// The entity the rule names.
    pub entity: String,
    /// Where the rule comes from.
    pub source: RuleSource,
}

/// The owner chain of a brand on one day: each link applied, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct OwnerChain {
    /// `(alias applied?, link)` pairs from brand to final owner.
    pub links: Vec<(Option<crate::registry::Alias>, OwnershipLink)>,
}

impl Registry {
    /// Reward addresses with special addresses removed, sorted and deduplicated; `None` when
    /// the block has no reward address at all.
    pub fn effective_addresses(&self, ev: &Evidence) -> Option<Vec<String>> {
        let addrs = ev.reward_addresses.as_ref()?;
        if addrs.is_empty() {
            return None;
        }
        let set: BTreeSet<&String> = addrs.iter().filter(|a| !self.is_special(a)).collect();
        Some(set.into_iter().cloned().collect())
    }

    /// EDI's fallback name for the evidence: reward addresses sorted and joined with `/`,
    /// [`SPECIAL_ADDRESS`] when all are special; with no reward address, the label if any,
    /// else [`UNDEFINED_PRODUCER`].
    pub fn fallback_name(&self, ev: &Evidence) -> String {
        match self.effective_addresses(ev) {
            Some(a) if a.is_empty() => SPECIAL_ADDRESS.to_string(),
            Some(a) => a.join("/"),
            None => ev
                .label
                .clone()
                .unwrap_or_else(|| UNDEFINED_PRODUCER.to_string()),
        }
    }

    /// Matching rules in precedence order; with `all` false, stops at the first.
    pub(crate) fn candidates(&self, ev: &Evidence, all: bool) -> Vec<Candidate> {
        let mut out = Vec::new();
        // 0. pre-attributed label
        if let Some(label) = &ev.label {
            if self.unattributed_labels.contains(label) {
                return out; // the source says it does not know: nothing else applies
            }
            if let Some(s) = self.slugs.get(label) {
                out.push(Candidate {
                    kind: StepKind::Preattributed,
                    evidence: format!("slug {label:?}"),
                    entity: s.name.clone(),
                    source: s.source.clone(),
                });
            } else if let Some(src) = &ev.label_source {
                out.push(Candidate {
                    kind: StepKind::Preattributed,
                    evidence: format!("named {label:?}"),
                    entity: label.clone(),
                    source: RuleSource::new(src.clone(), None),
                });
            }
            if !all && !out.is_empty() {
                return out;
            }
        }
        // 1. identifiers
        if let Some(text) = &ev.identifiers {
            for rule in &self.identifiers {
                let hit = match self.identifier_match {
                    IdentifierMatch::Substring => text.contains(rule.pattern.as_str()),
                    IdentifierMatch::Exact => *text == rule.pattern,
                };
                if hit {
                    out.push(Candidate {
                        kind: StepKind::Identifier,
                        evidence: format!("tag {:?}", rule.pattern),
                        entity: rule.entity.clone(),
                        source: rule.source.clone(),
                    });
                    if !all {
                        return out;
                    }
                }
            }
        }
        let effective = self.effective_addresses(ev);
        // 2. addresses
        match &effective {
            None => {
                if let Some((entity, source)) = &self.no_address_entity {
                    out.push(Candidate {
                        kind: StepKind::Address,
                        evidence: "no reward address".to_string(),
                        entity: entity.clone(),
                        source: source.clone(),
                    });
                    if !all {
                        return out;
                    }
                }
            }
            Some(addrs) => {
                let hits: Vec<_> = addrs.iter().filter_map(|a| self.addresses.get(a)).collect();
                if let Some(first) = hits.first() {
                    let entities: BTreeSet<&str> = hits.iter().map(|r| r.entity.as_str()).collect();
                    let matched: Vec<&str> = hits.iter().map(|r| r.address.as_str()).collect();
                    out.push(Candidate {
                        kind: StepKind::Address,
                        evidence: format!("address {}", matched.join(",")),
                        entity: entities.into_iter().collect::<Vec<_>>().join("/"),
                        source: first.source.clone(),
                    });
                    if !all {
                        return out;
                    }
                }
            }
        }
        // 3. clusters
        if let Some(addrs) = &effective {
            let hits: Vec<_> = addrs.iter().filter_map(|a| self.clusters.get(a)).collect();
            if let Some(first) = hits.first() {
                let names: BTreeSet<&str> = hits.iter().map(|r| r.cluster.as_str()).collect();
                let pools: Vec<String> = hits
                    .iter()
                    .map(|r| match &r.pool {
                        Some(p) => format!("{} ({p})", r.id),
                        None => r.id.clone(),
                    })
                    .collect();
                out.push(Candidate {
                    kind: StepKind::Cluster,
                    evidence: format!("pool {}", pools.join(",")),
                    entity: names.into_iter().collect::<Vec<_>>().join("/"),
                    source: first.source.clone(),
                });
            }
        }
        out
    }

    /// The owner chain of `brand` on `day` (empty when no link holds).
    ///
    /// For each name, the *last* link in file order that holds on `day` applies (EDI builds a
    /// dict, later entries overwrite earlier ones); chains are followed until a name has no
    /// owner, owns itself, or a cycle would repeat (where EDI raises, we stop).
    pub(crate) fn owner_chain(&self, brand: &str, day: NaiveDate) -> OwnerChain {
        let mut chain = OwnerChain::default();
        let mut seen: Vec<String> = vec![brand.to_string()];
        let mut current = brand.to_string();
        loop {
            let alias = self.aliases.get(&current).cloned();
            let key = alias
                .as_ref()
                .map_or(current.as_str(), |a| a.canonical.as_str());
            let link = self
                .links
                .iter()
                .rev()
                .find(|l| l.name == key && l.validity.contains(day));
            let Some(link) = link else { break };
            if link.owner == key || seen.contains(&link.owner) {
                break;
            }
            seen.push(link.owner.clone());
            current = link.owner.clone();
            chain.links.push((alias, link.clone()));
        }
        chain
    }

    /// Ownership links for `name` (through aliases) that do **not** hold on `day`.
    pub(crate) fn links_not_in_force(&self, name: &str, day: NaiveDate) -> Vec<OwnershipLink> {
        let key = self.canonical(name);
        self.links
            .iter()
            .filter(|l| l.name == key && !l.validity.contains(day))
            .cloned()
            .collect()
    }

    /// Attributes one block or observation. `None` means excluded
    /// ([`Unattributed::Exclude`] and no rule matched).
    pub fn resolve(&self, ev: &Evidence, opts: ResolveOptions) -> Option<Attribution> {
        let winner = self.candidates(ev, false).into_iter().next();
        self.finish(ev, winner, opts)
    }

    /// Attributes a bare subject seen on `date` (tried as slug, tag and address).
    pub fn resolve_subject(
        &self,
        subject: &str,
        date: NaiveDate,
        opts: ResolveOptions,
    ) -> Option<Attribution> {
        self.resolve(&Evidence::subject(subject, date), opts)
    }

    /// Attributes an observation (its pre-attributed entity if any, else its subject).
    pub fn resolve_observation(
        &self,
        obs: &Observation,
        opts: ResolveOptions,
    ) -> Option<Attribution> {
        self.resolve(&Evidence::observation(obs), opts)
    }

    /// The attribution for no match at all, under `treatment`.
    pub fn unattributed(&self, ev: &Evidence, treatment: Unattributed) -> Option<Attribution> {
        let name = self.fallback_name(ev);
        let source = "no rule matched".to_string();
        match treatment {
            Unattributed::Separate => Some(Attribution {
                entity: name.clone(),
                brand: name.clone(),
                rule: Rule::Unattributed,
                evidence: name,
                source,
                owner_source: None,
            }),
            Unattributed::Bucket => Some(Attribution {
                entity: UNKNOWN_ENTITY.to_string(),
                brand: name.clone(),
                rule: Rule::UnknownBucket,
                evidence: name,
                source,
                owner_source: None,
            }),
            Unattributed::Exclude => None,
        }
    }

    pub(crate) fn finish(
        &self,
        ev: &Evidence,
        winner: Option<Candidate>,
        opts: ResolveOptions,
    ) -> Option<Attribution> {
        let Some(c) = winner else {
            return self.unattributed(ev, opts.unattributed);
        };
        let mut att = Attribution {
            entity: c.entity.clone(),
            brand: c.entity,
            rule: c.kind.rule(),
            evidence: c.evidence,
            source: c.source.to_string(),
            owner_source: None,
        };
        if opts.clustering {
            let chain = self.owner_chain(&att.brand, ev.date);
            if let Some((_, last)) = chain.links.last() {
                att.entity = last.owner.clone();
                let sources: Vec<String> = chain
                    .links
                    .iter()
                    .map(|(_, l)| l.source.to_string())
                    .collect();
                att.owner_source = Some(sources.join(" → "));
            }
        }
        Some(att)
    }
}

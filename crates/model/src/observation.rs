//! One unit of power at one time, before and after attribution.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Layer, ModelError};

/// One unit of power at one time, as a source shows it (the open observation format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Network id, e.g. `bitcoin`.
    pub network: String,
    /// Layer the power belongs to.
    pub layer: Layer,
    /// When it was observed (UTC).
    pub time: DateTime<Utc>,
    /// Block height or slot, when the source has one.
    pub height: Option<u64>,
    /// The raw identifier as the source shows it (coinbase tag, address, validator key, IP…).
    pub subject: String,
    /// An entity the source already attributed the subject to, if any.
    pub entity: Option<String>,
    /// Units of power: 1 per block, stake, votes, nodes. Finite and ≥ 0.
    pub weight: f64,
    /// Where this observation came from (file, URL, dataset id).
    pub source: Option<String>,
}

/// What a source says an observation is about: the entity it already attributed the subject
/// to, else only the raw subject. Attribution starts from this one rule, whatever the input
/// (files, adapters, the watch service's store, EDI raw data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim<'a> {
    /// The source named the entity (pre-attributed).
    Entity(&'a str),
    /// The source gave only the raw subject (tag, address, key…).
    Subject(&'a str),
}

impl<'a> Claim<'a> {
    /// The entity when the source gives one, else the subject.
    pub fn of(entity: Option<&'a str>, subject: &'a str) -> Claim<'a> {
        match entity {
            Some(e) => Claim::Entity(e),
            None => Claim::Subject(subject),
        }
    }
}

impl Observation {
    /// What the source says this observation is about (see [`Claim`]).
    pub fn claim(&self) -> Claim<'_> {
        Claim::of(self.entity.as_deref(), &self.subject)
    }

    /// Checks the invariants a reader cannot express in types (finite, non-negative weight).
    pub fn validate(&self) -> Result<(), ModelError> {
        if !self.weight.is_finite() || self.weight < 0.0 {
            return Err(ModelError::BadWeight(self.weight));
        }
        Ok(())
    }
}

/// Which kind of rule attributed a subject to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The source itself named the entity.
    Preattributed,
    /// A coinbase tag / identifier pattern matched.
    Identifier,
    /// A known payout or reward address matched.
    Address,
    /// A cluster file grouped the subject with an entity.
    Cluster,
    /// Nothing matched: the subject is its own entity (EDI's behaviour).
    Unattributed,
    /// Nothing matched: the subject went to the single `unknown` bucket.
    UnknownBucket,
}

impl Rule {
    /// The stable id of this rule.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Preattributed => "preattributed",
            Rule::Identifier => "identifier",
            Rule::Address => "address",
            Rule::Cluster => "cluster",
            Rule::Unattributed => "unattributed",
            Rule::UnknownBucket => "unknown_bucket",
        }
    }

    /// True when no rule identified the subject.
    pub fn is_unattributed(self) -> bool {
        matches!(self, Rule::Unattributed | Rule::UnknownBucket)
    }
}

/// Why a subject belongs to an entity: the rule, what it matched, where the rule came from,
/// and the owner it rolled up to (if ownership clustering applied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The entity power is counted for (the owner when clustering applied, else the brand).
    pub entity: String,
    /// The entity the rule named, before any ownership link.
    pub brand: String,
    /// The kind of rule that matched.
    pub rule: Rule,
    /// What matched (the tag, the address…).
    pub evidence: String,
    /// Where the matching rule comes from (file and upstream link).
    pub source: String,
    /// The ownership link applied, if any: source of the link.
    pub owner_source: Option<String>,
}

/// An observation with the reason it counts for its entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributedObservation {
    /// The observation as read.
    pub observation: Observation,
    /// Why it counts for `attribution.entity`.
    pub attribution: Attribution,
}

//! Attribution: subject → entity → owner, every step with its source.
//!
//! Sits between ingestion and windows in the flow:
//!
//! ```text
//! Observation ──attribution──▶ AttributedObservation ──windows──▶ Distribution
//! ```
//!
//! A [`Registry`] holds the rules of one network, each with its [`RuleSource`] (file and
//! upstream link): identifier / tag patterns, exact addresses, clusters, dated ownership links
//! ([`Validity`], month-granular as in EDI), special addresses, slugs and reviewed aliases.
//! It is pure: the `add_*` loaders take text, never paths (the `powermap-edi` crate reads
//! EDI's `mapping_information/` directory from disk).
//!
//! [`Registry::resolve`] applies **one precedence** (see [`resolve`] module
//! docs and `docs/attribution.md`): pre-attributed label, identifiers, addresses, clusters,
//! then unattributed ([`Unattributed`]); with clustering on, ownership links roll the brand up
//! to its owner. [`Registry::explain`] shows the chain and the candidates that lost.
//!
//! ```
//! use powermap_attribution::{Evidence, Registry, ResolveOptions};
//! let mut r = Registry::new("bitcoin");
//! r.add_edi_identifiers("identifiers/bitcoin.json",
//!     r#"{"/AntPool/": {"name": "AntPool", "link": "https://www.antpool.com"}}"#).unwrap();
//! r.add_edi_legal_links("legal_links.json",
//!     r#"{"Bitmain": [{"name": "AntPool", "from": "", "to": "", "source": "https://example.org"}]}"#).unwrap();
//! let day = chrono::NaiveDate::from_ymd_opt(2020, 9, 19).unwrap();
//! let mut block = Evidence::block(day);
//! block.identifiers = Some("\x03e\u{e7}/AntPool/ mined".into());
//! let a = r.resolve(&block, ResolveOptions::default()).unwrap();
//! assert_eq!((a.brand.as_str(), a.entity.as_str()), ("AntPool", "Bitmain"));
//! println!("{}", r.explain("/AntPool/", day, ResolveOptions::default()));
//! ```

mod builtin;
mod error;
mod explain;
mod json;
mod registry;
pub mod resolve;
mod validity;

pub use builtin::{
    ALIASES, ALIASES_FILE, LEGAL_LINKS, LEGAL_LINKS_FILE, SLUG_LOOKUP, SLUG_LOOKUP_FILE,
    UNKNOWN_SLUG, UPSTREAM_METHOD,
};
pub use error::{Error, Result};
pub use explain::{Explanation, Step};
pub use registry::{
    Absence, AddressRule, Alias, ClusterRule, IdentifierMatch, IdentifierRule, OwnershipLink,
    Registry, RuleSource, SlugRule,
};
pub use resolve::{
    Candidate, Evidence, ResolveOptions, StepKind, Unattributed, SPECIAL_ADDRESS,
    UNDEFINED_PRODUCER, UNKNOWN_ENTITY,
};
pub use validity::{beginning, Validity};

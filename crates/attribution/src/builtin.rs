//! The built-in Bitcoin registry for the shipped dataset (`data/bitcoin-pool-blocks/`).
//!
//! Files are embedded at compile time, so the registry needs no file system at run time:
//! slug → display name (upstream lookup, rule `preattributed`), display name ≡ EDI name
//! (reviewed aliases in `registry/bitcoin-builtin/aliases.json`), and EDI's dated ownership
//! links. See `registry/bitcoin-builtin/README.md`.

use crate::error::Result;
use crate::registry::Registry;

/// Upstream slug → display-name lookup, embedded.
pub const SLUG_LOOKUP: &str =
    include_str!("../../../data/bitcoin-pool-blocks/lookup_slug_to_name.json");
/// Its label in rule sources.
pub const SLUG_LOOKUP_FILE: &str = "data/bitcoin-pool-blocks/lookup_slug_to_name.json";
/// EDI's dated ownership links, embedded.
pub const LEGAL_LINKS: &str =
    include_str!("../../../data/edi-mapping/mapping_information/legal_links.json");
/// Its label in rule sources.
pub const LEGAL_LINKS_FILE: &str = "data/edi-mapping/mapping_information/legal_links.json";
/// The reviewed alias table, embedded.
pub const ALIASES: &str = include_str!("../../../registry/bitcoin-builtin/aliases.json");
/// Its label in rule sources.
pub const ALIASES_FILE: &str = "registry/bitcoin-builtin/aliases.json";
/// How the upstream dataset attributed blocks to slugs (recorded in every slug rule's source).
pub const UPSTREAM_METHOD: &str = "block → pool_slug as published by github.com/sorukumar/bitcoin-mining-pools \
(dashboard/data, commit ca5ba78), attributed upstream from coinbase tags and payout addresses; not re-derived by powermap";
/// AS → organisation links (`registry/infrastructure/asn-owners.json`), embedded.
pub const ASN_OWNERS: &str = include_str!("../../../registry/infrastructure/asn-owners.json");
/// Its label in rule sources.
pub const ASN_OWNERS_FILE: &str = "registry/infrastructure/asn-owners.json";
/// The slug the dataset uses for blocks it could not attribute.
pub const UNKNOWN_SLUG: &str = "unknown";

impl Registry {
    /// The registry for the built-in Bitcoin dataset (network `bitcoin`).
    ///
    /// ```
    /// use powermap_attribution::{Registry, ResolveOptions};
    /// let r = Registry::bitcoin_builtin().unwrap();
    /// let day = chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    /// let a = r.resolve_subject("antpool", day, ResolveOptions::default()).unwrap();
    /// assert_eq!((a.brand.as_str(), a.entity.as_str()), ("AntPool", "Bitmain"));
    /// ```
    pub fn bitcoin_builtin() -> Result<Registry> {
        let mut r = Registry::new("bitcoin");
        r.add_slug_names(SLUG_LOOKUP_FILE, SLUG_LOOKUP, Some(UPSTREAM_METHOD))?;
        r.add_aliases(ALIASES_FILE, ALIASES)?;
        r.add_edi_legal_links(LEGAL_LINKS_FILE, LEGAL_LINKS)?;
        r.add_unattributed_label(UNKNOWN_SLUG);
        Ok(r)
    }

    /// The AS → organisation registry for `network`: dated links from `AS<n>` (the entity of
    /// IP-based infrastructure observations) to the organisation running the AS, each with its
    /// source (`registry/infrastructure/README.md`).
    ///
    /// ```
    /// use powermap_attribution::{Evidence, Registry, ResolveOptions};
    /// let r = Registry::asn_owners("solana").unwrap();
    /// let mut ev = Evidence::block(chrono::NaiveDate::from_ymd_opt(2025, 10, 6).unwrap());
    /// ev.label = Some("AS63949".into());
    /// ev.label_source = Some("IP database".into());
    /// assert_eq!(r.resolve(&ev, ResolveOptions::default()).unwrap().entity, "Akamai Technologies");
    /// ev.date = chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
    /// assert_eq!(r.resolve(&ev, ResolveOptions::default()).unwrap().entity, "Linode");
    /// ```
    pub fn asn_owners(network: &str) -> Result<Registry> {
        let mut r = Registry::new(network);
        r.add_edi_legal_links(ASN_OWNERS_FILE, ASN_OWNERS)?;
        Ok(r)
    }
}

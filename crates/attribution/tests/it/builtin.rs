use std::collections::BTreeSet;

use chrono::NaiveDate;
use powermap_attribution::{Registry, ResolveOptions, StepKind, Unattributed};
use powermap_model::Rule;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn builtin_loads_and_attributes_by_slug() {
    let r = Registry::bitcoin_builtin().unwrap();
    assert_eq!(r.network(), "bitcoin");
    let a = r
        .resolve_subject("btccom", day("2021-02-10"), ResolveOptions::default())
        .unwrap();
    assert_eq!(a.rule, Rule::Preattributed);
    assert_eq!(
        (a.brand.as_str(), a.entity.as_str()),
        ("BTC.com", "Bitdeer")
    );
    assert!(
        a.source.contains("lookup_slug_to_name.json"),
        "{}",
        a.source
    );
    let later = r
        .resolve_subject("btccom", day("2021-05-10"), ResolveOptions::default())
        .unwrap();
    assert_eq!(later.entity, "BIT Mining");
    let nova = r
        .resolve_subject("novablock", day("2021-01-31"), ResolveOptions::default())
        .unwrap();
    assert_eq!(nova.entity, "NovaBlock");
    let nova = r
        .resolve_subject("novablock", day("2021-02-01"), ResolveOptions::default())
        .unwrap();
    assert_eq!(nova.entity, "Poolin");
    let f2 = r
        .resolve_subject("f2pool", day("2024-01-01"), ResolveOptions::default())
        .unwrap();
    assert_eq!(
        (f2.entity.as_str(), f2.owner_source.is_none()),
        ("F2Pool", true)
    );
}

#[test]
fn builtin_unknown_slug_follows_the_option() {
    let r = Registry::bitcoin_builtin().unwrap();
    let opts = |u| ResolveOptions {
        clustering: true,
        unattributed: u,
    };
    let d = day("2022-01-01");
    let sep = r
        .resolve_subject("unknown", d, opts(Unattributed::Separate))
        .unwrap();
    assert_eq!(
        (sep.rule, sep.entity.as_str()),
        (Rule::Unattributed, "unknown")
    );
    let b = r
        .resolve_subject("unknown", d, opts(Unattributed::Bucket))
        .unwrap();
    assert_eq!(b.rule, Rule::UnknownBucket);
    assert!(r
        .resolve_subject("unknown", d, opts(Unattributed::Exclude))
        .is_none());
}

#[test]
fn builtin_explain_shows_alias_step() {
    let r = Registry::bitcoin_builtin().unwrap();
    let x = r.explain("btccom", day("2021-02-10"), ResolveOptions::default());
    let kinds: Vec<_> = x.chain.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::Preattributed,
            StepKind::Alias,
            StepKind::Ownership
        ],
        "{x}"
    );
    let text = x.to_string();
    assert!(text.contains("\"BTC.com\" ≡ \"BTC.COM\""), "{text}");
}

/// Every pool name in EDI's legal links must be reachable from some slug (directly or via a
/// reviewed alias), or be documented under `absent` in aliases.json.
#[test]
fn builtin_reaches_every_legal_link_name() {
    let r = Registry::bitcoin_builtin().unwrap();
    let reachable: BTreeSet<String> = r
        .slugs()
        .map(|s| r.canonical(&s.name).to_string())
        .collect();
    let absent: BTreeSet<&str> = r.absences().iter().map(|a| a.name.as_str()).collect();
    let mut names = BTreeSet::new();
    for l in r.links() {
        names.insert(l.name.as_str());
        names.insert(l.owner.as_str());
    }
    // Owners that are not pools themselves must be documented under `absent` too.
    let missing: Vec<&str> = names
        .into_iter()
        .filter(|n| !reachable.contains(*n) && !absent.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "legal-link names neither reachable from a slug nor documented: {missing:?}"
    );
    // Every alias must point at a name the links use, and start from a slug display name.
    for a in r.aliases() {
        assert!(
            r.slugs().any(|s| s.name == a.name),
            "alias {} is no slug name",
            a.name
        );
        assert!(
            r.links()
                .iter()
                .any(|l| l.name == a.canonical || l.owner == a.canonical),
            "alias target {} unused",
            a.canonical
        );
    }
}

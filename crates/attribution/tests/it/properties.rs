//! Property tests: determinism, clustering never adds entities, validity is respected.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use powermap_attribution::{
    AddressRule, Evidence, IdentifierRule, OwnershipLink, Registry, ResolveOptions, RuleSource,
    Unattributed, Validity,
};
use proptest::prelude::*;

const BRANDS: [&str; 5] = ["PoolA", "PoolB", "PoolC", "OwnerX", "OwnerY"];

fn month(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}

prop_compose! {
    fn arb_month()(y in 2018i32..2024, m in 1u32..=12) -> (i32, u32) { (y, m) }
}

prop_compose! {
    fn arb_link()(owner in 0usize..5, name in 0usize..5, from in proptest::option::of(arb_month()),
                  to in proptest::option::of(arb_month())) -> OwnershipLink {
        let f = from.map(|(y, m)| month(y, m)).unwrap_or_default();
        let t = to.map(|(y, m)| month(y, m)).unwrap_or_default();
        OwnershipLink {
            owner: BRANDS[owner].to_string(),
            name: BRANDS[name].to_string(),
            validity: Validity::parse(&f, &t).unwrap(),
            source: RuleSource::new("links.json", None),
        }
    }
}

prop_compose! {
    fn arb_registry()(tags in proptest::collection::vec(("[ab]{1,2}", 0usize..5), 0..6),
                      addrs in proptest::collection::vec(("[xy][0-3]", 0usize..5), 0..6),
                      links in proptest::collection::vec(arb_link(), 0..6)) -> Registry {
        let mut r = Registry::new("test");
        for (t, b) in tags {
            r.add_identifier(IdentifierRule { pattern: t, entity: BRANDS[b].into(), source: RuleSource::new("ids", None) });
        }
        for (a, b) in addrs {
            r.add_address(AddressRule { address: a, entity: BRANDS[b].into(), source: RuleSource::new("addrs", None) });
        }
        for l in links { r.add_link(l); }
        r
    }
}

fn date_of((y, m): (i32, u32), d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

type RawEvidence = (Option<String>, Option<Vec<String>>);

fn arb_raw() -> impl Strategy<Value = RawEvidence> {
    (
        proptest::option::of("[ab]{0,4}"),
        proptest::option::of(proptest::collection::vec("[xy][0-5]", 0..3)),
    )
}

fn evidence(date: NaiveDate, raw: &[RawEvidence]) -> Vec<Evidence> {
    raw.iter()
        .map(|(ids, addrs)| {
            let mut e = Evidence::block(date);
            e.identifiers = ids.clone();
            e.reward_addresses = addrs.clone();
            e
        })
        .collect()
}

fn opts(clustering: bool, unattributed: Unattributed) -> ResolveOptions {
    ResolveOptions {
        clustering,
        unattributed,
    }
}

proptest! {
    #[test]
    fn resolution_is_deterministic(r in arb_registry(), m in arb_month(), d in 1u32..=28,
                                   raw in proptest::collection::vec(arb_raw(), 1..8)) {
        let evs = evidence(date_of(m, d), &raw);
        let copy = r.clone();
        for ev in &evs {
            for u in Unattributed::ALL {
                for c in [true, false] {
                    let a = r.resolve(ev, opts(c, u));
                    prop_assert_eq!(&a, &r.resolve(ev, opts(c, u)));
                    prop_assert_eq!(&a, &copy.resolve(ev, opts(c, u)));
                    let x = r.explain_evidence("s", ev, opts(c, u));
                    prop_assert_eq!(&x.attribution, &a);
                }
            }
        }
    }

    #[test]
    fn clustering_never_increases_entities(r in arb_registry(), m in arb_month(), d in 1u32..=28, raw in proptest::collection::vec(arb_raw(), 1..20)) {
        let evs = evidence(date_of(m, d), &raw);
        for u in Unattributed::ALL {
            let count = |c: bool| evs.iter().filter_map(|e| r.resolve(e, opts(c, u))).map(|a| a.entity).collect::<BTreeSet<_>>().len();
            prop_assert!(count(true) <= count(false));
        }
    }

    #[test]
    fn link_applies_only_inside_validity(link in arb_link(), m in (2017i32..2025, 1u32..=12), d in 1u32..=28) {
        prop_assume!(link.owner != link.name);
        let date = date_of(m, d);
        let mut r = Registry::new("test");
        r.add_identifier(IdentifierRule { pattern: "tag".into(), entity: link.name.clone(), source: RuleSource::new("ids", None) });
        r.add_link(link.clone());
        let mut ev = Evidence::block(date);
        ev.identifiers = Some("tag".into());
        let a = r.resolve(&ev, ResolveOptions::default()).unwrap();
        // Independent reading of EDI's rule: [first day of `from` month, first day of `to` month).
        let key = (date.year(), date.month());
        let after_from = link.validity.from.is_empty() || month(key.0, key.1) >= link.validity.from;
        let before_to = link.validity.to.is_empty() || month(key.0, key.1) < link.validity.to;
        let inside = after_from && before_to;
        prop_assert_eq!(a.entity == link.owner, inside, "date {} link {:?}", date, link.validity);
        prop_assert_eq!(a.owner_source.is_some(), inside);
    }
}

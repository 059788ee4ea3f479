use chrono::NaiveDate;
use powermap_attribution::{
    Evidence, Registry, ResolveOptions, StepKind, Unattributed, SPECIAL_ADDRESS, UNDEFINED_PRODUCER,
};
use powermap_model::Rule;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sample() -> Registry {
    let mut r = Registry::new("bitcoin");
    r.add_edi_identifiers(
        "identifiers/bitcoin.json",
        r#"{"/AntPool/": {"name": "AntPool", "link": "https://www.antpool.com"},
            "Mined by AntPool": {"name": "AntPool", "link": "https://www.antpool.com"},
            "/BTC.COM/": {"name": "BTC.COM", "link": "https://pool.btc.com"}}"#,
    )
    .unwrap();
    r.add_edi_addresses(
        "addresses/bitcoin.json",
        r#"{"1Pool": {"name": "Poolin", "source": "blockchain.com"},
            "1F2": {"name": "F2Pool", "source": "blockchain.com"},
            "1Ant": {"name": "AntPool", "source": "blockchain.com"}}"#,
    )
    .unwrap();
    r.add_edi_legal_links(
        "legal_links.json",
        r#"{"Bitmain": [
              {"name": "AntPool", "from": "", "to": "", "source": "https://www.coindesk.com/company/antpool/"},
              {"name": "BTC.COM", "from": "", "to": "2020-12", "source": "https://theblock.example/1"}],
            "Bitdeer": [{"name": "BTC.COM", "from": "2020-12", "to": "2021-04", "source": "https://theblock.example/1"}],
            "BIT Mining": [{"name": "BTC.COM", "from": "2021-04", "to": "", "source": "https://ir.example/316"}]}"#,
    )
    .unwrap();
    r.add_edi_special_addresses(
        "special_addresses.json",
        r#"{"bitcoin": [{"address": "1Special", "source": "s"}]}"#,
    )
    .unwrap();
    r
}

fn block(date: &str, ids: &str, addrs: &[&str]) -> Evidence {
    let mut e = Evidence::block(day(date));
    e.identifiers = Some(ids.to_string());
    e.reward_addresses = Some(addrs.iter().map(|s| s.to_string()).collect());
    e
}

#[test]
fn identifiers_beat_addresses_and_links_roll_up() {
    let r = sample();
    let ev = block("2020-09-19", "\u{3}e/AntPool/xyz", &["1Pool"]);
    let a = r.resolve(&ev, ResolveOptions::default()).unwrap();
    assert_eq!(a.rule, Rule::Identifier);
    assert_eq!(
        (a.brand.as_str(), a.entity.as_str()),
        ("AntPool", "Bitmain")
    );
    assert_eq!(a.evidence, "tag \"/AntPool/\"");
    assert!(a
        .source
        .starts_with("identifiers/bitcoin.json (https://www.antpool.com)"));
    assert_eq!(
        a.owner_source.as_deref(),
        Some("legal_links.json (https://www.coindesk.com/company/antpool/)")
    );
    let off = ResolveOptions {
        clustering: false,
        ..ResolveOptions::default()
    };
    assert_eq!(r.resolve(&ev, off).unwrap().entity, "AntPool");
}

#[test]
fn ownership_follows_the_month() {
    let r = sample();
    let owner = |d: &str| {
        r.resolve(&block(d, "/BTC.COM/", &[]), ResolveOptions::default())
            .unwrap()
            .entity
    };
    assert_eq!(owner("2020-11-30"), "Bitmain");
    assert_eq!(owner("2020-12-01"), "Bitdeer");
    assert_eq!(owner("2021-03-31"), "Bitdeer");
    assert_eq!(owner("2021-04-01"), "BIT Mining");
}

#[test]
fn multi_pool_addresses_join_sorted_and_specials_are_dropped() {
    let r = sample();
    let a = r
        .resolve(
            &block("2021-01-01", "", &["1Pool", "1F2", "1Special"]),
            ResolveOptions::default(),
        )
        .unwrap();
    assert_eq!(
        (a.rule, a.entity.as_str()),
        (Rule::Address, "F2Pool/Poolin")
    );
    let u = r
        .resolve(
            &block("2021-01-01", "", &["z9", "a1", "1Special"]),
            ResolveOptions::default(),
        )
        .unwrap();
    assert_eq!((u.rule, u.entity.as_str()), (Rule::Unattributed, "a1/z9"));
    let s = r
        .resolve(
            &block("2021-01-01", "", &["1Special"]),
            ResolveOptions::default(),
        )
        .unwrap();
    assert_eq!(s.entity, SPECIAL_ADDRESS);
    let mut none = Evidence::block(day("2021-01-01"));
    none.reward_addresses = None;
    assert_eq!(
        r.resolve(&none, ResolveOptions::default()).unwrap().entity,
        UNDEFINED_PRODUCER
    );
}

#[test]
fn unattributed_treatments() {
    let r = sample();
    let ev = block("2021-01-01", "nothing", &["1Unknown"]);
    for (u, expect) in [
        (
            Unattributed::Separate,
            Some(("1Unknown", Rule::Unattributed)),
        ),
        (Unattributed::Bucket, Some(("unknown", Rule::UnknownBucket))),
        (Unattributed::Exclude, None),
    ] {
        let opts = ResolveOptions {
            clustering: true,
            unattributed: u,
        };
        let got = r.resolve(&ev, opts);
        assert_eq!(
            got.as_ref().map(|a| (a.entity.as_str(), a.rule)),
            expect,
            "{u}"
        );
        assert_eq!(u.id().parse::<Unattributed>().unwrap(), u);
    }
    let ids: Vec<_> = Unattributed::ALL.iter().map(|u| u.id()).collect();
    assert_eq!(ids, ["separate", "unknown", "exclude"]);
    assert!("bucket".parse::<Unattributed>().is_err());
}

#[test]
fn explain_shows_chain_losers_and_links_out_of_force() {
    let r = sample();
    let ev = block("2020-09-19", "Mined by AntPool/AntPool/", &["1Ant"]);
    let x = r.explain_evidence("block 649061", &ev, ResolveOptions::default());
    let kinds: Vec<_> = x.chain.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [StepKind::Identifier, StepKind::Ownership]);
    assert_eq!(x.chain[1].to, "Bitmain");
    assert_eq!(x.lost.len(), 2, "{x}");
    assert_eq!(x.lost[0].kind, StepKind::Identifier);
    assert_eq!(x.lost[1].kind, StepKind::Address);
    let text = x.to_string();
    assert!(
        text.contains("\"block 649061\" on 2020-09-19 → \"Bitmain\""),
        "{text}"
    );
    assert!(text.contains("lost on precedence:"), "{text}");
    assert!(text.contains("legal link, valid always; legal_links.json (https://www.coindesk.com/company/antpool/)"), "{text}");

    let y = r.explain("/BTC.COM/", day("2021-01-15"), ResolveOptions::default());
    assert_eq!(y.attribution.as_ref().unwrap().entity, "Bitdeer");
    assert_eq!(y.links_not_in_force.len(), 2, "{y}");
    let text = y.to_string();
    assert!(
        text.contains("valid 2020-12 … 2021-03-31 (to 2021-04 excluded)"),
        "{text}"
    );
    assert!(
        text.contains("ownership links not in force on 2021-01-15:"),
        "{text}"
    );
}

#[test]
fn cardano_style_exact_tickers_clusters_and_no_address_rule() {
    let mut r = Registry::new("cardano");
    r.set_identifier_match(powermap_attribution::IdentifierMatch::Exact);
    r.add_edi_identifiers(
        "identifiers/cardano.json",
        r#"{"ARRA": {"name": "Arrakis"}}"#,
    )
    .unwrap();
    r.add_edi_clusters(
        "clusters/cardano.json",
        r#"{"1d89": {"cluster": "1 Percent Pool", "pool": "1 Percent Pool #5 (v1)", "source": "homepage"}}"#,
    )
    .unwrap();
    r.set_no_address_entity(
        "Input Output (iohk.io)",
        powermap_attribution::RuleSource::new("edi", None),
    );
    let mut ev = Evidence::block(day("2020-12-31"));
    ev.identifiers = Some("ARRAX".into());
    ev.reward_addresses = Some(vec!["1d89".into()]);
    let a = r.resolve(&ev, ResolveOptions::default()).unwrap();
    assert_eq!(
        (a.rule, a.entity.as_str()),
        (Rule::Cluster, "1 Percent Pool")
    );
    assert!(a.source.contains("clustered by homepage"));
    ev.identifiers = Some("ARRA".into());
    assert_eq!(
        r.resolve(&ev, ResolveOptions::default()).unwrap().entity,
        "Arrakis"
    );
    ev.identifiers = Some("1PCT5".into());
    ev.reward_addresses = None;
    let io = r.resolve(&ev, ResolveOptions::default()).unwrap();
    assert_eq!(
        (io.rule, io.entity.as_str()),
        (Rule::Address, "Input Output (iohk.io)")
    );
}

#[test]
fn pool_list_entries_add_tags_and_addresses() {
    let mut r = Registry::new("bitcoin");
    let n = r
        .add_pool_list_entry(
            "pools/antpool.json",
            r#"{"id": 61, "name": "AntPool", "addresses": ["12dRug"], "tags": ["/AntPool/", "Mined by AntPool"], "link": "https://www.antpool.com"}"#,
        )
        .unwrap();
    assert_eq!(n, 3);
    let a = r
        .resolve_subject("12dRug", day("2021-01-01"), ResolveOptions::default())
        .unwrap();
    assert_eq!((a.rule, a.entity.as_str()), (Rule::Address, "AntPool"));
    assert_eq!(a.source, "pools/antpool.json (https://www.antpool.com)");
    let e = r
        .add_pool_list_entry("pools/x.json", r#"{"name": "X", "tags": [1]}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "pools/x.json: entry `X`: field `tags`: expected a list of strings"
    );
}

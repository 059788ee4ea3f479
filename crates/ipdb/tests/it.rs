//! The shipped snapshot answers like the upstream CSV files it was built from, and bad files
//! are clear errors.

use std::net::IpAddr;

use powermap_ipdb::{Builder, IpDb, IpDbError, SourceMeta};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn builtin_snapshot_matches_known_upstream_rows() {
    let db = IpDb::builtin().unwrap();
    assert_eq!(db.label(), "ip-location-db 2026-06-17");
    assert_eq!(db.meta().sources.len(), 2);
    // asn-ipv4.csv: `1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."`
    let h = db.lookup(ip("1.0.0.77"));
    let asn = h.asn.unwrap();
    assert_eq!(asn.asn, 13335);
    assert_eq!(asn.organisation.as_deref(), Some("Cloudflare, Inc."));
    assert_eq!(asn.prefix.to_string(), "1.0.0.0/24");
    // geo-whois-asn-country-ipv4.csv: `1.0.0.0,1.0.0.255,AU`
    assert_eq!(h.country.unwrap().code, "AU");
    // asn-ipv6.csv: `2001:200::,2001:200:1b9:ffff:…,2500,WIDE Project` (not a CIDR block:
    // the address's own block inside it is reported).
    let v6 = db.asn(ip("2001:200::1")).unwrap();
    assert_eq!(v6.asn, 2500);
    assert_eq!(v6.prefix.to_string(), "2001:200::/40");
    assert_eq!(v6.range.1, ip("2001:200:1b9:ffff:ffff:ffff:ffff:ffff"));
    // IPv4-mapped IPv6 is looked up as IPv4.
    assert_eq!(db.asn(ip("::ffff:1.0.0.77")).unwrap().asn, 13335);
    // Private space is in no table.
    assert_eq!(db.lookup(ip("10.1.2.3")), Default::default());
    assert!(db.asn_ranges().any(|r| r.2 == 13335));
}

#[test]
fn build_save_load_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let asn4 = dir.path().join("asn4.csv");
    let asn6 = dir.path().join("asn6.csv");
    let cc4 = dir.path().join("cc4.csv");
    let cc6 = dir.path().join("cc6.csv");
    std::fs::write(&asn4, "16777216,16777471,13335,\"Cloudflare, Inc.\"\n16777472,16777727,13335,\n16777500,16777510,64500,Test\n").unwrap();
    std::fs::write(&asn6, "42540528726795050063891204319802818560,42540528727329395276160870415022948351,2500,WIDE Project\n").unwrap();
    std::fs::write(&cc4, "16777216,16777471,AU\n").unwrap();
    std::fs::write(&cc6, "").unwrap();
    let mut b = Builder::new();
    b.add_asn_file(&asn4, false).unwrap();
    b.add_asn_file(&asn6, true).unwrap();
    b.add_country_file(&cc4, false).unwrap();
    b.add_country_file(&cc6, true).unwrap();
    let meta = SourceMeta {
        package: "test".into(),
        version: "1".into(),
        licence: "CC0-1.0".into(),
        attribution: "test".into(),
        covers: "asn".into(),
    };
    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    let (db, report) = b.finish("test-db", date, vec![meta]);
    assert_eq!(report.overlaps, 1);
    let c = db.counts();
    // The two adjacent 13335 rows merge, then the overlap splits them around 64500.
    assert_eq!(
        (c.v4_asn, c.v6_asn, c.v4_country, c.v6_country),
        (3, 1, 1, 0)
    );
    let out = dir.path().join("db.pmipdb.gz");
    db.save(&out).unwrap();
    let back = IpDb::load(&out).unwrap();
    assert_eq!(back, db);
    assert_eq!(back.label(), "test-db 2026-01-02");
    assert_eq!(back.asn(ip("1.0.1.30")).unwrap().asn, 64500);
    assert_eq!(back.asn(ip("1.0.1.39")).unwrap().asn, 13335);
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.csv");
    std::fs::write(&p, "1,2,13335,A\n5,x,1,B\n").unwrap();
    let e = Builder::new().add_asn_file(&p, false).unwrap_err();
    assert!(
        matches!(
            &e,
            IpDbError::Row {
                line: 2,
                field: "ip_range_end",
                ..
            }
        ),
        "{e}"
    );
    std::fs::write(&p, "1,2,Germany\n").unwrap();
    let e = Builder::new()
        .add_country_file(&p, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains(":1: field `country_code`"), "{e}");

    // Not gzip; gzip but not ours; ours but truncated.
    let f = dir.path().join("db");
    std::fs::write(&f, b"hello").unwrap();
    assert!(IpDb::load(&f)
        .unwrap_err()
        .to_string()
        .contains("not a gzip stream"));
    let gz = |bytes: &[u8]| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    std::fs::write(&f, gz(b"hello")).unwrap();
    assert!(IpDb::load(&f)
        .unwrap_err()
        .to_string()
        .contains("wrong magic"));
    std::fs::write(&f, gz(b"PMIPDB\x01\n\x05{}")).unwrap();
    assert!(IpDb::load(&f)
        .unwrap_err()
        .to_string()
        .contains("truncated"));
    assert!(IpDb::load(&dir.path().join("missing")).is_err());
}

//! `build-ipdb --dir DIR --asn-version V --country-version V --out FILE`: builds a snapshot
//! from the unpacked npm packages `@ip-location-db/asn` and
//! `@ip-location-db/geo-whois-asn-country` (their `package/` folders side by side under DIR as
//! `asn/` and `country/`). Run by `crates/ipdb/build-snapshot.sh`, which fetches them.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use powermap_ipdb::{Builder, SourceMeta};

const USAGE: &str =
    "usage: build-ipdb --dir DIR --asn-version V --country-version V --out FILE [--date YYYY-MM-DD]";

/// ip-location-db versions end in the build time: `2.3.2026061719` → 2026-06-17.
fn version_date(v: &str) -> Option<NaiveDate> {
    let stamp = v.rsplit('.').next()?;
    NaiveDate::parse_from_str(stamp.get(..8)?, "%Y%m%d").ok()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut asn_v, mut cc_v, mut out, mut date) = (None, None, None, None, None);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--dir", Some(v)) => dir = Some(PathBuf::from(v)),
            ("--asn-version", Some(v)) => asn_v = Some(v),
            ("--country-version", Some(v)) => cc_v = Some(v),
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--date", Some(v)) => date = NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok(),
            _ => {
                eprintln!("build-ipdb: bad argument `{a}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(dir), Some(asn_v), Some(cc_v), Some(out)) = (dir, asn_v, cc_v, out) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(date) = date.or_else(|| version_date(&asn_v)) else {
        eprintln!("build-ipdb: no date in version `{asn_v}`: pass --date YYYY-MM-DD");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let mut b = Builder::new();
        b.add_asn_file(&dir.join("asn/asn-ipv4-num.csv"), false)?;
        b.add_asn_file(&dir.join("asn/asn-ipv6-num.csv"), true)?;
        b.add_country_file(
            &dir.join("country/geo-whois-asn-country-ipv4-num.csv"),
            false,
        )?;
        b.add_country_file(
            &dir.join("country/geo-whois-asn-country-ipv6-num.csv"),
            true,
        )?;
        let sources = vec![
            SourceMeta {
                package: "@ip-location-db/asn".into(),
                version: asn_v.clone(),
                licence: "CC-BY-4.0".into(),
                attribution: "RouteViews (routeviews.org), NRO / the five RIRs (nro.net) and DB-IP (db-ip.com), via sapics/ip-location-db".into(),
                covers: "asn".into(),
            },
            SourceMeta {
                package: "@ip-location-db/geo-whois-asn-country".into(),
                version: cc_v.clone(),
                licence: "CC0-1.0".into(),
                attribution: "sapics/ip-location-db (GeoFeed > WHOIS > ASN country, NRO statistics)".into(),
                covers: "country".into(),
            },
        ];
        let (db, report) = b.finish("ip-location-db", date, sources);
        db.save(&out)?;
        for (file, rows) in &report.rows {
            println!("{file}: {rows} rows");
        }
        let c = db.counts();
        println!(
            "{}: {} IPv4 + {} IPv6 ASN ranges, {} IPv4 + {} IPv6 country ranges, {} AS names; {} overlaps resolved, {} rows dropped; {} bytes",
            out.display(),
            c.v4_asn,
            c.v6_asn,
            c.v4_country,
            c.v6_country,
            c.names,
            report.overlaps,
            report.dropped,
            std::fs::metadata(&out)?.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("build-ipdb: {e}");
            ExitCode::from(2)
        }
    }
}

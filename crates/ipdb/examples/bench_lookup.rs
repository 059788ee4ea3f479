//! `cargo run --release -p powermap-ipdb --example bench_lookup [FILE]`: snapshot size, load
//! time, memory of the tables and lookup speed (1 M IPv4 and 1 M IPv6 addresses, random over
//! the routed space, each a full `lookup`: AS + organisation + country + prefixes).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Instant;

use powermap_ipdb::{IpDb, BUILTIN_FILE};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("{}/../../{BUILTIN_FILE}", env!("CARGO_MANIFEST_DIR")));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let db = IpDb::load(path.as_ref()).expect("loading the snapshot");
    let load = t.elapsed();
    let c = db.counts();
    // starts + ends + values per range; names roughly 4 + 24 bytes of String + text.
    let tables = (c.v4_asn + c.v4_country) * 12 + (c.v6_asn + c.v6_country) * 36;
    println!(
        "{path}: {size} bytes on disk, loaded in {:.0} ms; {} + {} ASN ranges, {} + {} country ranges (≈ {:.1} MB of tables), {} AS names",
        load.as_secs_f64() * 1e3,
        c.v4_asn,
        c.v6_asn,
        c.v4_country,
        c.v6_country,
        tables as f64 / 1e6,
        c.names
    );
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    const N: usize = 1_000_000;
    let v4: Vec<IpAddr> = (0..N)
        .map(|_| IpAddr::V4(Ipv4Addr::from(next() as u32)))
        .collect();
    // 2000::/3 is the routed IPv6 space.
    let v6: Vec<IpAddr> = (0..N)
        .map(|_| {
            let hi = (u128::from(next()) << 64) | u128::from(next());
            IpAddr::V6(Ipv6Addr::from((hi >> 3) | (1u128 << 125)))
        })
        .collect();
    for (name, ips) in [("IPv4", &v4), ("IPv6", &v6)] {
        let t = Instant::now();
        let mut found = 0usize;
        for ip in ips {
            let h = db.lookup(*ip);
            found += usize::from(h.asn.is_some()) + usize::from(h.country.is_some());
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name}: {N} lookups in {:.0} ms = {:.2} M lookups/s ({:.0} ns each; {found} hits)",
            secs * 1e3,
            N as f64 / secs / 1e6,
            secs * 1e9 / N as f64
        );
    }
}

//! Offline IP → AS number / organisation / country attribution, reproducible by anyone.
//!
//! ```text
//! @ip-location-db/asn (CC-BY-4.0)          ─┐  build-snapshot.sh   ┌─▶ IpDb::lookup(ip)
//! @ip-location-db/geo-whois-asn-country (CC0)┘ ──────────────────▶ data/ip-location-db/*.pmipdb.gz
//!                                                                     AS, organisation, country,
//!                                                                     matched prefix, db + date
//! ```
//!
//! A database is four tables of sorted, disjoint address ranges (IPv4/IPv6 × ASN/country),
//! looked up by binary search, plus the AS organisation names and the snapshot's metadata
//! (packages, versions, date, licences). Every [`Hit`] carries the CIDR prefix that matched, so
//! an attribution can be checked against the database by hand. The snapshot shipped in `data/`
//! is built in ([`IpDb::builtin`]); `--ipdb FILE` loads a newer one ([`IpDb::load`]).
//!
//! ```
//! let db = powermap_ipdb::IpDb::builtin().unwrap();
//! let hit = db.lookup("1.1.1.1".parse().unwrap());
//! let asn = hit.asn.unwrap();
//! assert_eq!(asn.asn, 13335);
//! assert!(asn.prefix.to_string().starts_with("1.1.1.0/"));
//! assert!(db.label().starts_with("ip-location-db "));
//! ```

mod build;
mod error;
mod format;
mod ranges;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use build::{BuildReport, Builder};
pub use error::{IpDbError, Result};
use ranges::{prefix_len, Key, Ranges};

/// The snapshot shipped in `data/ip-location-db/` (see its `README.md`).
pub const BUILTIN_FILE: &str = "data/ip-location-db/ip-location-db-2026-06-17.pmipdb.gz";
const BUILTIN: &[u8] =
    include_bytes!("../../../data/ip-location-db/ip-location-db-2026-06-17.pmipdb.gz");

/// Where a snapshot's data comes from: one upstream package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// Package name (e.g. `@ip-location-db/asn`).
    pub package: String,
    /// Package version (ip-location-db versions end in the build time, `YYYYMMDDHH`).
    pub version: String,
    /// SPDX licence of the data.
    pub licence: String,
    /// The attribution the licence asks for.
    pub attribution: String,
    /// What the package gives: `asn` or `country`.
    pub covers: String,
}

/// A snapshot's metadata, stored in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Database name, e.g. `ip-location-db`.
    pub name: String,
    /// The day the upstream data was built.
    pub date: NaiveDate,
    /// The packages it was built from.
    pub sources: Vec<SourceMeta>,
    /// Build notes (rows dropped, overlaps resolved), for people.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A CIDR prefix: the block of the database that matched an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Prefix {
    /// First address of the block.
    pub network: IpAddr,
    /// Prefix length.
    pub len: u8,
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.len)
    }
}

/// The AS an address is routed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsnHit {
    /// AS number.
    pub asn: u32,
    /// The organisation the database names for it (DB-IP's names), if any.
    pub organisation: Option<String>,
    /// The CIDR block containing the address inside the matched range.
    pub prefix: Prefix,
    /// The matched range as the database gives it (inclusive).
    pub range: (IpAddr, IpAddr),
}

/// The country an address is registered in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryHit {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// The CIDR block containing the address inside the matched range.
    pub prefix: Prefix,
    /// The matched range as the database gives it (inclusive).
    pub range: (IpAddr, IpAddr),
}

/// What the database says about one address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hit {
    /// The AS, when a range holds the address.
    pub asn: Option<AsnHit>,
    /// The country, when a range holds the address.
    pub country: Option<CountryHit>,
}

/// An IP database snapshot in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct IpDb {
    meta: Meta,
    names: Vec<(u32, String)>,
    countries: Vec<[u8; 2]>,
    v4_asn: Ranges<u32>,
    v6_asn: Ranges<u128>,
    v4_country: Ranges<u32>,
    v6_country: Ranges<u128>,
}

/// Sizes of a database, for reports and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// IPv4 ASN ranges.
    pub v4_asn: usize,
    /// IPv6 ASN ranges.
    pub v6_asn: usize,
    /// IPv4 country ranges.
    pub v4_country: usize,
    /// IPv6 country ranges.
    pub v6_country: usize,
    /// AS organisation names.
    pub names: usize,
}

impl IpDb {
    /// The snapshot built into the binary ([`BUILTIN_FILE`]), decoded once per process.
    pub fn builtin() -> Result<Arc<IpDb>> {
        static DB: OnceLock<std::result::Result<Arc<IpDb>, String>> = OnceLock::new();
        DB.get_or_init(|| {
            format::decode(BUILTIN, BUILTIN_FILE)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| IpDbError::Format {
            path: BUILTIN_FILE.into(),
            message,
        })
    }

    /// The snapshot at `path`, or the built-in one when `None`.
    pub fn open(path: Option<&Path>) -> Result<Arc<IpDb>> {
        match path {
            Some(p) => IpDb::load(p).map(Arc::new),
            None => IpDb::builtin(),
        }
    }

    /// Loads a snapshot file (as written by [`IpDb::save`] or `build-snapshot.sh`).
    pub fn load(path: &Path) -> Result<IpDb> {
        let bytes = std::fs::read(path).map_err(|source| IpDbError::Io {
            path: path.display().to_string(),
            source,
        })?;
        format::decode(&bytes, &path.display().to_string())
    }

    /// Writes the snapshot atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |source| IpDbError::Io {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, format::encode(self)).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The metadata.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// `<name> <date>`, the label every attribution records (e.g. `ip-location-db 2026-06-17`).
    pub fn label(&self) -> String {
        format!("{} {}", self.meta.name, self.meta.date)
    }

    /// Table sizes.
    pub fn counts(&self) -> Counts {
        Counts {
            v4_asn: self.v4_asn.len(),
            v6_asn: self.v6_asn.len(),
            v4_country: self.v4_country.len(),
            v6_country: self.v6_country.len(),
            names: self.names.len(),
        }
    }

    /// AS and country of `ip` (IPv4-mapped IPv6 addresses are looked up as IPv4).
    pub fn lookup(&self, ip: IpAddr) -> Hit {
        Hit {
            asn: self.asn(ip),
            country: self.country(ip),
        }
    }

    /// The AS of `ip`.
    pub fn asn(&self, ip: IpAddr) -> Option<AsnHit> {
        let (i, prefix, range) = match canonical(ip) {
            IpAddr::V4(a) => hit(&self.v4_asn, u32::from(a))?,
            IpAddr::V6(a) => hit(&self.v6_asn, u128::from(a))?,
        };
        let asn = match canonical(ip) {
            IpAddr::V4(_) => self.v4_asn.values[i],
            IpAddr::V6(_) => self.v6_asn.values[i],
        };
        Some(AsnHit {
            asn,
            organisation: self.organisation(asn).map(str::to_string),
            prefix,
            range,
        })
    }

    /// The country of `ip`.
    pub fn country(&self, ip: IpAddr) -> Option<CountryHit> {
        let (code, prefix, range) = match canonical(ip) {
            IpAddr::V4(a) => {
                let (i, p, r) = hit(&self.v4_country, u32::from(a))?;
                (self.v4_country.values[i], p, r)
            }
            IpAddr::V6(a) => {
                let (i, p, r) = hit(&self.v6_country, u128::from(a))?;
                (self.v6_country.values[i], p, r)
            }
        };
        let code = self.countries.get(code as usize)?;
        Some(CountryHit {
            code: String::from_utf8_lossy(code).into_owned(),
            prefix,
            range,
        })
    }

    /// What the database says about `ip`, for people: the snapshot, then the AS and the
    /// country with the prefix and range each matched and the package (and licence) it comes
    /// from.
    pub fn explain(&self, ip: IpAddr) -> String {
        let from = |covers: &str| {
            self.meta
                .sources
                .iter()
                .find(|s| s.covers == covers)
                .map_or(String::new(), |s| {
                    format!(
                        " [{} {}, {}: {}]",
                        s.package, s.version, s.licence, s.attribution
                    )
                })
        };
        let hit = self.lookup(ip);
        let mut out = format!("{ip} in {}:\n", self.label());
        match &hit.asn {
            Some(a) => out.push_str(&format!(
                "  AS{}{} — prefix {} of range {}–{}{}\n",
                a.asn,
                a.organisation
                    .as_deref()
                    .map_or(String::new(), |o| format!(" ({o})")),
                a.prefix,
                a.range.0,
                a.range.1,
                from("asn")
            )),
            None => out.push_str("  AS: not in the database (unattributed)\n"),
        }
        match &hit.country {
            Some(c) => out.push_str(&format!(
                "  country {} — prefix {} of range {}–{}{}\n",
                c.code,
                c.prefix,
                c.range.0,
                c.range.1,
                from("country")
            )),
            None => out.push_str("  country: not in the database (unattributed)\n"),
        }
        out
    }

    /// The organisation name of an AS, if the database has one.
    pub fn organisation(&self, asn: u32) -> Option<&str> {
        self.names
            .binary_search_by_key(&asn, |(a, _)| *a)
            .ok()
            .map(|i| self.names[i].1.as_str())
    }

    /// Every ASN range as `(first, last, AS number)`, IPv4 first, in address order (for
    /// tools and test fixtures that need addresses of a given AS).
    pub fn asn_ranges(&self) -> impl Iterator<Item = (IpAddr, IpAddr, u32)> + '_ {
        let v4 = (0..self.v4_asn.len()).map(|i| {
            (
                addr(self.v4_asn.starts[i]),
                addr(self.v4_asn.ends[i]),
                self.v4_asn.values[i],
            )
        });
        let v6 = (0..self.v6_asn.len()).map(|i| {
            (
                addr(self.v6_asn.starts[i]),
                addr(self.v6_asn.ends[i]),
                self.v6_asn.values[i],
            )
        });
        v4.chain(v6)
    }
}

impl IpDb {
    /// Every country range as `(first, last, ISO code)`, IPv4 first, in address order.
    pub fn country_ranges(&self) -> impl Iterator<Item = (IpAddr, IpAddr, &str)> + '_ {
        let code = |v: u32| {
            self.countries
                .get(v as usize)
                .and_then(|c| std::str::from_utf8(c).ok())
                .unwrap_or("")
        };
        let v4 = (0..self.v4_country.len()).map(move |i| {
            (
                addr(self.v4_country.starts[i]),
                addr(self.v4_country.ends[i]),
                code(self.v4_country.values[i]),
            )
        });
        let v6 = (0..self.v6_country.len()).map(move |i| {
            (
                addr(self.v6_country.starts[i]),
                addr(self.v6_country.ends[i]),
                code(self.v6_country.values[i]),
            )
        });
        v4.chain(v6)
    }
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn addr<K: Key>(k: K) -> IpAddr {
    if K::BITS == 32 {
        IpAddr::V4(Ipv4Addr::from(k.wide() as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(k.wide()))
    }
}

fn hit<K: Key>(r: &Ranges<K>, k: K) -> Option<(usize, Prefix, (IpAddr, IpAddr))> {
    let i = r.find(k)?;
    let (s, e) = (r.starts[i], r.ends[i]);
    let len = prefix_len(k.wide(), s.wide(), e.wide(), K::BITS);
    let host = K::BITS - u32::from(len);
    let low = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    let network = K::narrow(k.wide() & !low);
    Some((
        i,
        Prefix {
            network: addr(network),
            len,
        },
        (addr(s), addr(e)),
    ))
}

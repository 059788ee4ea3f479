//! Building a snapshot from ip-location-db's CSV files (the `-num` variants: addresses as
//! integers): `start,end,asn,organisation` for ASN files, `start,end,country` for country files.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::error::{IpDbError, Result};
use crate::ranges::{Key, Ranges};
use crate::{IpDb, Meta, SourceMeta};

/// What a build read and changed, for the snapshot's README and notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Rows read per file, in the order given.
    pub rows: Vec<(String, u64)>,
    /// Rows that overlapped another row of the same file (a narrower range wins).
    pub overlaps: usize,
    /// Rows dropped because their range lies outside the file's address family.
    pub dropped: u64,
}

/// Collects upstream CSV files into an [`IpDb`].
#[derive(Debug, Default)]
pub struct Builder {
    v4_asn: Vec<(u32, u32, u32)>,
    v6_asn: Vec<(u128, u128, u32)>,
    v4_country: Vec<(u32, u32, u32)>,
    v6_country: Vec<(u128, u128, u32)>,
    /// AS → organisation name → rows naming it.
    names: HashMap<u32, HashMap<String, u64>>,
    countries: Vec<[u8; 2]>,
    report: BuildReport,
}

fn csv_reader(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|source| IpDbError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file))
}

/// Reads `path`, calling `row(line, start, end, value fields)` per record.
fn each_row(
    path: &Path,
    mut row: impl FnMut(u64, u128, u128, &csv::StringRecord) -> Result<()>,
) -> Result<u64> {
    let label = path.display().to_string();
    let mut n = 0;
    for (i, rec) in csv_reader(path)?.records().enumerate() {
        let line = i as u64 + 1;
        let rec = rec.map_err(|source| IpDbError::Csv {
            path: label.clone(),
            source,
        })?;
        let num = |idx: usize, field: &'static str| -> Result<u128> {
            let s = rec.get(idx).unwrap_or("").trim();
            s.parse().map_err(|_| IpDbError::Row {
                path: label.clone(),
                line,
                field,
                message: format!("expected an address as an integer, got {s:?}"),
            })
        };
        let (s, e) = (num(0, "ip_range_start")?, num(1, "ip_range_end")?);
        if e < s {
            return Err(IpDbError::Row {
                path: label.clone(),
                line,
                field: "ip_range_end",
                message: format!("{e} is before the start {s}"),
            });
        }
        row(line, s, e, &rec)?;
        n += 1;
    }
    Ok(n)
}

fn narrow<K: Key>(s: u128, e: u128) -> Option<(K, K)> {
    let max = if K::BITS == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    (e <= max).then(|| (K::narrow(s), K::narrow(e)))
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Reads an ASN file (`asn-ipv4-num.csv` or `asn-ipv6-num.csv`; `v6` says which).
    pub fn add_asn_file(&mut self, path: &Path, v6: bool) -> Result<()> {
        let label = path.display().to_string();
        let mut rows = Vec::new();
        let mut names = Vec::new();
        let n = each_row(path, |line, s, e, rec| {
            let raw = rec.get(2).unwrap_or("").trim();
            let asn: u32 = raw.parse().map_err(|_| IpDbError::Row {
                path: label.clone(),
                line,
                field: "autonomous_system_number",
                message: format!("expected an AS number, got {raw:?}"),
            })?;
            let org = rec.get(3).unwrap_or("").trim();
            if !org.is_empty() {
                names.push((asn, org.to_string()));
            }
            rows.push((s, e, asn));
            Ok(())
        })?;
        for (asn, org) in names {
            *self.names.entry(asn).or_default().entry(org).or_default() += 1;
        }
        self.push(rows, v6, true);
        self.report.rows.push((label, n));
        Ok(())
    }

    /// Reads a country file (`geo-whois-asn-country-ipv4-num.csv` or its IPv6 sibling).
    pub fn add_country_file(&mut self, path: &Path, v6: bool) -> Result<()> {
        let label = path.display().to_string();
        let mut rows = Vec::new();
        let n = each_row(path, |line, s, e, rec| {
            let code = rec.get(2).unwrap_or("").trim();
            let b = code.as_bytes();
            if b.len() != 2 || !b.iter().all(u8::is_ascii_uppercase) {
                return Err(IpDbError::Row {
                    path: label.clone(),
                    line,
                    field: "country_code",
                    message: format!("expected an ISO 3166 alpha-2 code, got {code:?}"),
                });
            }
            let idx = match self.countries.iter().position(|c| c == b) {
                Some(i) => i,
                None => {
                    self.countries.push([b[0], b[1]]);
                    self.countries.len() - 1
                }
            };
            rows.push((s, e, idx as u32));
            Ok(())
        })?;
        self.push(rows, v6, false);
        self.report.rows.push((label, n));
        Ok(())
    }

    fn push(&mut self, rows: Vec<(u128, u128, u32)>, v6: bool, asn: bool) {
        for (s, e, v) in rows {
            if v6 {
                let t = if asn {
                    &mut self.v6_asn
                } else {
                    &mut self.v6_country
                };
                t.push((s, e, v));
            } else if let Some((s, e)) = narrow::<u32>(s, e) {
                let t = if asn {
                    &mut self.v4_asn
                } else {
                    &mut self.v4_country
                };
                t.push((s, e, v));
            } else {
                self.report.dropped += 1;
            }
        }
    }

    /// Flattens the tables and names the snapshot.
    pub fn finish(
        self,
        name: &str,
        date: NaiveDate,
        sources: Vec<SourceMeta>,
    ) -> (IpDb, BuildReport) {
        let mut report = self.report;
        let (v4_asn, a) = Ranges::from_rows(self.v4_asn);
        let (v6_asn, b) = Ranges::from_rows(self.v6_asn);
        let (v4_country, c) = Ranges::from_rows(self.v4_country);
        let (v6_country, d) = Ranges::from_rows(self.v6_country);
        report.overlaps = a + b + c + d;
        // Per AS the name most rows give (ties: the alphabetically first), so a rebuild from
        // the same files gives the same snapshot.
        let mut names: Vec<(u32, String)> = self
            .names
            .into_iter()
            .map(|(asn, counts)| {
                let best = counts
                    .into_iter()
                    .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
                    .map(|(n, _)| n)
                    .unwrap_or_default();
                (asn, best)
            })
            .collect();
        names.sort();
        let mut notes = Vec::new();
        if report.overlaps > 0 {
            notes.push(format!(
                "{} upstream rows overlapped another row of their file; the narrower range wins inside its span",
                report.overlaps
            ));
        }
        if report.dropped > 0 {
            notes.push(format!(
                "{} rows of IPv4 files lay outside the IPv4 space and were dropped",
                report.dropped
            ));
        }
        let db = IpDb {
            meta: Meta {
                name: name.to_string(),
                date,
                sources,
                notes,
            },
            names,
            countries: self.countries,
            v4_asn,
            v6_asn,
            v4_country,
            v6_country,
        };
        (db, report)
    }
}

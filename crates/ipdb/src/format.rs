//! The snapshot file: a gzip stream (so `zcat` and `gzip -t` work on it) of
//!
//! ```text
//! "PMIPDB\x01\n"                      magic and format version 1
//! varint n, n bytes                   metadata, JSON (`Meta`)
//! varint n, n × (varint asn, varint len, len bytes)   AS organisation names, by AS number
//! varint n, n × 2 bytes               country codes; country tables store their index
//! 4 × table                           IPv4 ASN, IPv6 ASN, IPv4 country, IPv6 country
//! table: varint n, n × (varint gap, varint size, varint value)
//! ```
//!
//! Ranges are delta-coded: `gap` = start − (previous end + 1) (the first range's previous end
//! is −1), `size` = end − start; varints are LEB128 (unsigned, 7 bits per byte), up to 19
//! bytes for IPv6.

use std::io::{Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::error::{IpDbError, Result};
use crate::ranges::{Key, Ranges};
use crate::{IpDb, Meta};

const MAGIC: &[u8] = b"PMIPDB\x01\n";

fn put(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_table<K: Key>(out: &mut Vec<u8>, r: &Ranges<K>) {
    put(out, r.len() as u128);
    let mut next = 0u128;
    for i in 0..r.len() {
        let (s, e) = (r.starts[i].wide(), r.ends[i].wide());
        put(out, s - next);
        put(out, e - s);
        put(out, u128::from(r.values[i]));
        next = e.wrapping_add(1);
    }
}

/// Encodes a database (gzip, best compression).
pub(crate) fn encode(db: &IpDb) -> Vec<u8> {
    let mut raw = MAGIC.to_vec();
    let meta = serde_json::to_vec(&db.meta).expect("metadata serialises");
    put(&mut raw, meta.len() as u128);
    raw.extend_from_slice(&meta);
    put(&mut raw, db.names.len() as u128);
    for (asn, name) in &db.names {
        put(&mut raw, u128::from(*asn));
        put(&mut raw, name.len() as u128);
        raw.extend_from_slice(name.as_bytes());
    }
    put(&mut raw, db.countries.len() as u128);
    for c in &db.countries {
        raw.extend_from_slice(c);
    }
    put_table(&mut raw, &db.v4_asn);
    put_table(&mut raw, &db.v6_asn);
    put_table(&mut raw, &db.v4_country);
    put_table(&mut raw, &db.v6_country);
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&raw).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a str,
}

impl Cursor<'_> {
    fn err(&self, message: impl Into<String>) -> IpDbError {
        IpDbError::Format {
            path: self.path.to_string(),
            message: format!("{} (at byte {})", message.into(), self.at),
        }
    }

    fn varint(&mut self) -> Result<u128> {
        let mut v = 0u128;
        for shift in (0..128).step_by(7) {
            let b = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| self.err("truncated"))?;
            self.at += 1;
            v |= u128::from(b & 0x7f)
                .checked_shl(shift)
                .filter(|x| x >> shift == u128::from(b & 0x7f))
                .ok_or_else(|| self.err("varint overflows 128 bits"))?;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("varint longer than 19 bytes"))
    }

    fn count(&mut self, max: usize) -> Result<usize> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= max)
            .ok_or_else(|| self.err(format!("count {n} is larger than the data")))
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.err("truncated"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn table<K: Key>(&mut self, values: u32) -> Result<Ranges<K>> {
        // Each range takes at least 3 bytes: the count cannot exceed what is left.
        let n = self.count((self.bytes.len() - self.at) / 3)?;
        let mut r = Ranges {
            starts: Vec::with_capacity(n),
            ends: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
        };
        let max = if K::BITS == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        let mut next = 0u128;
        for i in 0..n {
            if i > 0 && next == 0 {
                return Err(self.err("a range follows the last address"));
            }
            let s = next
                .checked_add(self.varint()?)
                .filter(|&s| s <= max)
                .ok_or_else(|| self.err("range start out of the address space"))?;
            let e = s
                .checked_add(self.varint()?)
                .filter(|&e| e <= max)
                .ok_or_else(|| self.err("range end out of the address space"))?;
            let v = u32::try_from(self.varint()?)
                .ok()
                .filter(|&v| v < values)
                .ok_or_else(|| self.err("range value out of bounds"))?;
            r.starts.push(K::narrow(s));
            r.ends.push(K::narrow(e));
            r.values.push(v);
            next = if e == max { 0 } else { e + 1 };
        }
        Ok(r)
    }
}

/// Decodes a snapshot (`path` labels errors).
pub(crate) fn decode(gz: &[u8], path: &str) -> Result<IpDb> {
    let mut raw = Vec::new();
    GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .map_err(|e| IpDbError::Format {
            path: path.to_string(),
            message: format!("not a gzip stream: {e}"),
        })?;
    let mut c = Cursor {
        bytes: &raw,
        at: 0,
        path,
    };
    if c.take(MAGIC.len()).ok() != Some(MAGIC) {
        return Err(IpDbError::Format {
            path: path.to_string(),
            message: "wrong magic (expected PMIPDB format 1)".into(),
        });
    }
    let n = c.count(raw.len())?;
    let meta: Meta = serde_json::from_slice(c.take(n)?)
        .map_err(|e| c.err(format!("metadata is not valid JSON: {e}")))?;
    let n = c.count(raw.len())?;
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        let asn = u32::try_from(c.varint()?).map_err(|_| c.err("AS number above 2^32"))?;
        let len = c.count(raw.len())?;
        let name = String::from_utf8(c.take(len)?.to_vec())
            .map_err(|_| c.err("organisation name is not UTF-8"))?;
        names.push((asn, name));
    }
    if names.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(c.err("organisation names are not sorted by AS number"));
    }
    let n = c.count(raw.len() / 2)?;
    let mut countries = Vec::with_capacity(n);
    for _ in 0..n {
        let b = c.take(2)?;
        countries.push([b[0], b[1]]);
    }
    let v4_asn = c.table(u32::MAX)?;
    let v6_asn = c.table(u32::MAX)?;
    let v4_country = c.table(countries.len() as u32)?;
    let v6_country = c.table(countries.len() as u32)?;
    if c.at != raw.len() {
        return Err(c.err("trailing bytes"));
    }
    Ok(IpDb {
        meta,
        names,
        countries,
        v4_asn,
        v6_asn,
        v4_country,
        v6_country,
    })
}

//! Sorted, non-overlapping address ranges with a value each, looked up by binary search.
//!
//! IPv4 keys are `u32`, IPv6 keys `u128`; both share the code through [`Key`].

use std::collections::BTreeMap;

/// An address as an integer: `u32` (IPv4) or `u128` (IPv6).
pub(crate) trait Key: Copy + Ord + std::fmt::Debug {
    /// Address width in bits.
    const BITS: u32;
    /// Widens to `u128`.
    fn wide(self) -> u128;
    /// Narrows from `u128` (the value fits by construction).
    fn narrow(v: u128) -> Self;
}

impl Key for u32 {
    const BITS: u32 = 32;
    fn wide(self) -> u128 {
        u128::from(self)
    }
    fn narrow(v: u128) -> Self {
        v as u32
    }
}

impl Key for u128 {
    const BITS: u32 = 128;
    fn wide(self) -> u128 {
        self
    }
    fn narrow(v: u128) -> Self {
        v
    }
}

/// Inclusive ranges `[start, end]` sorted by start, disjoint, each with a `u32` value (an
/// AS number, or an index into the country table).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Ranges<K> {
    pub(crate) starts: Vec<K>,
    pub(crate) ends: Vec<K>,
    pub(crate) values: Vec<u32>,
}

impl<K: Key> Ranges<K> {
    /// Index of the range holding `k`.
    pub(crate) fn find(&self, k: K) -> Option<usize> {
        let i = self.starts.partition_point(|&s| s <= k);
        (i > 0 && self.ends[i - 1] >= k).then(|| i - 1)
    }

    /// Number of ranges.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Builds from raw rows: overlaps resolved (a narrower range wins inside its span, as a
    /// longer prefix does in routing), adjacent ranges with equal values merged. Returns the
    /// ranges and how many rows overlapped another.
    pub(crate) fn from_rows(mut rows: Vec<(K, K, u32)>) -> (Ranges<K>, usize) {
        rows.retain(|r| r.0 <= r.1);
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut reach: Option<K> = None;
        let overlaps = rows
            .iter()
            .filter(|r| {
                let hit = reach.is_some_and(|m| r.0 <= m);
                reach = Some(reach.map_or(r.1, |m| m.max(r.1)));
                hit
            })
            .count();
        let flat = if overlaps == 0 { rows } else { paint(rows) };
        let mut out: Ranges<K> = Ranges {
            starts: Vec::with_capacity(flat.len()),
            ends: Vec::with_capacity(flat.len()),
            values: Vec::with_capacity(flat.len()),
        };
        for (s, e, v) in flat {
            let n = out.len();
            let adjacent = n > 0
                && out.values[n - 1] == v
                && out.ends[n - 1].wide().checked_add(1) == Some(s.wide());
            if adjacent {
                out.ends[n - 1] = e;
            } else {
                out.starts.push(s);
                out.ends.push(e);
                out.values.push(v);
            }
        }
        (out, overlaps)
    }
}

/// Overlapping rows flattened: wider ranges are painted first, narrower ones over them.
fn paint<K: Key>(mut rows: Vec<(K, K, u32)>) -> Vec<(K, K, u32)> {
    rows.sort_by(|a, b| {
        let wa = a.1.wide() - a.0.wide();
        let wb = b.1.wide() - b.0.wide();
        wb.cmp(&wa).then(a.0.cmp(&b.0))
    });
    let mut map: BTreeMap<u128, (u128, u32)> = BTreeMap::new();
    for (s, e, v) in rows {
        let (s, e) = (s.wide(), e.wide());
        let hit: Vec<(u128, (u128, u32))> = map
            .range(..=e)
            .rev()
            .take_while(|(_, (end, _))| *end >= s)
            .map(|(k, x)| (*k, *x))
            .collect();
        for (ks, (ke, kv)) in hit {
            map.remove(&ks);
            if ks < s {
                map.insert(ks, (s - 1, kv));
            }
            if ke > e {
                map.insert(e + 1, (ke, kv));
            }
        }
        map.insert(s, (e, v));
    }
    map.into_iter()
        .map(|(s, (e, v))| (K::narrow(s), K::narrow(e), v))
        .collect()
}

/// Length of the shortest CIDR prefix that contains `ip` and lies inside `[start, end]`
/// (`bits` = address width).
pub(crate) fn prefix_len(ip: u128, start: u128, end: u128, bits: u32) -> u8 {
    for len in 0..=bits {
        let host = bits - len;
        let low = if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        let first = ip & !low;
        let last = first | low;
        if first >= start && last <= end {
            return len as u8;
        }
    }
    bits as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_merge() {
        let (r, n) = Ranges::<u32>::from_rows(vec![(10, 19, 1), (20, 29, 1), (40, 49, 2)]);
        assert_eq!(n, 0);
        assert_eq!(r.len(), 2, "adjacent equal values merge");
        assert_eq!(r.find(25), Some(0));
        assert_eq!(r.find(35), None);
        assert_eq!(r.find(40), Some(1));
        assert_eq!(r.find(9), None);
        assert_eq!(r.find(50), None);
    }

    #[test]
    fn narrower_range_wins_an_overlap() {
        // The upstream ASN file's one overlap has this shape: a /16-ish range and a longer
        // one starting inside it.
        let (r, n) = Ranges::<u32>::from_rows(vec![(0, 99, 1), (50, 59, 2), (90, 120, 3)]);
        assert_eq!(n, 2);
        let got: Vec<_> = (0..r.len())
            .map(|i| (r.starts[i], r.ends[i], r.values[i]))
            .collect();
        assert_eq!(
            got,
            vec![(0, 49, 1), (50, 59, 2), (60, 89, 1), (90, 120, 3)]
        );
    }

    #[test]
    fn prefixes() {
        // 1.0.0.0–1.0.0.255 is a /24.
        let s = 0x0100_0000u128;
        assert_eq!(prefix_len(s + 7, s, s + 255, 32), 24);
        // 1.0.4.0–1.0.7.255 is a /22.
        assert_eq!(prefix_len(s + 0x0500, s + 0x0400, s + 0x07ff, 32), 22);
        // 1.0.0.0–1.0.2.255 is a /23 + a /24: the address picks its own block.
        assert_eq!(prefix_len(s + 0x0100, s, s + 0x02ff, 32), 23);
        assert_eq!(prefix_len(s + 0x0280, s, s + 0x02ff, 32), 24);
        assert_eq!(prefix_len(5, 0, u128::MAX, 128), 0);
    }
}

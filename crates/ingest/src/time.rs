//! RFC 3339 timestamps, parsed and printed without going through chrono's general parser.
//!
//! Text readers spend much of their time on timestamps, so the common shape
//! `YYYY-MM-DDTHH:MM:SS[.fraction]Z` is decoded by hand; anything else (offsets, lowercase `t`,
//! a space separator, leap seconds) falls back to [`DateTime::parse_from_rfc3339`].

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

/// Parses an RFC 3339 timestamp with any offset, converting it to UTC.
pub(crate) fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    parse_fast(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

fn digits<const N: usize>(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(..N)? {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

fn parse_fast(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || *b.last()? != b'Z'
    {
        return None;
    }
    let year = digits::<4>(b)?;
    let month = digits::<2>(&b[5..])?;
    let day = digits::<2>(&b[8..])?;
    let hour = digits::<2>(&b[11..])?;
    let min = digits::<2>(&b[14..])?;
    let sec = digits::<2>(&b[17..])?;
    // Leap seconds (60) and anything odd go to chrono.
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let frac = &b[19..b.len() - 1];
    let nanos = match frac {
        [] => 0,
        [b'.', rest @ ..] if !rest.is_empty() && rest.len() <= 9 => {
            let mut v = 0u32;
            for &c in rest {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                v = v * 10 + u32::from(d);
            }
            v * 10u32.pow(9 - rest.len() as u32)
        }
        _ => return None,
    };
    // Building the date from its parts skips chrono's day-number arithmetic.
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, min, sec, nanos)?;
    Some(NaiveDateTime::new(date, time).and_utc())
}

/// Converts epoch seconds to `DateTime`, remembering the last day: rows in time order share
/// days, and chrono's day-number → date conversion is the slow part.
#[derive(Debug, Default)]
pub(crate) struct DayCache(std::cell::Cell<Option<(i64, NaiveDate)>>);

impl DayCache {
    pub(crate) fn timestamp(&self, secs: i64, nanos: u32) -> Option<DateTime<Utc>> {
        let day = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let date = match self.0.get() {
            Some((d, date)) if d == day => date,
            _ => {
                let date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?.date_naive();
                self.0.set(Some((day, date)));
                date
            }
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(sod, nanos)?;
        Some(NaiveDateTime::new(date, time).and_utc())
    }
}

/// Longest output of [`format_rfc3339`]: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub(crate) const MAX_LEN: usize = 30;

/// Prints `t` as `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into `buf`, returning the bytes used.
///
/// The fraction is printed only when non-zero, with trailing zeros trimmed, so the text parses
/// back to the same instant. Returns `None` for years outside 0000–9999, which RFC 3339 cannot
/// express.
pub(crate) fn format_rfc3339(t: &DateTime<Utc>, buf: &mut [u8; MAX_LEN]) -> Option<usize> {
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    fn put(buf: &mut [u8], mut v: u32) {
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    put(&mut buf[0..4], year);
    buf[4] = b'-';
    put(&mut buf[5..7], t.month());
    buf[7] = b'-';
    put(&mut buf[8..10], t.day());
    buf[10] = b'T';
    put(&mut buf[11..13], t.hour());
    buf[13] = b':';
    put(&mut buf[14..16], t.minute());
    buf[16] = b':';
    // chrono represents a leap second as nanosecond ≥ 1e9 with second 59.
    let (sec, nanos) = if t.nanosecond() >= 1_000_000_000 {
        (60, t.nanosecond() - 1_000_000_000)
    } else {
        (t.second(), t.nanosecond())
    };
    put(&mut buf[17..19], sec);
    let mut len = 19;
    if nanos != 0 {
        buf[19] = b'.';
        put(&mut buf[20..29], nanos);
        len = 29;
        while buf[len - 1] == b'0' {
            len -= 1;
        }
    }
    buf[len] = b'Z';
    Some(len + 1)
}

/// [`format_rfc3339`] as a `String`.
#[cfg(test)]
pub(crate) fn to_rfc3339(t: &DateTime<Utc>) -> Option<String> {
    let mut buf = [0u8; MAX_LEN];
    let n = format_rfc3339(t, &mut buf)?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fast_path_and_fallback() {
        let t = parse_rfc3339("2024-02-29T23:59:58Z").unwrap();
        assert_eq!(t.timestamp(), 1_709_251_198);
        let t = parse_rfc3339("2024-02-29T23:59:58.25Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 250_000_000);
        let t = parse_rfc3339("2024-03-01T01:59:58+02:00").unwrap();
        assert_eq!(t.timestamp(), 1_709_251_198);
        assert!(parse_rfc3339("2023-02-29T00:00:00Z").is_none());
        assert!(parse_rfc3339("2023-01-01").is_none());
        assert!(parse_rfc3339("2023-01-01T00:00:00").is_none());
        assert!(parse_rfc3339("2023-01-01T24:00:00Z").is_none());
        assert!(parse_rfc3339("２023-01-01T00:00:00Z").is_none());
        assert!(parse_rfc3339("").is_none());
    }

    proptest! {
        #[test]
        fn format_parse_round_trip(secs in -62_135_596_800i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let s = to_rfc3339(&t).unwrap();
            prop_assert_eq!(parse_fast(s.as_bytes()), Some(t));
            let chrono = DateTime::parse_from_rfc3339(&s).unwrap().with_timezone(&Utc);
            prop_assert_eq!(chrono, t);
        }

        #[test]
        fn day_cache_matches_chrono(mut secs in prop::collection::vec(-9_000_000_000i64..9_000_000_000, 1..20), nanos in 0u32..1_000_000_000) {
            secs.sort();
            let cache = DayCache::default();
            for s in secs {
                prop_assert_eq!(cache.timestamp(s, nanos), DateTime::from_timestamp(s, nanos));
                prop_assert_eq!(cache.timestamp(s + 1, 0), DateTime::from_timestamp(s + 1, 0));
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_rfc3339(&s);
        }
    }
}

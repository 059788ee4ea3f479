//! Durations as governance documents write them: `2d`, `1d 19h`, `5d 14h 24min`, `259200s`,
//! `12s (1 block)` (text in parentheses is ignored), `0s`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{GovernanceError, Result};

/// A non-negative duration in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Duration(pub u64);

impl Duration {
    /// Seconds in a day.
    pub const DAY: u64 = 86_400;

    /// From days.
    pub fn days(d: u64) -> Self {
        Duration(d * Self::DAY)
    }

    /// The duration in (fractional) days.
    pub fn as_days(self) -> f64 {
        self.0 as f64 / Self::DAY as f64
    }

    /// A signed margin of `seconds`: `+9d 1h` or `−1d`.
    pub fn signed(seconds: i64) -> String {
        let d = Duration(seconds.unsigned_abs());
        if seconds < 0 {
            format!("−{d}")
        } else {
            format!("+{d}")
        }
    }

    /// Parses `2d`, `1d 19h`, `5d 14h 24min`, `259200s`, `3 days`, `12s (1 block)`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || GovernanceError::Duration(text.to_string());
        let core = text.split('(').next().unwrap_or("").trim();
        if core.is_empty() {
            return Err(bad());
        }
        let mut total: u64 = 0;
        let mut rest = core;
        while !rest.trim_start().is_empty() {
            rest = rest.trim_start();
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(bad());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = rest[digits..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let mult = match unit {
                "s" | "sec" | "secs" | "second" | "seconds" => 1,
                "m" | "min" | "mins" | "minute" | "minutes" => 60,
                "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
                "d" | "day" | "days" => Self::DAY,
                "w" | "week" | "weeks" => 7 * Self::DAY,
                _ => return Err(bad()),
            };
            total = n
                .checked_mul(mult)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(bad)?;
        }
        Ok(Duration(total))
    }
}

impl fmt::Display for Duration {
    /// `1d 19h 48min`, `2d`, `12s`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0;
        if s == 0 {
            return f.write_str("0s");
        }
        let mut parts = Vec::new();
        for (unit, name) in [(Self::DAY, "d"), (3_600, "h"), (60, "min"), (1, "s")] {
            if s >= unit {
                parts.push(format!("{}{name}", s / unit));
                s %= unit;
            }
        }
        f.write_str(&parts.join(" "))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_document_forms() {
        assert_eq!(Duration::parse("2d").unwrap(), Duration::days(2));
        assert_eq!(Duration::parse("1d 19h").unwrap().0, 86_400 + 19 * 3_600);
        assert_eq!(
            Duration::parse("5d 14h 24min").unwrap().0,
            5 * 86_400 + 14 * 3_600 + 24 * 60
        );
        assert_eq!(Duration::parse("259200s").unwrap(), Duration::days(3));
        assert_eq!(Duration::parse("12s (1 block)").unwrap().0, 12);
        assert_eq!(Duration::parse("3 days").unwrap(), Duration::days(3));
        assert!(Duration::parse("soon").is_err());
        assert!(Duration::parse("").is_err());
        assert_eq!(
            Duration(5 * 86_400 + 14 * 3_600 + 24 * 60).to_string(),
            "5d 14h 24min"
        );
        assert_eq!(Duration(0).to_string(), "0s");
    }
}

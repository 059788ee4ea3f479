//! A fast path for the usual JSON Lines record, in front of serde_json.
//!
//! Files we and most tools write are flat objects of known keys whose values are plain
//! strings, non-negative numbers or `null`. This scanner reads exactly those and gives up
//! (`None`) on anything else — escapes, control characters, other value types, negative or
//! out-of-range numbers, unknown or repeated keys, any syntax error — so that serde_json
//! parses the line and reports any problem. Where it succeeds it yields what serde_json would
//! (the unit test `fast_path_agrees_with_serde` checks this on generated lines).

use std::borrow::Cow;

use super::{RawRow, Scalar};
use crate::fields::Column;

/// Parses `line` (without its line ending) when it takes the common shape; `None` otherwise.
pub(super) fn parse(line: &[u8]) -> Option<RawRow<'_>> {
    // UTF-8 is checked once per line; the strings are then cut at ASCII quotes, which are
    // always character boundaries.
    let text = std::str::from_utf8(line).ok()?;
    let mut p = Cursor {
        s: text,
        b: line,
        i: 0,
    };
    let mut row = RawRow::default();
    p.ws();
    p.eat(b'{')?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            let c = column(p.string()?.as_bytes())?;
            let slot = &mut row.values[c as usize];
            if slot.is_some() {
                return None; // serde_json's path reports the duplicate
            }
            p.ws();
            p.eat(b':')?;
            p.ws();
            *slot = Some(p.value()?);
            p.ws();
            match p.next()? {
                b',' => p.ws(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    p.ws();
    (p.i == line.len()).then_some(row)
}

/// The column a key names (as [`Column::from_name`], as one `match`).
fn column(key: &[u8]) -> Option<Column> {
    Some(match key {
        b"network" => Column::Network,
        b"layer" => Column::Layer,
        b"time" => Column::Time,
        b"height" => Column::Height,
        b"subject" => Column::Subject,
        b"entity" => Column::Entity,
        b"weight" => Column::Weight,
        b"source" => Column::Source,
        _ => return None,
    })
}

struct Cursor<'a> {
    /// The line, and the same as bytes.
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// JSON whitespace.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = &self.b[self.i..];
        let len = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        let s = self.s.get(self.i..self.i + len)?;
        self.i += len + 1;
        Some(s)
    }

    fn value(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Scalar::Str(Cow::Borrowed(s))),
            b'n' => {
                let end = self.i + 4;
                (self.b.get(self.i..end)? == b"null").then(|| {
                    self.i = end;
                    Scalar::Null
                })
            }
            b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A non-negative JSON number: `u64` when integral and in range, else a finite,
    /// non-zero `f64` (serde_json's float parsing is exact, as is Rust's).
    fn number(&mut self) -> Option<Scalar<'a>> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.peek() {
                p.i += 1;
            }
            p.i - from
        };
        let int = digits(self);
        if int > 1 && self.b[start] == b'0' {
            return None; // leading zero: invalid JSON
        }
        let int_end = self.i;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
            float = true;
        }
        if !float {
            let mut v: u64 = 0;
            for &c in &self.b[start..int_end] {
                v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            }
            return Some(Scalar::U64(v));
        }
        let x: f64 = self.s.get(start..self.i)?.parse().ok()?;
        (x.is_finite() && x != 0.0).then_some(Scalar::F64(x))
    }
}

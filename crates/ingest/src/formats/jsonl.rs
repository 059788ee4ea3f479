//! JSON Lines: one JSON object per line, keys named like the CSV columns.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use powermap_model::Observation;
use serde::de::{self, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use crate::fields::{self, Column};

#[path = "jsonl_fast.rs"]
mod fast;
use crate::{time, IngestError, ObservationRef, Position, ReadRef, MAX_RECORD_BYTES};

/// Streams observations from JSON Lines.
///
/// Blank lines are skipped; absent optional keys and `null` mean the same; unknown keys are
/// rejected. A line longer than [`MAX_RECORD_BYTES`] is reported and skipped without being
/// buffered, and reading goes on with the next line.
pub struct JsonlReader<R: Read> {
    r: BufReader<R>,
    path: PathBuf,
    line: u64,
    /// Holds a line that straddles the end of the read buffer.
    buf: Vec<u8>,
    done: bool,
    /// Bytes of the read buffer lent by the last [`ReadRef::next_ref`], consumed by the next.
    lent: usize,
    /// The strings of the current line that had escapes (and so cannot borrow the line).
    unescaped: String,
}

impl<R: Read> JsonlReader<R> {
    /// Wraps `reader`. `path` names the input in error messages.
    pub fn new(reader: R, path: impl Into<PathBuf>) -> Self {
        JsonlReader {
            r: BufReader::with_capacity(256 * 1024, reader),
            path: path.into(),
            line: 0,
            buf: Vec::new(),
            done: false,
            lent: 0,
            unescaped: String::new(),
        }
    }

    /// Slow path: gathers a line that spans reads into `buf`. Returns `Ok(false)` at the end of
    /// input, and an error for an over-long line (after skipping it).
    fn gather(&mut self) -> Result<bool, IngestError> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let avail = match self.r.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(IngestError::io(&self.path, e)),
            };
            if avail.is_empty() {
                break;
            }
            any = true;
            let (take, end) = match find_newline(avail) {
                Some(i) => (i, true),
                None => (avail.len(), false),
            };
            if !too_long && self.buf.len() + take <= MAX_RECORD_BYTES {
                self.buf.extend_from_slice(&avail[..take]);
            } else {
                too_long = true;
                self.buf.clear();
            }
            self.r.consume(take + usize::from(end));
            if end {
                break;
            }
        }
        if too_long {
            return Err(IngestError::Record {
                path: self.path.clone(),
                position: Position::Line(self.line),
                problem: format!("line longer than {MAX_RECORD_BYTES} bytes"),
            });
        }
        Ok(any)
    }
}

impl<R: Read> ReadRef for JsonlReader<R> {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        self.r.consume(std::mem::take(&mut self.lent));
        // Find the next non-blank line first; it is borrowed only after the loop, so the
        // borrow checker sees a single lending path. `Some(len)`: the line is the first
        // `len` bytes of the read buffer (fast path); `None`: it was gathered into `buf`.
        let in_buffer = loop {
            if self.done {
                return None;
            }
            self.line += 1;
            let avail = match self.r.fill_buf() {
                Ok(a) => a,
                Err(e) => {
                    self.done = true;
                    return Some(Err(IngestError::io(&self.path, e)));
                }
            };
            if let Some(i) = find_newline(avail) {
                if is_blank(&avail[..i]) {
                    self.r.consume(i + 1);
                    continue;
                }
                self.lent = i + 1;
                break Some(i);
            }
            match self.gather() {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e @ IngestError::Io { .. }) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Err(e) => return Some(Err(e)),
            }
            if !is_blank(&self.buf) {
                break None;
            }
        };
        let line = match in_buffer {
            Some(len) => &self.r.buffer()[..len],
            None => &self.buf[..],
        };
        Some(parse_line(line, &self.path, self.line, &mut self.unescaped))
    }
}

impl<R: Read> Iterator for JsonlReader<R> {
    type Item = Result<Observation, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|o| o.to_owned()))
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Position of the first `\n`, eight bytes at a time.
fn find_newline(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = LO * b'\n' as u64;
    let mut chunks = b.chunks_exact(8);
    let mut i = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().unwrap_or([0; 8])) ^ NL;
        // The lowest flagged byte is the first zero byte of `x` (Mycroft's has-zero test).
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&c| c == b'\n').map(|p| i + p)
}

/// Parses one non-blank line; strings with escapes are unescaped into `unescaped`.
fn parse_line<'a>(
    line: &'a [u8],
    path: &Path,
    n: u64,
    unescaped: &'a mut String,
) -> Result<ObservationRef<'a>, IngestError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let position = Position::Line(n);
    let record = |problem: String| IngestError::Record {
        path: path.to_path_buf(),
        position,
        problem,
    };
    let raw = match fast::parse(line) {
        Some(raw) => raw,
        None => match parse_serde(line) {
            Ok(raw) => raw,
            Err(e) => return Err(record(json_problem(&e))),
        },
    };
    if let Some(name) = raw.unknown {
        return Err(record(format!(
            "unknown key {} (expected: {})",
            fields::quote(&name),
            fields::COLUMNS.join(", ")
        )));
    }
    if let Some(c) = raw.duplicate {
        return Err(record(format!("key \"{}\" appears twice", c.name())));
    }
    raw.observation(unescaped)
        .map_err(|(c, problem)| IngestError::Field {
            path: path.to_path_buf(),
            position,
            field: c.name(),
            problem,
        })
}

/// The general parser, for lines [`fast::parse`] leaves alone; also reports every error.
fn parse_serde(line: &[u8]) -> Result<RawRow<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(line);
    de.deserialize_map(RowVisitor)
        .and_then(|r| de.end().map(|()| r))
}

/// serde_json's message without its "at line 1 column 7" (the line is ours to report).
fn json_problem(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m);
    match e.column() {
        0 => format!("malformed JSON: {msg}"),
        col => format!("malformed JSON at column {col}: {msg}"),
    }
}

/// A JSON value as read, before it is checked against its field.
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Scalar<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Nested(&'static str),
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::U64(n) => write!(f, "{n}"),
            Scalar::I64(n) => write!(f, "{n}"),
            Scalar::F64(x) => write!(f, "{x}"),
            Scalar::Str(s) => f.write_str(&fields::quote(s)),
            Scalar::Nested(what) => f.write_str(what),
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an object"))
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An object key: a column, or the unknown name.
struct Key<'a>(Result<Column, Cow<'a, str>>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Column::from_name(v).ok_or(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Key(
            Column::from_name(v).ok_or_else(|| Cow::Owned(v.to_owned()))
        ))
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(KeyVisitor)
    }
}

/// The values of one line by column, plus the first key problem met.
#[derive(Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct RawRow<'a> {
    values: [Option<Scalar<'a>>; 8],
    unknown: Option<String>,
    duplicate: Option<Column>,
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = RawRow<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut row = RawRow::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key {
                Ok(c) if row.values[c as usize].is_none() => {
                    row.values[c as usize] = Some(map.next_value()?);
                }
                Ok(c) => {
                    map.next_value::<IgnoredAny>()?;
                    row.duplicate.get_or_insert(c);
                }
                Err(name) => {
                    map.next_value::<IgnoredAny>()?;
                    if row.unknown.is_none() {
                        row.unknown = Some(name.into_owned());
                    }
                }
            }
        }
        Ok(row)
    }
}

type FieldResult<T> = Result<T, (Column, String)>;

/// A text value: borrowed from the line, or a range of the unescaped strings.
enum Text<'a> {
    Line(&'a str),
    Unescaped(Range<usize>),
}

impl<'a> Text<'a> {
    fn get(self, unescaped: &'a str) -> &'a str {
        match self {
            Text::Line(s) => s,
            Text::Unescaped(r) => &unescaped[r],
        }
    }
}

impl<'a> RawRow<'a> {
    fn take(&mut self, c: Column) -> Scalar<'a> {
        self.values[c as usize].take().unwrap_or(Scalar::Null)
    }

    fn text(&mut self, c: Column, unescaped: &mut String) -> FieldResult<Option<Text<'a>>> {
        match self.take(c) {
            Scalar::Null => Ok(None),
            Scalar::Str(s) if s.is_empty() => Ok(None),
            Scalar::Str(Cow::Borrowed(s)) => Ok(Some(Text::Line(s))),
            Scalar::Str(Cow::Owned(s)) => {
                let start = unescaped.len();
                unescaped.push_str(&s);
                Ok(Some(Text::Unescaped(start..unescaped.len())))
            }
            other => Err((c, format!("expected a string, got {other}"))),
        }
    }

    fn required(&mut self, c: Column, unescaped: &mut String) -> FieldResult<Text<'a>> {
        self.text(c, unescaped)?
            .ok_or_else(|| (c, "missing value (the field is required)".to_string()))
    }

    fn str_field<T>(&mut self, c: Column, parse: fn(&str) -> Result<T, String>) -> FieldResult<T> {
        match self.take(c) {
            Scalar::Str(s) => parse(&s).map_err(|p| (c, p)),
            Scalar::Null => Err((c, "missing value (the field is required)".into())),
            other => Err((c, format!("expected a string, got {other}"))),
        }
    }

    fn observation(mut self, unescaped: &'a mut String) -> FieldResult<ObservationRef<'a>> {
        unescaped.clear();
        let network = self.required(Column::Network, unescaped)?;
        let layer = self.str_field(Column::Layer, fields::layer)?;
        let time = self.str_field(Column::Time, fields::time)?;
        let height = match self.take(Column::Height) {
            Scalar::Null => None,
            Scalar::U64(n) => Some(n),
            other => {
                let p = format!("expected an integer ≥ 0, got {other}");
                return Err((Column::Height, p));
            }
        };
        let subject = self.required(Column::Subject, unescaped)?;
        let entity = self.text(Column::Entity, unescaped)?;
        let weight = match self.take(Column::Weight) {
            Scalar::U64(n) => n as f64,
            Scalar::F64(x) => x,
            Scalar::Null => {
                return Err((
                    Column::Weight,
                    "missing value (the field is required)".into(),
                ))
            }
            other => {
                let p = format!("expected a number ≥ 0, got {other}");
                return Err((Column::Weight, p));
            }
        };
        let weight = fields::check_weight(weight).map_err(|p| (Column::Weight, p))?;
        let source = self.text(Column::Source, unescaped)?;
        let unescaped: &'a str = unescaped;
        Ok(ObservationRef {
            network: network.get(unescaped),
            layer,
            time,
            height,
            subject: subject.get(unescaped),
            entity: entity.map(|t| t.get(unescaped)),
            weight,
            source: source.map(|t| t.get(unescaped)),
            subject_key: None,
            entity_key: None,
        })
    }
}

/// One line as written: absent optional values are left out.
#[derive(Serialize)]
struct Row<'a> {
    network: &'a str,
    layer: &'a str,
    time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u64>,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<&'a str>,
    weight: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// Writes observations as JSON Lines.
pub struct JsonlWriter<W: Write> {
    w: W,
    path: PathBuf,
    rows: u64,
}

impl<W: Write> JsonlWriter<W> {
    /// Wraps `inner` (buffer it: each observation is a few small writes). `path` names the
    /// output in error messages.
    pub fn new(inner: W, path: impl Into<PathBuf>) -> Self {
        JsonlWriter {
            w: inner,
            path: path.into(),
            rows: 0,
        }
    }

    /// Writes one observation, checking it first.
    pub fn write(&mut self, obs: &Observation) -> Result<(), IngestError> {
        self.rows += 1;
        let position = Position::Row(self.rows);
        super::check_for_write(obs, &self.path, position)?;
        let mut tbuf = [0u8; time::MAX_LEN];
        let tlen = time::format_rfc3339(&obs.time, &mut tbuf)
            .ok_or_else(|| super::time_range_error(&self.path, position, &obs.time))?;
        let row = Row {
            network: &obs.network,
            layer: obs.layer.id(),
            // Only ASCII digits and punctuation were written.
            time: std::str::from_utf8(&tbuf[..tlen]).unwrap_or_default(),
            height: obs.height,
            subject: &obs.subject,
            entity: obs.entity.as_deref(),
            weight: obs.weight,
            source: obs.source.as_deref(),
        };
        serde_json::to_writer(&mut self.w, &row).map_err(|e| match e.io_error_kind() {
            Some(_) => IngestError::io(&self.path, std::io::Error::other(e)),
            None => IngestError::Internal(format!("serialising JSON: {e}")),
        })?;
        self.w
            .write_all(b"\n")
            .map_err(|e| IngestError::io(&self.path, e))
    }

    /// Flushes and returns the number of observations written.
    pub fn finish(mut self) -> Result<u64, IngestError> {
        self.w.flush().map_err(|e| IngestError::io(&self.path, e))?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Pieces of JSON lines: keys, values of every kind, whitespace and stray syntax.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "\"network\"",
                "\"layer\"",
                "\"time\"",
                "\"height\"",
                "\"subject\"",
                "\"entity\"",
                "\"weight\"",
                "\"source\"",
                "\"other\"",
                "\"we\\u0069ght\"",
            ])
            .prop_map(String::from),
            prop::sample::select(vec![
                ":",
                ",",
                "{",
                "}",
                "[",
                "]",
                " ",
                "\t",
                "\r",
                "\u{c}",
                "null",
                "nul",
                "true",
                "-",
                "0",
                "00",
                "1.0",
                "1.",
                ".5",
                "1e400",
                "1e-400",
                "0.0",
                "2.5E+3",
                "-3",
                "18446744073709551615",
                "18446744073709551616",
                "\"\"",
                "\"a\\\"b\"",
                "\"é\"",
                "\"\u{1}\"",
                "\"2024-01-01T00:00:00Z\"",
                "\"consensus\"",
            ])
            .prop_map(String::from),
            "[0-9]{1,22}(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?",
            "\"[ -~]{0,6}\"",
        ]
    }

    /// A line in the common shape, with some keys dropped or repeated and odd spacing.
    fn object() -> impl Strategy<Value = String> {
        prop::collection::vec((token(), token(), " ?"), 0..10).prop_map(|pairs| {
            let body: Vec<String> = pairs
                .into_iter()
                .map(|(k, v, sp)| format!("{k}{sp}:{sp}{v}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    /// A well-formed flat object of (mostly) known keys, so the fast path is often taken.
    fn flat_object() -> impl Strategy<Value = String> {
        let key = prop::sample::select(fields::COLUMNS.to_vec()).prop_map(|k| format!("{k:?}"));
        let value = prop_oneof![
            Just("null".to_string()),
            "\"[ -~]{0,8}\"",
            "\"[^\"\\\\]{0,4}\"",
            "(0|[1-9][0-9]{0,21})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?",
        ];
        prop::collection::vec((key, value, "[ \t]?"), 0..9).prop_map(|pairs| {
            let body: Vec<String> = pairs
                .into_iter()
                .map(|(k, v, sp)| format!("{sp}{k}{sp}:{sp}{v}{sp}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Whenever the fast path accepts a line, serde_json reads the same values from it.
        #[test]
        fn fast_path_agrees_with_serde(
            line in prop_oneof![
                flat_object(),
                object(),
                prop::collection::vec(token(), 0..24).prop_map(|t| t.concat()),
            ]
        ) {
            if let Some(fast) = fast::parse(line.as_bytes()) {
                let serde = parse_serde(line.as_bytes());
                prop_assert!(serde.is_ok(), "{line:?}: serde_json fails: {:?}", serde.err());
                prop_assert_eq!(Some(fast), serde.ok(), "{:?}", line);
            }
        }
    }

    #[test]
    fn fast_path_takes_the_usual_line() {
        let line = br#"{"network":"n","layer":"consensus","time":"2020-01-01T00:00:02Z","height":0,"subject":"p","entity":"o","weight":1.0,"source":"s"}"#;
        assert!(fast::parse(line).is_some());
        assert_eq!(fast::parse(line), parse_serde(line).ok());
    }

    #[test]
    fn finds_newlines() {
        for len in 0..40 {
            for at in 0..=len {
                let mut b = vec![b'x'; len];
                if at < len {
                    b[at] = b'\n';
                    b.extend_from_slice(b"\n\n");
                }
                let expected = b.iter().position(|&c| c == b'\n');
                assert_eq!(find_newline(&b), expected, "{len} {at}");
            }
        }
        assert_eq!(find_newline(&[0x8a, 0x0b, 0x09, b'\n']), Some(3));
    }
}

//! CSV: a header row naming the columns (any order), then one observation per record.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use ::csv::WriterBuilder;
use powermap_model::Observation;

use crate::fields::{self, Column, COLUMNS};
use crate::{time, IngestError, ObservationRef, Position, ReadRef, MAX_RECORD_BYTES};

/// Most fields a record may have (the format has eight).
const MAX_FIELDS: usize = 1024;

/// Streams observations from CSV, parsing each record into one reused buffer.
///
/// The header is required; columns are matched by name in any order, optional columns
/// (`height`, `entity`, `source`) may be left out, and unknown columns are rejected. A record
/// longer than [`MAX_RECORD_BYTES`] (or with more than 1024 fields) is reported and skipped
/// without being buffered. Quoting follows RFC 4180; `\n`, `\r\n` and `\r` end records; blank
/// lines are skipped. Positions are the line each record starts on.
pub struct CsvReader<R: Read> {
    records: Records<R>,
    path: PathBuf,
    /// Index in the record of each [`Column`], `None` when the file lacks it.
    index: [Option<usize>; 8],
    width: usize,
}

impl<R: Read> CsvReader<R> {
    /// Reads and checks the header. `path` names the input in error messages.
    pub fn new(reader: R, path: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let path = path.into();
        let mut records = Records::new(reader, 256 * 1024);
        let header = match records.read() {
            Err(e) => return Err(IngestError::io(path, e)),
            Ok(Outcome::End) => Vec::new(),
            Ok(Outcome::TooLong) => {
                return Err(IngestError::Header {
                    path,
                    problem: format!("header longer than {MAX_RECORD_BYTES} bytes"),
                })
            }
            Ok(Outcome::Record) => (0..records.width)
                .map(|i| String::from_utf8_lossy(records.field(i)).into_owned())
                .collect(),
        };
        let index = header_index(&header, &path)?;
        Ok(CsvReader {
            records,
            path,
            index,
            width: header.len(),
        })
    }

    /// Field `c` of the current record; `text` is the whole record when it is valid UTF-8
    /// (checked once per record, not once per field).
    fn field<'a>(&'a self, text: Option<&'a str>, c: Column) -> Result<&'a str, IngestError> {
        let Some(i) = self.index[c as usize] else {
            return Ok("");
        };
        let (start, end) = self.records.span(i);
        match text.and_then(|t| t.get(start..end)) {
            Some(s) => Ok(s),
            None => std::str::from_utf8(self.records.field(i))
                .map_err(|_| self.bad(c, "not valid UTF-8".into())),
        }
    }

    fn bad(&self, c: Column, problem: String) -> IngestError {
        IngestError::Field {
            path: self.path.clone(),
            position: Position::Line(self.records.line),
            field: c.name(),
            problem,
        }
    }

    fn record_error(&self, problem: String) -> IngestError {
        IngestError::Record {
            path: self.path.clone(),
            position: Position::Line(self.records.line),
            problem,
        }
    }

    fn observation(&self) -> Result<ObservationRef<'_>, IngestError> {
        if self.records.width != self.width {
            let found = self.records.width;
            let expected = self.width;
            return Err(self.record_error(format!(
                "expected {expected} fields like the header, found {found}"
            )));
        }
        let text = std::str::from_utf8(self.records.all()).ok();
        let field = |c| self.field(text, c);
        let req = |c| field(c).and_then(|s| fields::required(s).map_err(|p| self.bad(c, p)));
        let network = req(Column::Network)?;
        let layer = fields::layer(field(Column::Layer)?).map_err(|p| self.bad(Column::Layer, p))?;
        let time = fields::time(field(Column::Time)?).map_err(|p| self.bad(Column::Time, p))?;
        let height =
            fields::height(field(Column::Height)?).map_err(|p| self.bad(Column::Height, p))?;
        let subject = req(Column::Subject)?;
        let entity = fields::optional(field(Column::Entity)?);
        let weight =
            fields::weight(field(Column::Weight)?).map_err(|p| self.bad(Column::Weight, p))?;
        let source = fields::optional(field(Column::Source)?);
        Ok(ObservationRef {
            network,
            layer,
            time,
            height,
            subject,
            entity,
            weight,
            source,
            subject_key: None,
            entity_key: None,
        })
    }
}

impl<R: Read> ReadRef for CsvReader<R> {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        match self.records.read() {
            Ok(Outcome::End) => None,
            Ok(Outcome::Record) => Some(self.observation()),
            Ok(Outcome::TooLong) => Some(Err(self.record_error(format!(
                "record longer than {MAX_RECORD_BYTES} bytes or with more than {MAX_FIELDS} fields"
            )))),
            Err(e) => Some(Err(IngestError::io(&self.path, e))),
        }
    }
}

impl<R: Read> Iterator for CsvReader<R> {
    type Item = Result<Observation, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|o| o.to_owned()))
    }
}

fn header_index(header: &[String], path: &Path) -> Result<[Option<usize>; 8], IngestError> {
    let bad = |problem: String| IngestError::Header {
        path: path.to_path_buf(),
        problem,
    };
    if header.is_empty() {
        return Err(bad(format!(
            "missing header row (expected columns: {})",
            COLUMNS.join(", ")
        )));
    }
    let mut index = [None; 8];
    for (i, name) in header.iter().enumerate() {
        let c = Column::from_name(name).ok_or_else(|| {
            bad(format!(
                "unknown column {} (expected: {})",
                fields::quote(name),
                COLUMNS.join(", ")
            ))
        })?;
        if index[c as usize].replace(i).is_some() {
            return Err(bad(format!("column \"{name}\" appears twice")));
        }
    }
    if let Some(c) = Column::ALL
        .iter()
        .find(|c| !c.is_optional() && index[**c as usize].is_none())
    {
        return Err(bad(format!("missing required column \"{}\"", c.name())));
    }
    Ok(index)
}

/// What reading one record gave.
enum Outcome {
    Record,
    TooLong,
    End,
}

/// Splits CSV into records with `csv_core`, in buffers that grow to the record limit only.
///
/// (The `csv` crate's reader grows its buffers to fit any record, and does not say on which
/// line a record starts when blank lines precede it.)
struct Records<R> {
    input: BufReader<R>,
    core: csv_core::Reader,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Fields in the current record.
    width: usize,
    /// Line the current record starts on.
    line: u64,
    /// An I/O error ends the stream.
    failed: bool,
    /// The previous record ended with `\n`, so `core` sits at the start of a record and the
    /// next one may be split without it ([`Records::read_plain`]).
    after_lf: bool,
    /// Whether to try [`Records::read_plain`] (tests compare with and without).
    plain: bool,
}

impl<R: Read> Records<R> {
    fn new(reader: R, capacity: usize) -> Self {
        Records {
            input: BufReader::with_capacity(capacity, reader),
            core: csv_core::Reader::new(),
            bytes: vec![0; 1024],
            ends: vec![0; 16],
            width: 0,
            line: 1,
            failed: false,
            after_lf: false,
            plain: true,
        }
    }

    /// Fast path: a whole, non-empty line already buffered, without quotes or `\r`, needs no
    /// CSV state machine — its fields are the text between commas. Taken only when `core`
    /// is at the start of a record (the previous one ended with `\n`), so handing the next
    /// record back to it is seamless; its line count is kept in step. `None`: use `core`.
    fn read_plain(&mut self) -> Option<Outcome> {
        let buf = self.input.fill_buf().ok()?;
        let end = buf.iter().position(|&c| c == b'\n')?;
        let line = &buf[..end];
        if line.is_empty() || line.len() > self.bytes.len() {
            return None;
        }
        let (mut nbytes, mut nends) = (0, 0);
        for &c in line {
            match c {
                b',' => {
                    // Keep room for the last field.
                    if nends + 1 >= self.ends.len() {
                        return None;
                    }
                    self.ends[nends] = nbytes;
                    nends += 1;
                }
                b'"' | b'\r' => return None,
                _ => {
                    self.bytes[nbytes] = c;
                    nbytes += 1;
                }
            }
        }
        self.ends[nends] = nbytes;
        self.input.consume(end + 1);
        self.line = self.core.line();
        self.core.set_line(self.line + 1);
        self.width = nends + 1;
        Some(Outcome::Record)
    }

    /// Byte range of field `i` within [`Records::all`].
    fn span(&self, i: usize) -> (usize, usize) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (start, self.ends[i])
    }

    fn field(&self, i: usize) -> &[u8] {
        let (start, end) = self.span(i);
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// The fields of the current record, concatenated.
    fn all(&self) -> &[u8] {
        let end = self.width.checked_sub(1).map_or(0, |i| self.ends[i]);
        self.bytes.get(..end).unwrap_or_default()
    }

    fn read(&mut self) -> io::Result<Outcome> {
        use csv_core::ReadRecordResult as R;
        if self.failed {
            return Ok(Outcome::End);
        }
        if self.plain && self.after_lf {
            if let Some(outcome) = self.read_plain() {
                return Ok(outcome);
            }
        }
        let (mut nbytes, mut nends) = (0, 0);
        let mut line = self.core.line();
        let mut started = false;
        let mut too_long = false;
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    return Err(e);
                }
            };
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.bytes[nbytes..], &mut self.ends[nends..]);
            if !started {
                // Blank lines before the record are skipped by the parser; count them.
                for &b in &input[..nin] {
                    match b {
                        b'\n' => line += 1,
                        b'\r' => {}
                        _ => {
                            started = true;
                            break;
                        }
                    }
                }
            }
            self.after_lf = nin > 0 && input[nin - 1] == b'\n';
            self.input.consume(nin);
            nbytes += nout;
            nends += nend;
            match res {
                R::InputEmpty => {}
                R::OutputFull if self.bytes.len() < MAX_RECORD_BYTES => {
                    let len = (self.bytes.len() * 2).min(MAX_RECORD_BYTES);
                    self.bytes.resize(len, 0);
                }
                R::OutputEndsFull if self.ends.len() < MAX_FIELDS => {
                    let len = (self.ends.len() * 2).min(MAX_FIELDS);
                    self.ends.resize(len, 0);
                }
                // Over the limit: keep parsing to find the record's end, discarding output.
                R::OutputFull => {
                    too_long = true;
                    nbytes = 0;
                }
                R::OutputEndsFull => {
                    too_long = true;
                    nends = 0;
                }
                R::Record => {
                    self.line = line;
                    self.width = nends;
                    return Ok(if too_long {
                        Outcome::TooLong
                    } else {
                        Outcome::Record
                    });
                }
                R::End => return Ok(Outcome::End),
            }
        }
    }
}

/// Writes observations as CSV with the canonical header.
///
/// Absent optional values are written as empty fields; weights use the shortest text that
/// parses back to the same number.
pub struct CsvWriter<W: Write> {
    w: ::csv::Writer<W>,
    path: PathBuf,
    rows: u64,
    scratch: String,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header. `path` names the output in error messages.
    pub fn new(inner: W, path: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let path = path.into();
        let mut w = WriterBuilder::new().from_writer(inner);
        w.write_record(COLUMNS).map_err(|e| write_error(&path, e))?;
        Ok(CsvWriter {
            w,
            path,
            rows: 0,
            scratch: String::new(),
        })
    }

    /// Writes one observation, checking it first.
    pub fn write(&mut self, obs: &Observation) -> Result<(), IngestError> {
        self.rows += 1;
        let position = Position::Row(self.rows);
        super::check_for_write(obs, &self.path, position)?;
        let mut tbuf = [0u8; time::MAX_LEN];
        let tlen = time::format_rfc3339(&obs.time, &mut tbuf)
            .ok_or_else(|| super::time_range_error(&self.path, position, &obs.time))?;
        use std::fmt::Write as _;
        self.scratch.clear();
        if let Some(h) = obs.height {
            let _ = write!(self.scratch, "{h}");
        }
        let hlen = self.scratch.len();
        super::push_weight(&mut self.scratch, obs.weight);
        let (height, weight) = self.scratch.as_bytes().split_at(hlen);
        let record: [&[u8]; 8] = [
            obs.network.as_bytes(),
            obs.layer.id().as_bytes(),
            &tbuf[..tlen],
            height,
            obs.subject.as_bytes(),
            obs.entity.as_deref().unwrap_or("").as_bytes(),
            weight,
            obs.source.as_deref().unwrap_or("").as_bytes(),
        ];
        self.w
            .write_record(record)
            .map_err(|e| write_error(&self.path, e))
    }

    /// Flushes and returns the number of observations written.
    pub fn finish(mut self) -> Result<u64, IngestError> {
        self.w.flush().map_err(|e| IngestError::io(&self.path, e))?;
        Ok(self.rows)
    }
}

fn write_error(path: &Path, e: ::csv::Error) -> IngestError {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => IngestError::io(path, io),
        other => IngestError::Internal(format!("writing CSV to {}: {other:?}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every record as (outcome, line, fields), or the I/O error's kind.
    fn split(input: &[u8], capacity: usize, plain: bool) -> Vec<(u8, u64, Vec<Vec<u8>>)> {
        let mut r = Records::new(input, capacity);
        r.plain = plain;
        let mut out = Vec::new();
        loop {
            match r.read().unwrap() {
                Outcome::End => return out,
                Outcome::TooLong => out.push((1, r.line, Vec::new())),
                Outcome::Record => out.push((
                    0,
                    r.line,
                    (0..r.width).map(|i| r.field(i).to_vec()).collect(),
                )),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The plain-line fast path splits records, and counts lines, exactly as `csv_core`.
        #[test]
        fn plain_lines_split_like_csv_core(
            tokens in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "bc", "é", ",", ",,", "\"", "\"\"", "\n", "\r", "\r\n", "\n\n", " ",
                    "x,y\n", "2024-01-01T00:00:00Z", "1.5",
                ]),
                0..60,
            ),
            capacity in prop::sample::select(vec![1usize, 3, 8, 64, 4096]),
        ) {
            let input = tokens.concat();
            let fast = split(input.as_bytes(), capacity, true);
            let slow = split(input.as_bytes(), capacity, false);
            prop_assert_eq!(fast, slow, "{:?}", input);
        }
    }

    /// Many fields, and a record longer than the output buffer, go to `csv_core`.
    #[test]
    fn wide_and_long_lines_fall_back() {
        let mut input = String::from("h\n");
        input.push_str(&",".repeat(40));
        input.push('\n');
        input.push_str(&"z".repeat(5000));
        input.push_str("\nlast\n");
        let fast = split(input.as_bytes(), 64 * 1024, true);
        assert_eq!(fast, split(input.as_bytes(), 64 * 1024, false));
        assert_eq!(fast[1].2.len(), 41);
        assert_eq!(fast[3].1, 4);
    }
}

//! A small CSV reader shared by the adapters: named columns, 1-based lines, typed fields
//! whose errors name file, line and column.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::SourceError;

/// Opens `path` for reading, naming it in the error.
pub(crate) fn open(path: &Path) -> Result<File, SourceError> {
    File::open(path).map_err(|source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A CSV file with a header, read record by record (streaming).
pub(crate) struct Table {
    path: Rc<PathBuf>,
    names: &'static [&'static str],
    idx: Rc<[usize]>,
    reader: csv::Reader<File>,
}

impl Table {
    /// Opens a CSV file and locates the `names` columns (any order, extra columns ignored).
    pub(crate) fn open(path: &Path, names: &'static [&'static str]) -> Result<Self, SourceError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(open(path)?);
        let header = reader.headers().map_err(|source| SourceError::Csv {
            path: path.to_path_buf(),
            line: 1,
            source,
        })?;
        let mut idx = Vec::with_capacity(names.len());
        for &name in names {
            let i = header
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or(SourceError::MissingColumn {
                    path: path.to_path_buf(),
                    column: name,
                })?;
            idx.push(i);
        }
        Ok(Table {
            path: Rc::new(path.to_path_buf()),
            names,
            idx: idx.into(),
            reader,
        })
    }
}

impl Iterator for Table {
    type Item = Result<Row, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) => Some(Ok(Row {
                path: Rc::clone(&self.path),
                names: self.names,
                idx: Rc::clone(&self.idx),
                line: record.position().map_or(0, |p| p.line()),
                record,
            })),
            Err(source) => Some(Err(SourceError::Csv {
                path: self.path.to_path_buf(),
                line: source.position().map_or(0, |p| p.line()),
                source,
            })),
        }
    }
}

/// One record; fields are addressed by their index in the `names` the table was opened with.
pub(crate) struct Row {
    path: Rc<PathBuf>,
    names: &'static [&'static str],
    idx: Rc<[usize]>,
    line: u64,
    record: csv::StringRecord,
}

impl Row {
    /// The 1-based line this record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// An error about field `i`.
    pub(crate) fn err(&self, i: usize, problem: impl Into<String>) -> SourceError {
        SourceError::field(&self.path, self.line, self.names[i], problem)
    }

    /// The text of field `i` (trimmed; a short record reads as empty).
    pub(crate) fn str(&self, i: usize) -> &str {
        self.record.get(self.idx[i]).unwrap_or("").trim()
    }

    /// Field `i`, which must not be empty.
    pub(crate) fn required(&self, i: usize) -> Result<&str, SourceError> {
        let s = self.str(i);
        if s.is_empty() {
            return Err(self.err(i, "must not be empty"));
        }
        Ok(s)
    }

    /// Field `i` as a finite number ≥ 0.
    pub(crate) fn weight(&self, i: usize) -> Result<f64, SourceError> {
        let s = self.str(i);
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.err(i, format!("expected a number ≥ 0, got {s:?}"))),
        }
    }

    /// Field `i` as an unsigned integer (arbitrarily large values are kept to u128).
    pub(crate) fn u128(&self, i: usize) -> Result<u128, SourceError> {
        let s = self.str(i);
        s.parse::<u128>()
            .map_err(|_| self.err(i, format!("expected an integer ≥ 0, got {s:?}")))
    }

    /// Field `i` as a `YYYY-MM-DD` day, at 00:00 UTC.
    pub(crate) fn day(&self, i: usize) -> Result<DateTime<Utc>, SourceError> {
        let s = self.str(i);
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
            .map_err(|_| self.err(i, format!("expected a date YYYY-MM-DD, got {s:?}")))
    }

    /// Field `i` as a timestamp: RFC 3339, or `YYYY-MM-DD HH:MM:SS[.fff]` read as UTC.
    pub(crate) fn time(&self, i: usize) -> Result<DateTime<Utc>, SourceError> {
        let s = self.str(i);
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(t.with_timezone(&Utc));
        }
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .map(|t| t.and_utc())
            .map_err(|_| self.err(i, format!("expected a UTC timestamp, got {s:?}")))
    }

    /// `True`/`False` (any case) as a bool.
    pub(crate) fn bool(&self, i: usize) -> Result<bool, SourceError> {
        match self.str(i).to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            s => Err(self.err(i, format!("expected True or False, got {s:?}"))),
        }
    }
}

/// The file name of `path`, for `source` fields (`<dataset>/<file>`).
pub(crate) fn source_label(dataset: &str, path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{dataset}/{file}")
}

//! The three encodings of the open observation format, and how one is chosen.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::IngestError;

/// An encoding of the open observation format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values with a header row (`.csv`).
    Csv,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// Apache Parquet (`.parquet`).
    Parquet,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 3] = [Format::Csv, Format::Jsonl, Format::Parquet];

    /// The stable id: `csv`, `jsonl` or `parquet`.
    pub fn id(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }

    /// The format a file name implies: `.csv`, `.jsonl`/`.ndjson` or `.parquet` (any case).
    pub fn from_path(path: &Path) -> Result<Format, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("jsonl" | "ndjson") => Ok(Format::Jsonl),
            Some("parquet") => Ok(Format::Parquet),
            _ => Err(IngestError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Format {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "parquet" => Ok(Format::Parquet),
            _ => Err(IngestError::UnknownFormatName(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_and_ids() {
        assert_eq!(
            Format::from_path(Path::new("a/b.CSV")).unwrap(),
            Format::Csv
        );
        assert_eq!(
            Format::from_path(Path::new("b.ndjson")).unwrap(),
            Format::Jsonl
        );
        assert_eq!(
            Format::from_path(Path::new("b.parquet")).unwrap(),
            Format::Parquet
        );
        assert!(Format::from_path(Path::new("b.csv.gz")).is_err());
        assert!(Format::from_path(Path::new("noext")).is_err());
        for f in Format::ALL {
            assert_eq!(f.id().parse::<Format>().unwrap(), f);
        }
    }
}

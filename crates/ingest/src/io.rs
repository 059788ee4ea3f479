//! Reading and writing observation files whatever their encoding.

use std::borrow::Borrow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use powermap_model::Observation;

use crate::{
    atomic_write, CsvReader, CsvWriter, Format, IngestError, JsonlReader, JsonlWriter,
    ObservationRef, ParquetReader, ParquetWriter, ReadRef,
};

/// Streams observations from a file of any encoding (see [`read_file`]).
pub struct ObservationReader {
    inner: Inner,
}

// One value per open file: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Csv(CsvReader<File>),
    Jsonl(JsonlReader<File>),
    Parquet(ParquetReader),
}

impl Iterator for ObservationReader {
    type Item = Result<Observation, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv(r) => r.next(),
            Inner::Jsonl(r) => r.next(),
            Inner::Parquet(r) => r.next(),
        }
    }
}

impl ReadRef for ObservationReader {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        match &mut self.inner {
            Inner::Csv(r) => r.next_ref(),
            Inner::Jsonl(r) => r.next_ref(),
            Inner::Parquet(r) => r.next_ref(),
        }
    }
}

/// Opens an observation file, choosing the encoding by extension (`.csv`, `.jsonl`,
/// `.ndjson`, `.parquet`).
pub fn read_file(path: impl AsRef<Path>) -> Result<ObservationReader, IngestError> {
    let path = path.as_ref();
    read_file_as(path, Format::from_path(path)?)
}

/// Opens an observation file in the given encoding, whatever its name.
pub fn read_file_as(
    path: impl AsRef<Path>,
    format: Format,
) -> Result<ObservationReader, IngestError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let inner = match format {
        Format::Csv => Inner::Csv(CsvReader::new(file, path)?),
        Format::Jsonl => Inner::Jsonl(JsonlReader::new(file, path)),
        Format::Parquet => Inner::Parquet(ParquetReader::new(file, path)?),
    };
    Ok(ObservationReader { inner })
}

/// Writes observations in any encoding.
// One value per output file: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum ObservationWriter<W: Write + Send> {
    /// CSV.
    Csv(CsvWriter<W>),
    /// JSON Lines.
    Jsonl(JsonlWriter<W>),
    /// Parquet.
    Parquet(ParquetWriter<W>),
}

impl<W: Write + Send> ObservationWriter<W> {
    /// Starts writing `format` to `inner`. `path` names the output in error messages.
    pub fn new(inner: W, format: Format, path: impl Into<PathBuf>) -> Result<Self, IngestError> {
        Ok(match format {
            Format::Csv => ObservationWriter::Csv(CsvWriter::new(inner, path)?),
            Format::Jsonl => ObservationWriter::Jsonl(JsonlWriter::new(inner, path)),
            Format::Parquet => ObservationWriter::Parquet(ParquetWriter::new(inner, path)?),
        })
    }

    /// Writes one observation, checking it first.
    pub fn write(&mut self, obs: &Observation) -> Result<(), IngestError> {
        match self {
            ObservationWriter::Csv(w) => w.write(obs),
            ObservationWriter::Jsonl(w) => w.write(obs),
            ObservationWriter::Parquet(w) => w.write(obs),
        }
    }

    /// Finishes the output; returns the number of observations written.
    pub fn finish(self) -> Result<u64, IngestError> {
        match self {
            ObservationWriter::Csv(w) => w.finish(),
            ObservationWriter::Jsonl(w) => w.finish(),
            ObservationWriter::Parquet(w) => w.finish(),
        }
    }
}

/// Writes observations to `path` atomically, choosing the encoding by extension. Returns the
/// number written.
pub fn write_file<I>(path: impl AsRef<Path>, observations: I) -> Result<u64, IngestError>
where
    I: IntoIterator,
    I::Item: Borrow<Observation>,
{
    let path = path.as_ref();
    write_file_as(path, Format::from_path(path)?, observations)
}

/// Writes observations to `path` atomically in the given encoding. Returns the number
/// written; on error `path` is left as it was.
pub fn write_file_as<I>(
    path: impl AsRef<Path>,
    format: Format,
    observations: I,
) -> Result<u64, IngestError>
where
    I: IntoIterator,
    I::Item: Borrow<Observation>,
{
    let path = path.as_ref();
    atomic_write(path, |w| {
        let mut out = ObservationWriter::new(w, format, path)?;
        for obs in observations {
            out.write(obs.borrow())?;
        }
        out.finish()
    })
}

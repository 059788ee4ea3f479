//! Parquet: one column per field, read and written in Arrow record batches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::ParquetMetaData;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::reader::ChunkReader;
use arrow_array::builder::{
    Float64Builder, StringBuilder, TimestampNanosecondBuilder, UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use powermap_model::{Layer, Observation};

use super::columns::{self, NumCol, StrCol, TimeCol};
use crate::fields::{self, Column, COLUMNS};
use crate::{DictKey, IngestError, ObservationRef, Position, ReadRef};

/// Rows per record batch, read and written.
pub const BATCH_ROWS: usize = 8192;

/// Streams observations from Parquet, one record batch at a time.
///
/// Columns are matched by name; optional columns may be missing; unknown columns are
/// rejected. Accepted types: text as string or large string; `height` as a signed or
/// unsigned integer; `weight` as a float or integer; `time` as a timestamp of any unit
/// (read as UTC) or RFC 3339 text. Positions in errors are 1-based rows of the file.
pub struct ParquetReader {
    batches: ParquetRecordBatchReader,
    path: PathBuf,
    /// Index in the batch of each [`Column`], `None` when the file lacks it.
    index: [Option<usize>; 8],
    batch: Option<Batch>,
    /// Rows of the file before the current batch.
    offset: u64,
    done: bool,
    /// The dictionary last seen in the subject and entity columns, and its number; kept
    /// alive so that a later dictionary at the same address is not mistaken for it.
    dictionaries: [Option<(ArrayRef, u32)>; 2],
    /// Dictionaries numbered so far.
    numbered: u32,
}

struct Batch {
    network: StrCol,
    layer: StrCol,
    time: TimeCol,
    height: Option<NumCol>,
    subject: StrCol,
    entity: Option<StrCol>,
    weight: NumCol,
    source: Option<StrCol>,
    /// The layer of each dictionary value, when the layer column is dictionary-encoded.
    layers: Option<Vec<Result<Layer, String>>>,
    /// Numbers of the subject and entity dictionaries (see [`DictKey`]).
    subject_dict: Option<u32>,
    entity_dict: Option<u32>,
    len: usize,
    next: usize,
}

impl ParquetReader {
    /// Opens `input` (a `File`, or `bytes::Bytes` in memory) and checks its schema. `path`
    /// names the input in error messages.
    pub fn new<T: ChunkReader + 'static>(
        input: T,
        path: impl Into<PathBuf>,
    ) -> Result<Self, IngestError> {
        let path = path.into();
        let (batches, index) = guard(&path, || open_batches(input, &path))??;
        Ok(ParquetReader {
            batches,
            path,
            index,
            batch: None,
            offset: 0,
            done: false,
            dictionaries: [None, None],
            numbered: 0,
        })
    }

    /// The number of the dictionary of `column` (slot 0: subject, 1: entity) in this batch:
    /// the previous batch's when it shares the same dictionary array, else a new one.
    fn number_dictionary(&mut self, slot: usize, column: Option<&ArrayRef>) -> Option<u32> {
        let dict = column?.as_dictionary_opt::<Int32Type>()?;
        let values = dict.values();
        if let Some((prev, n)) = &self.dictionaries[slot] {
            if Arc::ptr_eq(prev, values) {
                return Some(*n);
            }
        }
        let n = self.numbered;
        self.numbered = self.numbered.wrapping_add(1);
        self.dictionaries[slot] = Some((values.clone(), n));
        Some(n)
    }

    fn load(&mut self, rb: &RecordBatch) -> Result<Batch, IngestError> {
        let index = self.index;
        let column = |c: Column| index[c as usize].map(|i| rb.column(i));
        let subject_dict = self.number_dictionary(0, column(Column::Subject));
        let entity_dict = self.number_dictionary(1, column(Column::Entity));
        let col = |c: Column| self.index[c as usize].map(|i| rb.column(i));
        let bug = |c: Column| {
            IngestError::Internal(format!(
                "{}: column \"{}\" changed type after the schema check",
                self.path.display(),
                c.name()
            ))
        };
        let req = |c: Column| col(c).ok_or_else(|| bug(c));
        let string = |c: Column| req(c).and_then(|a| StrCol::new(a).ok_or_else(|| bug(c)));
        let opt_string = |c: Column| col(c).map(|a| StrCol::new(a).ok_or_else(|| bug(c)));
        let layer = string(Column::Layer)?;
        let layers = layer.dictionary().map(|(_, values)| {
            (0..)
                .map_while(|j| values.get(j).map(fields::layer))
                .collect::<Vec<_>>()
        });
        Ok(Batch {
            network: string(Column::Network)?,
            layer,
            layers,
            time: TimeCol::new(req(Column::Time)?).ok_or_else(|| bug(Column::Time))?,
            height: col(Column::Height)
                .map(|a| NumCol::new(a).ok_or_else(|| bug(Column::Height)))
                .transpose()?,
            subject: string(Column::Subject)?,
            entity: opt_string(Column::Entity).transpose()?,
            weight: NumCol::new(req(Column::Weight)?).ok_or_else(|| bug(Column::Weight))?,
            source: opt_string(Column::Source).transpose()?,
            subject_dict,
            entity_dict,
            len: rb.num_rows(),
            next: 0,
        })
    }
}

impl Batch {
    fn observation(&self, i: usize) -> Result<ObservationRef<'_>, (Column, String)> {
        let missing = |c: Column| (c, "missing value (the field is required)".to_string());
        // Functions rather than closures, so the borrows may outlive the call.
        fn text(c: Column, col: &StrCol, i: usize) -> Result<&str, (Column, String)> {
            col.get(i)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| (c, "missing value (the field is required)".to_string()))
        }
        fn opt(col: &Option<StrCol>, i: usize) -> Option<&str> {
            col.as_ref()
                .and_then(|c| c.get(i))
                .and_then(fields::optional)
        }
        let network = text(Column::Network, &self.network, i)?;
        let layer = match (&self.layers, self.layer.dictionary()) {
            (Some(layers), Some((keys, _))) => keys
                .is_valid(i)
                .then(|| usize::try_from(keys.value(i)).ok())
                .flatten()
                .and_then(|k| layers.get(k))
                .ok_or_else(|| missing(Column::Layer))?
                .clone(),
            _ => fields::layer(self.layer.get(i).ok_or_else(|| missing(Column::Layer))?),
        };
        let layer = layer.map_err(|p| (Column::Layer, p))?;
        let time = self
            .time
            .get(i)
            .map_err(|p| (Column::Time, p))?
            .ok_or_else(|| missing(Column::Time))?;
        let height = match self.height.as_ref().and_then(|h| h.get(i)) {
            Some(n) => Some(columns::height(n).map_err(|p| (Column::Height, p))?),
            None => None,
        };
        let subject = text(Column::Subject, &self.subject, i)?;
        let weight = self.weight.get(i).ok_or_else(|| missing(Column::Weight))?;
        let weight = columns::weight(weight).map_err(|p| (Column::Weight, p))?;
        Ok(ObservationRef {
            network,
            layer,
            time,
            height,
            subject,
            entity: opt(&self.entity, i),
            weight,
            source: opt(&self.source, i),
            subject_key: dict_key(self.subject_dict, Some(&self.subject), i),
            entity_key: dict_key(self.entity_dict, self.entity.as_ref(), i),
        })
    }
}

/// The dictionary key of row `i`, for a dictionary-encoded column numbered `dictionary`.
fn dict_key(dictionary: Option<u32>, col: Option<&StrCol>, i: usize) -> Option<DictKey> {
    let (keys, _) = col?.dictionary()?;
    let key = u32::try_from(*keys.values().get(i)?).ok()?;
    Some(DictKey {
        dictionary: dictionary?,
        key,
    })
}

impl ReadRef for ParquetReader {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        // First make sure a batch with a row left is loaded; the row is borrowed only after
        // the loop, so the borrow checker sees a single lending path.
        loop {
            match &self.batch {
                Some(b) if b.next < b.len => break,
                Some(b) => {
                    self.offset += b.len as u64;
                    self.batch = None;
                }
                None => {}
            }
            if self.done {
                return None;
            }
            let batches = &mut self.batches;
            let next = match guard(&self.path, || batches.next()) {
                Ok(next) => next,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            match next {
                None => self.done = true,
                Some(Err(source)) => {
                    self.done = true;
                    return Some(Err(IngestError::Arrow {
                        path: self.path.clone(),
                        source,
                    }));
                }
                Some(Ok(rb)) => match self.load(&rb) {
                    Ok(b) => self.batch = Some(b),
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                },
            }
        }
        let b = self.batch.as_mut()?;
        let i = b.next;
        b.next += 1;
        let row = self.offset + i as u64 + 1;
        let path = &self.path;
        Some(b.observation(i).map_err(|(c, problem)| IngestError::Field {
            path: path.clone(),
            position: Position::Row(row),
            field: c.name(),
            problem,
        }))
    }
}

impl Iterator for ParquetReader {
    type Item = Result<Observation, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref().map(|r| r.map(|o| o.to_owned()))
    }
}

/// Checks the schema and builds the batch reader. Text columns are read dictionary-encoded (decoded once per page,
/// not copied per row); a text `time` column is read as plain strings.
fn open_batches<T: ChunkReader + 'static>(
    input: T,
    path: &Path,
) -> Result<(ParquetRecordBatchReader, [Option<usize>; 8]), IngestError> {
    let err = |source| parquet_error(path, source);
    let mut meta = ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(err)?;
    check_offsets(meta.metadata(), path)?;
    // Field order is kept below, so the index stays valid.
    let index = check_schema(meta.schema(), path)?;
    let target = |f: &Field| match Column::from_name(f.name()) {
        Some(Column::Time) => plain(f.data_type()),
        Some(_) => columns::dictionary_type(f.data_type()),
        None => None,
    };
    let schema = meta.schema();
    if schema.fields().iter().any(|f| target(f).is_some()) {
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|f| match target(f) {
                Some(t) => f.as_ref().clone().with_data_type(t),
                None => f.as_ref().clone(),
            })
            .collect();
        let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields)));
        meta = ArrowReaderMetadata::try_new(meta.metadata().clone(), options).map_err(err)?;
    }
    let batches = ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(err)?;
    Ok((batches, index))
}

/// The plain string type to read a dictionary or view string column as.
fn plain(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Dictionary(_, v) if **v == DataType::LargeUtf8 => Some(DataType::LargeUtf8),
        DataType::Dictionary(_, _) | DataType::Utf8View => Some(DataType::Utf8),
        _ => None,
    }
}

/// Rejects column chunk offsets the parquet crate would panic on
/// (`ColumnChunkMetaData::byte_range`).
fn check_offsets(meta: &ParquetMetaData, path: &Path) -> Result<(), IngestError> {
    let bad = meta
        .row_groups()
        .iter()
        .flat_map(|rg| rg.columns())
        .any(|c| {
            c.dictionary_page_offset().unwrap_or(0) < 0
                || c.data_page_offset() < 0
                || c.compressed_size() < 0
        });
    if bad {
        return Err(parquet_error(
            path,
            ParquetError::General("negative column chunk offset or size".into()),
        ));
    }
    Ok(())
}

/// Runs parquet decoding, turning a panic inside the parquet crate into an error.
///
/// The decoder asserts on some malformed input instead of returning an error; a corrupt
/// file must not crash the program. The reader is not used again after a panic.
fn guard<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        parquet_error(
            path,
            ParquetError::General(format!("malformed file (decoder panicked: {msg})")),
        )
    })
}

fn parquet_error(path: &Path, source: ParquetError) -> IngestError {
    IngestError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

fn check_schema(schema: &Schema, path: &Path) -> Result<[Option<usize>; 8], IngestError> {
    let bad = |field: &str, problem: String| IngestError::Schema {
        path: path.to_path_buf(),
        field: field.to_string(),
        problem,
    };
    let mut index = [None; 8];
    for (i, f) in schema.fields().iter().enumerate() {
        let c = Column::from_name(f.name()).ok_or_else(|| {
            bad(
                f.name(),
                format!("unknown column (expected: {})", COLUMNS.join(", ")),
            )
        })?;
        if index[c as usize].replace(i).is_some() {
            return Err(bad(f.name(), "appears twice".into()));
        }
        let t = f.data_type();
        let (ok, expected) = match c {
            Column::Time => (columns::is_time(t), columns::TIME_TYPES),
            Column::Height => (columns::is_int(t), columns::INT_TYPES),
            Column::Weight => (columns::is_number(t), columns::NUMBER_TYPES),
            _ => (columns::is_string(t), columns::STRING_TYPES),
        };
        if !ok {
            return Err(bad(f.name(), format!("expected {expected}, found {t}")));
        }
    }
    if let Some(c) = Column::ALL
        .iter()
        .find(|c| !c.is_optional() && index[**c as usize].is_none())
    {
        return Err(bad(c.name(), "missing required column".into()));
    }
    Ok(index)
}

/// The schema [`ParquetWriter`] writes.
pub fn schema() -> SchemaRef {
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        text("network", false),
        text("layer", false),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            false,
        ),
        Field::new("height", DataType::UInt64, true),
        text("subject", false),
        text("entity", true),
        Field::new("weight", DataType::Float64, false),
        text("source", true),
    ]))
}

/// Writes observations as Snappy-compressed Parquet with the schema of [`schema()`].
///
/// Rows are gathered [`BATCH_ROWS`] at a time; the Arrow writer holds at most one row group
/// (1 Mi rows) of encoded data in memory.
pub struct ParquetWriter<W: Write + Send> {
    w: ArrowWriter<W>,
    path: PathBuf,
    rows: u64,
    pending: usize,
    network: StringBuilder,
    layer: StringBuilder,
    time: TimestampNanosecondBuilder,
    height: UInt64Builder,
    subject: StringBuilder,
    entity: StringBuilder,
    weight: Float64Builder,
    source: StringBuilder,
}

impl<W: Write + Send> ParquetWriter<W> {
    /// Starts a file. `path` names the output in error messages.
    pub fn new(inner: W, path: impl Into<PathBuf>) -> Result<Self, IngestError> {
        let path = path.into();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(1 << 20))
            .build();
        let w = ArrowWriter::try_new(inner, schema(), Some(props))
            .map_err(|source| parquet_error(&path, source))?;
        Ok(ParquetWriter {
            w,
            path,
            rows: 0,
            pending: 0,
            network: StringBuilder::new(),
            layer: StringBuilder::new(),
            time: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            height: UInt64Builder::new(),
            subject: StringBuilder::new(),
            entity: StringBuilder::new(),
            weight: Float64Builder::new(),
            source: StringBuilder::new(),
        })
    }

    /// Writes one observation, checking it first.
    pub fn write(&mut self, obs: &Observation) -> Result<(), IngestError> {
        self.rows += 1;
        let position = Position::Row(self.rows);
        super::check_for_write(obs, &self.path, position)?;
        let nanos = obs
            .time
            .timestamp_nanos_opt()
            .ok_or_else(|| super::time_range_error(&self.path, position, &obs.time))?;
        self.network.append_value(&obs.network);
        self.layer.append_value(obs.layer.id());
        self.time.append_value(nanos);
        self.height.append_option(obs.height);
        self.subject.append_value(&obs.subject);
        self.entity.append_option(obs.entity.as_deref());
        self.weight.append_value(obs.weight);
        self.source.append_option(obs.source.as_deref());
        self.pending += 1;
        if self.pending == BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<(), IngestError> {
        if self.pending == 0 {
            return Ok(());
        }
        self.pending = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.network.finish()),
            Arc::new(self.layer.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.height.finish()),
            Arc::new(self.subject.finish()),
            Arc::new(self.entity.finish()),
            Arc::new(self.weight.finish()),
            Arc::new(self.source.finish()),
        ];
        let batch = RecordBatch::try_new(schema(), columns).map_err(|source| {
            IngestError::Internal(format!("building a record batch: {source}"))
        })?;
        self.w
            .write(&batch)
            .map_err(|source| parquet_error(&self.path, source))
    }

    /// Writes the last batch and the footer; returns the number of observations written.
    pub fn finish(mut self) -> Result<u64, IngestError> {
        self.flush_batch()?;
        let mut inner = self
            .w
            .into_inner()
            .map_err(|source| parquet_error(&self.path, source))?;
        inner.flush().map_err(|e| IngestError::io(&self.path, e))?;
        Ok(self.rows)
    }
}

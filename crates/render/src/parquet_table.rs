//! The long-form metrics table as Parquet, for pandas / polars / DuckDB.
//!
//! Columns: `ledger` (utf8), `date` (date32, the representative date), `clustering` (bool),
//! then one nullable float64 column per metric id (the union over analyses, in order of first
//! appearance); undefined values and metrics an analysis lacks are null. Snappy-compressed.

use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Date32Array, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use powermap_model::Analysis;

use crate::csv_files::metric_union;
use crate::Result;

/// Builds the long-form metrics table as one Arrow record batch.
pub fn long_batch(analyses: &[Analysis]) -> Result<RecordBatch> {
    let ids = metric_union(analyses);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let rows = analyses
        .iter()
        .flat_map(|a| a.windows.iter().map(move |w| (a, w)));
    let ledger: StringArray = rows
        .clone()
        .map(|(a, _)| Some(a.network.as_str()))
        .collect();
    let date: Date32Array = rows
        .clone()
        .map(|(_, w)| Some((w.window.representative - epoch).num_days() as i32))
        .collect();
    let clustering: BooleanArray = rows.clone().map(|(a, _)| Some(a.clustering)).collect();
    let mut fields = vec![
        Field::new("ledger", DataType::Utf8, false),
        Field::new("date", DataType::Date32, false),
        Field::new("clustering", DataType::Boolean, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(ledger), Arc::new(date), Arc::new(clustering)];
    for id in &ids {
        fields.push(Field::new(id, DataType::Float64, true));
        let col: Float64Array = rows
            .clone()
            .map(|(a, w)| {
                a.metric_index(id)
                    .and_then(|i| w.values.get(i))
                    .and_then(|v| v.as_f64())
            })
            .collect();
        columns.push(Arc::new(col));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Writes the long-form metrics table as a Parquet file.
pub fn write_parquet<W: Write + Send>(analyses: &[Analysis], out: W) -> Result<()> {
    let batch = long_batch(analyses)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(out, batch.schema(), Some(props))?;
    w.write(&batch)?;
    w.close()?;
    Ok(())
}

//! Parquet files written by other tools: other column types, errors by row.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, LargeStringArray, RecordBatch,
    StringArray, StringViewArray, TimestampSecondArray,
};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use powermap_ingest::{IngestError, ParquetReader, Position};
use powermap_model::Layer;

fn parquet(columns: Vec<(&str, ArrayRef)>) -> Bytes {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    Bytes::from(buf)
}

fn strings(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

#[test]
fn accepts_other_types() {
    let file = parquet(vec![
        (
            "subject",
            Arc::new(LargeStringArray::from(vec!["a", "b"])) as ArrayRef,
        ),
        ("network", strings(&["bitcoin", "bitcoin"])),
        ("layer", strings(&["consensus", "wealth"])),
        (
            "time",
            Arc::new(TimestampSecondArray::from(vec![0, 86_400])) as ArrayRef,
        ),
        (
            "height",
            Arc::new(Int32Array::from(vec![Some(7), None])) as ArrayRef,
        ),
        ("weight", Arc::new(Int64Array::from(vec![3, 0])) as ArrayRef),
    ]);
    let rows: Vec<_> = ParquetReader::new(file, "obs.parquet")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].subject, "a");
    assert_eq!(rows[1].layer, Layer::Wealth);
    assert_eq!(rows[1].time.timestamp(), 86_400);
    assert_eq!((rows[0].height, rows[1].height), (Some(7), None));
    assert_eq!((rows[0].weight, rows[1].weight), (3.0, 0.0));
}

#[test]
fn dictionary_and_view_strings_read_as_strings() {
    let dict: DictionaryArray<Int32Type> = vec!["bitcoin", "bitcoin"].into_iter().collect();
    let file = parquet(vec![
        ("network", Arc::new(dict) as ArrayRef),
        (
            "layer",
            Arc::new(StringViewArray::from(vec!["consensus", "wealth"])) as ArrayRef,
        ),
        (
            "time",
            strings(&["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]),
        ),
        ("subject", strings(&["a", "b"])),
        (
            "weight",
            Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef,
        ),
    ]);
    let rows: Vec<_> = ParquetReader::new(file, "obs.parquet")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[1].network, "bitcoin");
    assert_eq!(rows[1].layer, Layer::Wealth);
}

#[test]
fn string_times_and_row_errors() {
    let file = parquet(vec![
        ("network", strings(&["bitcoin", "bitcoin", "bitcoin"])),
        ("layer", strings(&["consensus", "consensus", "consensus"])),
        (
            "time",
            strings(&["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "yesterday"]),
        ),
        ("subject", strings(&["a", "b", "c"])),
        (
            "weight",
            Arc::new(Float64Array::from(vec![1.0, -3.0, 1.0])) as ArrayRef,
        ),
    ]);
    let rows: Vec<_> = ParquetReader::new(file, "obs.parquet").unwrap().collect();
    assert!(rows[0].is_ok());
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.position(), Some(Position::Row(2)));
    assert_eq!(
        e.to_string(),
        "obs.parquet: row 2: field \"weight\": expected a number ≥ 0, got -3"
    );
    let e = rows[2].as_ref().unwrap_err();
    assert_eq!(e.field(), Some("time"));
    assert!(
        e.to_string()
            .starts_with("obs.parquet: row 3: field \"time\""),
        "{e}"
    );
}

#[test]
fn schema_errors_name_the_column() {
    let base = || {
        vec![
            ("network", strings(&["bitcoin"])),
            ("layer", strings(&["consensus"])),
            ("time", strings(&["2024-01-01T00:00:00Z"])),
            ("subject", strings(&["a"])),
        ]
    };
    let mut cols = base();
    cols.push(("weight", strings(&["1"])));
    let e = ParquetReader::new(parquet(cols), "obs.parquet")
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "obs.parquet: column \"weight\": expected float32, float64, int32, int64, uint32 or uint64, found Utf8"
    );
    let mut cols = base();
    cols.push((
        "weight",
        Arc::new(Float64Array::from(vec![1.0])) as ArrayRef,
    ));
    cols.push(("colour", strings(&["red"])));
    let e = ParquetReader::new(parquet(cols), "obs.parquet")
        .err()
        .unwrap();
    assert!(
        matches!(&e, IngestError::Schema { field, .. } if field == "colour"),
        "{e}"
    );
    let e = ParquetReader::new(parquet(base()), "obs.parquet")
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "obs.parquet: column \"weight\": missing required column"
    );
    let e = ParquetReader::new(Bytes::from_static(b"PAR1 not really"), "obs.parquet")
        .err()
        .unwrap();
    assert!(matches!(e, IngestError::Parquet { .. }), "{e}");
}

//! Golden files: `tests/golden/<case>/<file>` compared whole; `UPDATE_GOLDEN=1` rewrites them.

use std::path::PathBuf;

use powermap_render::csv_files::{self, edi_value};
use powermap_render::jsonl::write_jsonl;
use powermap_render::parquet_table::{long_batch, write_parquet};

use crate::fixture;

pub fn check_golden(case: &str, file: &str, got: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(case)
        .join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if want != got {
        panic!(
            "golden mismatch for {}\n--- expected\n{}\n--- got\n{}\n(UPDATE_GOLDEN=1 rewrites it after review)",
            path.display(),
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(got)
        );
    }
}

#[test]
fn csv_files_match_golden() {
    let files = csv_files::all_files(&fixture::both(), edi_value).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"output.csv"));
    assert!(names.contains(&"nakamoto_coefficient=1_3.csv"));
    assert!(names.contains(&"entropy=2.csv"));
    for (name, bytes) in &files {
        check_golden("small", name, bytes);
    }
}

#[test]
fn jsonl_matches_golden_and_parses() {
    let mut out = Vec::new();
    write_jsonl(&fixture::both(), &mut out).unwrap();
    check_golden("small", "analysis.jsonl", &out);
    let text = String::from_utf8(out).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["type"].is_string(), "{line}");
    }
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "analysis");
    assert_eq!(first["registry"], "powermap-registry 2026.1");
}

#[test]
fn custom_value_format_is_used() {
    fn fixed(v: powermap_model::MetricValue) -> String {
        v.as_f64().map_or("NA".into(), |f| format!("{f:.2}"))
    }
    let mut out = Vec::new();
    csv_files::write_long(&[fixture::ethereum()], fixed, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("ethereum,2024-05-14,False,NA,15000000000000000.00\n"),
        "{text}"
    );
}

#[test]
fn parquet_has_long_form_columns() {
    let analyses = fixture::both();
    let batch = long_batch(&analyses).unwrap();
    assert_eq!(batch.num_rows(), 7);
    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(&names[..4], ["ledger", "date", "clustering", "entropy=1"]);
    assert_eq!(names.last().unwrap(), "entropy=2");
    let mut out = Vec::new();
    write_parquet(&analyses, &mut out).unwrap();
    assert_eq!(&out[..4], b"PAR1");
    assert_eq!(&out[out.len() - 4..], b"PAR1");

    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, &out).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let back: Vec<_> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(back, vec![batch]);
}

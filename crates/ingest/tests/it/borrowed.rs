//! The borrowed-row path ([`ReadRef::next_ref`]) and the owned iterators yield the same
//! observations and the same errors, in every encoding, valid input or not.

use std::path::Path;

use powermap_ingest::{read_file, write_file, Format, ReadRef};
use powermap_model::Observation;
use proptest::prelude::*;

use crate::strategies::observation;

/// Every item of a reader, errors as their messages (capped: a reader may go on after one).
/// An error opening the file (a bad CSV header) is the only item.
fn owned(path: &Path) -> Vec<Result<Observation, String>> {
    match read_file(path) {
        Ok(reader) => reader
            .take(1000)
            .map(|r| r.map_err(|e| e.to_string()))
            .collect(),
        Err(e) => vec![Err(e.to_string())],
    }
}

fn borrowed(path: &Path) -> Vec<Result<Observation, String>> {
    let mut reader = match read_file(path) {
        Ok(reader) => reader,
        Err(e) => return vec![Err(e.to_string())],
    };
    let mut out = Vec::new();
    while let Some(r) = reader.next_ref() {
        out.push(r.map(|o| o.to_owned()).map_err(|e| e.to_string()));
        if out.len() == 1000 {
            break;
        }
    }
    out
}

/// Writes `obs`, then overwrites some bytes (text encodings only).
fn file(
    format: Format,
    obs: &[Observation],
    flips: &[(prop::sample::Index, u8)],
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("obs.{}", format.id()));
    write_file(&path, obs).unwrap();
    if format != Format::Parquet && !flips.is_empty() && !obs.is_empty() {
        let mut bytes = std::fs::read(&path).unwrap();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        std::fs::write(&path, bytes).unwrap();
    }
    dir
}

fn check(format: Format, obs: &[Observation], flips: &[(prop::sample::Index, u8)]) {
    let dir = file(format, obs, flips);
    let path = dir.path().join(format!("obs.{}", format.id()));
    let b = borrowed(&path);
    assert_eq!(b, owned(&path), "{format}");
    if flips.is_empty() || obs.is_empty() || format == Format::Parquet {
        let back: Vec<_> = b.into_iter().map(Result::unwrap).collect();
        assert_eq!(back, obs, "{format}");
    }
}

/// A few bytes to overwrite, from JSON and CSV syntax and a few others.
fn flips() -> impl Strategy<Value = Vec<(prop::sample::Index, u8)>> {
    let byte = prop_oneof![
        prop::sample::select(b"\",:{}\\\n\r -.0e9ntx".to_vec()),
        any::<u8>(),
    ];
    prop::collection::vec((any::<prop::sample::Index>(), byte), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_borrowed_matches_owned(obs in prop::collection::vec(observation(), 0..30), flips in flips()) {
        check(Format::Csv, &obs, &flips);
    }

    #[test]
    fn jsonl_borrowed_matches_owned(obs in prop::collection::vec(observation(), 0..30), flips in flips()) {
        check(Format::Jsonl, &obs, &flips);
    }

    #[test]
    fn parquet_borrowed_matches_owned(obs in prop::collection::vec(observation(), 0..30)) {
        check(Format::Parquet, &obs, &[]);
    }
}

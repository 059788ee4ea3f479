//! Write → read gives back equal observations, for every encoding.

use powermap_ingest::{read_file, read_file_as, write_file, write_file_as, Format};
use powermap_model::Observation;
use proptest::prelude::*;

use crate::strategies::observation;

fn round_trip(format: Format, obs: &[Observation]) -> Vec<Observation> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("obs.{}", format.id()));
    assert_eq!(write_file(&path, obs).unwrap(), obs.len() as u64);
    read_file(&path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn csv_round_trips(obs in prop::collection::vec(observation(), 0..40)) {
        prop_assert_eq!(round_trip(Format::Csv, &obs), obs);
    }

    #[test]
    fn jsonl_round_trips(obs in prop::collection::vec(observation(), 0..40)) {
        prop_assert_eq!(round_trip(Format::Jsonl, &obs), obs);
    }

    #[test]
    fn parquet_round_trips(obs in prop::collection::vec(observation(), 0..40)) {
        prop_assert_eq!(round_trip(Format::Parquet, &obs), obs);
    }
}

/// Several record batches and the batch boundary, in every encoding.
#[test]
fn many_rows_round_trip() {
    let config = powermap_ingest::synth::SynthConfig {
        rows: 20_000,
        ..Default::default()
    };
    let expected: Vec<_> = powermap_ingest::synth::generate(&config).collect();
    for format in Format::ALL {
        assert_eq!(round_trip(format, &expected), expected, "{format}");
    }
}

#[test]
fn explicit_format_ignores_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("obs.txt");
    let obs: Vec<_> = powermap_ingest::synth::generate(&powermap_ingest::synth::SynthConfig {
        rows: 5,
        ..Default::default()
    })
    .collect();
    assert!(write_file(&path, &obs).is_err());
    write_file_as(&path, Format::Jsonl, &obs).unwrap();
    let back: Vec<_> = read_file_as(&path, Format::Jsonl)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, obs);
    assert!(read_file(&path).is_err());
}

#[test]
fn synth_writes_through_the_writers() {
    let dir = tempfile::tempdir().unwrap();
    let config = powermap_ingest::synth::SynthConfig {
        rows: 1000,
        ..Default::default()
    };
    for format in Format::ALL {
        let path = dir.path().join(format!("synth.{}", format.id()));
        assert_eq!(
            powermap_ingest::synth::write(&path, format, &config).unwrap(),
            1000
        );
        assert_eq!(read_file(&path).unwrap().count(), 1000);
    }
}

/// Many distinct subjects overflow Parquet's dictionary page, so the writer falls back to
/// plain encoding mid-file; the reader must handle both in one column.
#[test]
fn parquet_dictionary_fallback_round_trips() {
    let config = powermap_ingest::synth::SynthConfig {
        rows: 60_000,
        ..Default::default()
    };
    let expected: Vec<_> = powermap_ingest::synth::generate(&config)
        .enumerate()
        .map(|(i, mut o)| {
            o.subject = format!("{i:08}-{}", "x".repeat(40));
            o
        })
        .collect();
    assert_eq!(round_trip(Format::Parquet, &expected), expected);
}

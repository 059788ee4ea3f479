//! Proptest strategies for observations.

use chrono::DateTime;
use powermap_model::{Layer, Observation};
use proptest::prelude::*;

/// Any text, newlines, quotes and commas included, never empty (empty means absent).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,12}",
        proptest::string::string_regex("(?s).{1,16}").unwrap(),
        Just("a,b \"quoted\"\r\nnext".to_string()),
    ]
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..10_000).prop_map(f64::from),
        0.0f64..1.0,
        0.0f64..1e300,
        Just(f64::MIN_POSITIVE / 4.0),
        Just(0.0),
    ]
}

/// Observations every encoding can hold: times within 1900–2200 (the Parquet ns range).
pub fn observation() -> impl Strategy<Value = Observation> {
    (
        text(),
        prop::sample::select(Layer::ALL.to_vec()),
        (
            -2_208_988_800i64..7_258_118_400,
            prop_oneof![Just(0u32), 0u32..1_000_000_000],
        ),
        proptest::option::of(any::<u64>()),
        text(),
        proptest::option::of(text()),
        weight(),
        proptest::option::of(text()),
    )
        .prop_map(
            |(network, layer, (secs, nanos), height, subject, entity, weight, source)| {
                Observation {
                    network,
                    layer,
                    time: DateTime::from_timestamp(secs, nanos).unwrap(),
                    height,
                    subject,
                    entity,
                    weight,
                    source,
                }
            },
        )
}

//! Arbitrary bytes as an observation JSON Lines file: rows or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use powermap_ingest::JsonlReader;

fuzz_target!(|data: &[u8]| {
    for row in JsonlReader::new(data, "fuzz.jsonl") {
        let _ = row;
    }
});

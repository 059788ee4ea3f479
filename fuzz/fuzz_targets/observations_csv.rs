//! Arbitrary bytes as an observation CSV file: the reader returns rows or errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use powermap_ingest::CsvReader;

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = CsvReader::new(data, "fuzz.csv") {
        for row in reader {
            let _ = row;
        }
    }
});

//! Arbitrary bytes as an observation Parquet file (in memory): rows or errors, never a panic.
//!
//! The parquet crate asserts on some malformed input instead of returning an error, so
//! `powermap-ingest` runs its decoder under `catch_unwind` and reports such a panic as an
//! error. libFuzzer cannot see that: libfuzzer-sys installs a panic hook that aborts the
//! process *before* unwinding starts, so every panic is a crash, caught or not. The hook
//! installed in `init` restores the production behaviour for panics raised inside the
//! parquet and arrow crates: they unwind (silently) to ingest's guard, and only a panic that
//! escapes it, or any panic raised elsewhere (our code), is a crash. Set
//! `POWERMAP_FUZZ_STRICT_PARQUET=1` to make every panic a crash again (to collect panics to
//! report upstream).
#![no_main]

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use libfuzzer_sys::fuzz_target;
use powermap_ingest::ParquetReader;

thread_local! {
    /// The last dependency panic let through to unwind, printed if nothing catches it.
    static LAST: RefCell<String> = const { RefCell::new(String::new()) };
}

/// True for a panic raised in the parquet or arrow crates' sources.
fn in_decoder(info: &panic::PanicHookInfo<'_>) -> bool {
    info.location().is_some_and(|l| {
        let f = l.file();
        f.contains("/parquet-") || f.contains("/arrow-")
    })
}

fuzz_target!(
    init: {
        if std::env::var_os("POWERMAP_FUZZ_STRICT_PARQUET").is_none() {
            // libfuzzer-sys's hook: prints the panic, then aborts.
            let abort = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if in_decoder(info) {
                    LAST.with(|l| *l.borrow_mut() = info.to_string());
                } else {
                    abort(info);
                }
            }));
        }
    },
    |data: &[u8]| {
        let run = || {
            let input = bytes::Bytes::copy_from_slice(data);
            if let Ok(reader) = ParquetReader::new(input, "fuzz.parquet") {
                for row in reader {
                    let _ = row;
                }
            }
        };
        if panic::catch_unwind(AssertUnwindSafe(run)).is_err() {
            // A decoder panic that ingest's guard did not catch.
            LAST.with(|l| eprintln!("uncaught panic: {}", l.borrow()));
            std::process::abort();
        }
    }
);

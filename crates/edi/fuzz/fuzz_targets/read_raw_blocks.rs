//! Feeds arbitrary bytes to the EDI raw-block reader and mapper for every ledger: they must
//! return values or errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use powermap_attribution::Registry;
use powermap_edi::{BlockReader, EdiMapper, Ledger};

fuzz_target!(|data: &[u8]| {
    for ledger in Ledger::ALL {
        let mapper = EdiMapper::new(Registry::new(ledger.id()), true);
        for block in BlockReader::new(data, "fuzz", ledger).flatten() {
            let _ = mapper.map(&block, "fuzz");
        }
    }
});

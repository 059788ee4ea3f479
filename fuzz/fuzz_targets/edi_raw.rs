//! Arbitrary bytes as EDI raw block data (`<ledger>_raw_data.json`) for every ledger: the
//! reader and the mapper return values or errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use powermap_attribution::Registry;
use powermap_edi::{BlockReader, EdiMapper, Ledger};

fuzz_target!(|data: &[u8]| {
    for ledger in Ledger::ALL {
        let mapper = EdiMapper::new(Registry::new(ledger.id()), true);
        for block in BlockReader::new(data, "fuzz", ledger).flatten() {
            let _ = block.reward_address_list();
            let _ = mapper.map(&block, "fuzz");
        }
    }
});

//! Arbitrary text as every mapping file the attribution registry reads: EDI's
//! `mapping_information/` files, a bitcoin-data pool entry, a slug table and an alias table.
//! Each returns a count or an error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use powermap_attribution::Registry;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let mut r = Registry::new("bitcoin");
    let _ = r.add_edi_identifiers("identifiers/bitcoin.json", text);
    let _ = r.add_edi_addresses("addresses/bitcoin.json", text);
    let _ = r.add_edi_clusters("clusters/bitcoin.json", text);
    let _ = r.add_edi_legal_links("legal_links.json", text);
    let _ = r.add_edi_special_addresses("special_addresses.json", text);
    let _ = r.add_pool_list_entry("pools/fuzz.json", text);
    let _ = r.add_slug_names("slugs.json", text, Some("fuzz"));
    let _ = r.add_aliases("aliases.json", text);
    for alias in r.aliases() {
        let _ = r.canonical(&alias.name);
    }
});

// The reader never panics, whatever the input; the shipped EDI mapping data loads.

use std::path::PathBuf;

use powermap_attribution::Registry;
use powermap_edi::{load_mapping_information, BlockReader, EdiMapper, Ledger};
use proptest::prelude::*;

fn any_ledger() -> impl Strategy<Value = Ledger> {
    proptest::sample::select(Ledger::ALL.to_vec())
}

/// JSON-ish lines built from the fields EDI uses, with hostile values.
fn jsonish_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        "-?[0-9]{1,25}(\\.[0-9]+)?",
        "\"[0-9a-fA-Fx ]{0,12}\"",
        "\"[ -~]{0,20}\"",
        Just(
            "[{\"addresses\":[\"a\"],\"value\":\"1\"},{\"addresses\":null,\"value\":2},{}]"
                .to_string()
        ),
        Just("[{\"addresses\":[1],\"value\":1}]".to_string()),
        Just("\"2018-02-05 04:54:34 UTC\"".to_string()),
        Just("\"2020-12-31T00:57:03\"".to_string()),
    ];
    let field = proptest::sample::select(vec![
        "number",
        "timestamp",
        "identifiers",
        "reward_addresses",
        "outputs",
    ]);
    proptest::collection::vec((field, value), 0..6).prop_map(|kv| {
        let body: Vec<String> = kv
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    #[test]
    fn reader_never_panics_on_bytes(ledger in any_ledger(), bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mapper = EdiMapper::new(Registry::new(ledger.id()), true);
        for b in BlockReader::new(bytes.as_slice(), "fuzz", ledger).flatten() {
            let _ = mapper.map(&b, "fuzz");
        }
    }

    #[test]
    fn reader_never_panics_on_jsonish_lines(ledger in any_ledger(), lines in proptest::collection::vec(jsonish_line(), 0..5)) {
        let text = lines.join("\n");
        let mapper = EdiMapper::new(Registry::new(ledger.id()), true);
        let n_lines = text.lines().filter(|l| !l.trim().is_empty()).count();
        let mut seen = 0;
        for r in BlockReader::new(text.as_bytes(), "fuzz", ledger) {
            seen += 1;
            match r {
                Ok(b) => { let _ = mapper.map(&b, "fuzz"); }
                Err(e) => prop_assert!(e.to_string().starts_with("fuzz:"), "{}", e),
            }
        }
        prop_assert_eq!(seen, n_lines);
    }
}

#[test]
fn shipped_edi_mapping_loads_for_every_ledger() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/edi-mapping/mapping_information");
    for ledger in Ledger::ALL {
        let r = load_mapping_information(&dir, ledger).unwrap_or_else(|e| panic!("{ledger}: {e}"));
        assert_eq!(r.network(), ledger.id());
        assert!(!r.links().is_empty());
    }
}

#[test]
fn missing_required_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = load_mapping_information(dir.path(), Ledger::Bitcoin).unwrap_err();
    assert!(e.to_string().contains("legal_links.json"), "{e}");
    std::fs::write(
        dir.path().join("legal_links.json"),
        "{\"A\": [{\"name\": \"B\", \"from\": \"bad\", \"to\": \"\"}]}",
    )
    .unwrap();
    let e = load_mapping_information(dir.path(), Ledger::Bitcoin).unwrap_err();
    let chain = format!("{e}: {}", std::error::Error::source(&e).unwrap());
    assert!(
        chain.contains("legal_links.json") && chain.contains("bad date `bad`"),
        "{chain}"
    );
}

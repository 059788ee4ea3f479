//! Every TOML example in `docs/policy.md` and every policy in `examples/` loads.

use std::path::Path;

use powermap_policy::Policy;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn policy_guide_examples_parse() {
    let doc = std::fs::read_to_string(root().join("docs/policy.md")).unwrap();
    let mut n = 0;
    for (i, block) in doc.split("```toml\n").skip(1).enumerate() {
        let toml = block.split("```").next().unwrap();
        if let Err(e) = Policy::parse(toml, &format!("docs/policy.md block {}", i + 1)) {
            panic!("{e}\n{toml}");
        }
        n += 1;
    }
    assert!(n >= 6, "only {n} TOML examples found");
}

#[test]
fn shipped_example_policies_load() {
    for name in ["bitcoin.toml", "ethereum.toml"] {
        let p = Policy::load(&root().join("examples").join(name)).unwrap();
        assert!(p.constraints.len() >= 8, "{name}");
        assert!(
            p.constraints.iter().any(|c| c.effective_from.is_some()),
            "{name}: one announced constraint"
        );
        let kinds: std::collections::BTreeSet<_> =
            p.constraints.iter().map(|c| c.kind.id()).collect();
        assert_eq!(kinds.len(), 5, "{name}: every kind once at least");
    }
}

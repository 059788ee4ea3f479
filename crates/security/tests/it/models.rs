//! The shipped file, parsing errors, matching and overrides.

use powermap_model::{Boundary, Layer, Threshold};
use powermap_security::{Property, SecurityError, SecurityModels};

#[test]
fn shipped_file_parses_and_every_entry_is_cited() {
    let m = SecurityModels::builtin();
    assert!(m.entries().len() >= 30, "{}", m.entries().len());
    for e in m.entries() {
        assert!(
            e.citation.starts_with("https://"),
            "{}: {}",
            e.origin,
            e.citation
        );
        assert!(!e.why.trim().is_empty(), "{}", e.origin);
        let t = e.threshold;
        assert!(t.num() > 0 && t.num() <= t.den(), "{}: {t}", e.origin);
        assert!(e.origin.starts_with("registry/security-models.toml:"));
    }
}

#[test]
fn brief_thresholds_are_encoded() {
    let m = SecurityModels::builtin();
    let get = |net: &str, layer: Layer, id: &str| {
        m.models_for(net, layer)
            .into_iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{net}/{layer}/{id}"))
            .clone()
    };
    let q = |s: &str| s.parse::<Threshold>().unwrap();
    use Boundary::{AtLeast as GE, Greater as GT};
    let cases = [
        (
            "bitcoin",
            Layer::Consensus,
            "double_spend",
            "1/2",
            GT,
            Property::Safety,
        ),
        (
            "bitcoin",
            Layer::Consensus,
            "selfish_mining",
            "1/4",
            GT,
            Property::Safety,
        ),
        (
            "bitcoin",
            Layer::Consensus,
            "selfish_mining_no_network",
            "1/3",
            GT,
            Property::Safety,
        ),
        (
            "ethereum",
            Layer::Consensus,
            "halt_finality",
            "1/3",
            GT,
            Property::Liveness,
        ),
        (
            "ethereum",
            Layer::Consensus,
            "finalize_invalid",
            "2/3",
            GE,
            Property::Safety,
        ),
        (
            "ethereum",
            Layer::Consensus,
            "control_head",
            "1/2",
            GT,
            Property::Safety,
        ),
        (
            "ethereum",
            Layer::Software,
            "halt_finality",
            "1/3",
            GT,
            Property::Liveness,
        ),
        (
            "ethereum",
            Layer::Software,
            "finalize_invalid",
            "2/3",
            GE,
            Property::Safety,
        ),
        (
            "cosmoshub",
            Layer::Consensus,
            "halt_finality",
            "1/3",
            GE,
            Property::Liveness,
        ),
        (
            "dydx",
            Layer::Consensus,
            "finalize_invalid",
            "2/3",
            GT,
            Property::Safety,
        ),
        (
            "solana",
            Layer::Consensus,
            "halt_finality",
            "1/3",
            GE,
            Property::Liveness,
        ),
        (
            "solana",
            Layer::Infrastructure,
            "halt_finality",
            "1/3",
            GE,
            Property::Liveness,
        ),
        (
            "sui",
            Layer::Geography,
            "halt_finality",
            "1/3",
            GE,
            Property::Liveness,
        ),
        (
            "uniswap",
            Layer::Governance,
            "pass_unopposed",
            "4%",
            GE,
            Property::Safety,
        ),
        (
            "compound",
            Layer::Governance,
            "pass_unopposed",
            "4/100",
            GE,
            Property::Safety,
        ),
    ];
    for (net, layer, id, t, b, p) in cases {
        let f = get(net, layer, id);
        assert_eq!(
            (f.threshold, f.boundary, f.property),
            (q(t), b, p),
            "{net}/{layer}/{id}"
        );
    }
}

#[test]
fn matching_prefers_the_most_specific_network_then_defaults() {
    let m = SecurityModels::builtin();
    let ids = |net: &str, layer| -> Vec<String> {
        m.models_for(net, layer)
            .iter()
            .map(|f| f.id.clone())
            .collect()
    };
    // Sub-ids fall back to their base network, case-insensitively.
    assert_eq!(
        ids("Ethereum:blockprint:consensus", Layer::Consensus),
        ids("ethereum", Layer::Consensus)
    );
    assert!(m
        .models_for("ethereum:x", Layer::Consensus)
        .iter()
        .all(|f| f.network == "ethereum"));
    // Bitcoin's own consensus models replace the BFT defaults as a whole.
    let btc = ids("bitcoin", Layer::Consensus);
    assert!(btc.contains(&"double_spend".to_string()));
    assert!(!btc.contains(&"halt_finality".to_string()));
    // Unknown networks get the defaults; layers without models get nothing.
    assert!(m
        .models_for("sui", Layer::Consensus)
        .iter()
        .all(|f| f.network == "*"));
    assert!(!m.models_for("sui", Layer::Consensus).is_empty());
    assert!(m.models_for("ethereum", Layer::Wealth).is_empty());
}

#[test]
fn overrides_replace_in_place_and_add() {
    let dir = std::env::temp_dir().join(format!("powermap-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.toml");
    std::fs::write(
        &path,
        r#"
[[model]]
network = "ethereum"
layer = "consensus"
failure_mode = "halt_finality"
threshold = "0.3"
boundary = "at_least"
property = "liveness"
citation = "https://example.org/our-analysis"
why = "we assume 3 % of stake is always offline"

[[model]]
network = "ethereum"
layer = "consensus"
failure_mode = "reorg_two_blocks"
threshold = "1/5"
boundary = "greater"
property = "safety"
citation = "https://example.org/reorgs"
why = "an example addition"
"#,
    )
    .unwrap();
    let m = SecurityModels::load(&path).unwrap();
    let builtin = SecurityModels::builtin();
    assert_eq!(m.entries().len(), builtin.entries().len() + 1);
    let eth = m.models_for("ethereum", Layer::Consensus);
    assert_eq!(eth[0].id, "halt_finality"); // replaced in place, order kept
    assert_eq!(eth[0].threshold, Threshold::new(3, 10).unwrap());
    assert_eq!(eth[0].boundary, Boundary::AtLeast);
    assert!(eth[0].origin.ends_with("mine.toml:2"), "{}", eth[0].origin);
    assert_eq!(eth.last().unwrap().id, "reorg_two_blocks");
    // Other networks are untouched.
    assert_eq!(
        m.models_for("bitcoin", Layer::Consensus),
        builtin.models_for("bitcoin", Layer::Consensus)
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = SecurityModels::load(&dir.join("nope.toml")).unwrap_err();
    assert!(matches!(missing, SecurityError::Io { .. }));
}

fn err(text: &str) -> SecurityError {
    SecurityModels::parse(text, "t.toml").unwrap_err()
}

const GOOD: &str = r#"[[model]]
network = "x"
layer = "consensus"
failure_mode = "halt"
threshold = "1/3"
boundary = "at_least"
property = "liveness"
citation = "https://example.org"
why = "because"
"#;

#[test]
fn errors_name_file_line_and_field() {
    assert_eq!(
        SecurityModels::parse(GOOD, "t.toml")
            .unwrap()
            .entries()
            .len(),
        1
    );
    let e = err(&GOOD.replace("\"1/3\"", "\"3/2\""));
    assert_eq!(e.line(), Some(5));
    assert_eq!(e.field(), Some("model #1, field `threshold`"));
    assert!(
        e.to_string()
            .starts_with("t.toml:5:13: model #1, field `threshold`:"),
        "{e}"
    );

    let e = err(&GOOD.replace("\"1/3\"", "0.33"));
    assert_eq!(e.line(), Some(5));
    assert!(e.to_string().contains("string"), "{e}");

    let e = err(&GOOD.replace("at_least", "ge!"));
    assert_eq!(
        (e.line(), e.field()),
        (Some(6), Some("model #1, field `boundary`"))
    );

    let e = err(&GOOD.replace("liveness", "both"));
    assert_eq!(e.line(), Some(7));

    let e = err(&GOOD.replace("consensus", "hashrate"));
    assert_eq!(e.line(), Some(3));

    let e = err(&GOOD.replace("https://example.org", "Nakamoto 2008"));
    assert_eq!(
        (e.line(), e.field()),
        (Some(8), Some("model #1, field `citation`"))
    );

    let e = err(&GOOD.replace("citation = \"https://example.org\"\n", ""));
    assert_eq!(e.field(), Some("model #1, field `citation`"));
    assert!(e.to_string().contains("missing"), "{e}");

    let e = err(&GOOD.replace("why =", "reason ="));
    assert_eq!(e.line(), Some(9));
    assert!(e.to_string().contains("reason"), "{e}");

    let e = err(&format!("{GOOD}\n{GOOD}"));
    assert!(e.to_string().contains("duplicate"), "{e}");
    assert_eq!(e.line(), Some(11));
}

#[test]
fn network_lists_expand() {
    let m = SecurityModels::parse(
        &GOOD.replace("network = \"x\"", "network = [\"a\", \"b\"]"),
        "t.toml",
    )
    .unwrap();
    let nets: Vec<_> = m.entries().iter().map(|e| e.network.as_str()).collect();
    assert_eq!(nets, ["a", "b"]);
    assert!(SecurityModels::parse(&GOOD.replace("\"x\"", "[]"), "t").is_err());
    assert!(SecurityModels::parse(&GOOD.replace("\"x\"", "\"Big Net\""), "t").is_err());
}

const DOC: &str = include_str!("../../../../docs/security-models.md");

#[test]
fn docs_table_lists_every_shipped_model_and_the_example_parses() {
    for e in SecurityModels::builtin().entries() {
        let row = DOC.lines().any(|l| {
            l.starts_with('|')
                && l.contains(&format!("`{}`", e.network))
                && l.contains(&format!("| {} |", e.layer))
                && l.contains(&format!("`{}`", e.id))
                && l.contains(&format!("{}", e.threshold).replace("1/25", "4 %"))
        });
        assert!(
            row,
            "docs/security-models.md has no row for {} {} {}",
            e.network, e.layer, e.id
        );
    }
    let block = DOC
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let m = SecurityModels::parse(block, "docs example").unwrap();
    assert_eq!(m.entries().len(), 2);
}

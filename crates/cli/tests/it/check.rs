//! `powermap check`, the real binary: exit codes, JSON outcomes and JUnit XML on the
//! built-in data with `examples/bitcoin.toml`.

use crate::util::{example, powermap, text};

use std::path::Path;
use std::process::Command;

/// `--today` pins the effective dates so the test does not change with the calendar.
const TODAY: &str = "2026-11-26";

#[test]
fn bitcoin_example_fails_on_the_builtin_data_with_one_outcome_per_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let policy = example("bitcoin.toml");
    let o = powermap(
        &["check", &policy, "--today", TODAY, "--format", "json"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "stdout: {out}\nstderr: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let outcomes: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("no-owner-above-a-third", "pass"),
        ("no-majority-ever", "pass"),
        ("majority-needs-four-owners", "violated"),
        ("hhi-unconcentrated", "violated"),
        ("enough-producers", "pass"),
        ("top-share-drift-90d", "pass"),
        ("bitmain-drift-90d", "violated"),
        ("no-owner-above-a-quarter-from-2030", "pending"),
        ("no-owner-forecast-above-a-third", "pass"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(outcomes, want);
    assert_eq!(report["tally"]["failed"], 1);
    assert_eq!(report["tally"]["warnings"], 2);

    // The failure explains itself: window, coalition members with shares.
    let nc = &report["results"][2];
    let m = &nc["measurements"][0];
    assert_eq!(m["value"], 3.0);
    assert_eq!(m["window"]["end"], "2026-04-22");
    let names: Vec<&str> = m["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Foundry USA", "Bitmain", "F2Pool"]);
    let why = nc["explanation"].as_str().unwrap();
    assert!(
        why.contains("3 entities together hold 60.07% ≥ 1/2: Foundry USA 30.89% + Bitmain 18.03% + F2Pool 11.14%"),
        "{why}"
    );
    // The drift names the reference window and the change.
    let drift = &report["results"][6]["measurements"][0]["drift"];
    assert_eq!(drift["reference_window"]["end"], "2026-01-22");
    assert!(
        (drift["change"].as_f64().unwrap() - 1.69).abs() < 0.01,
        "{drift}"
    );
}

#[test]
fn text_report_reads_like_a_test_run() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &["check", &example("bitcoin.toml"), "--today", TODAY],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    // Most severe first: the failure, the warnings, pending, unchecked, then passes.
    let marks: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|m| ["✘", "!", "-", "✔"].contains(m))
        .collect();
    assert_eq!(
        marks,
        ["✘", "!", "!", "!", "✔", "✔", "✔", "✔", "✔"],
        "{out}"
    );
    assert!(
        out.contains("✘ FAIL      majority-needs-four-owners"),
        "{out}"
    );
    assert!(
        out.contains("! PENDING   no-owner-above-a-quarter-from-2030"),
        "{out}"
    );
    assert!(out.contains("takes effect 2030-01-01"), "{out}");
    assert!(
        out.ends_with(
            "5 passed, 1 failed, 2 warnings (1 pending, 0 not evaluated, 0 not applicable)\n"
        ),
        "{out}"
    );
    // After the bite date the pending constraint fails too.
    let later = powermap(
        &["check", &example("bitcoin.toml"), "--today", "2030-01-01"],
        dir.path(),
    );
    assert!(
        text(&later).0.contains("5 passed, 2 failed"),
        "{}",
        text(&later).0
    );
}

#[test]
fn junit_is_well_formed_with_one_testcase_per_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &[
            "check",
            &example("bitcoin.toml"),
            "--today",
            TODAY,
            "--format",
            "junit",
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    check_well_formed(&out);
    assert_eq!(out.matches("<testcase ").count(), 9);
    assert_eq!(out.matches("<failure ").count(), 1);
    assert_eq!(out.matches("<skipped ").count(), 1);
    assert!(out.contains("tests=\"9\" failures=\"1\" errors=\"0\" skipped=\"1\""));
    assert!(out.contains("name=\"majority-needs-four-owners: At least 4 owners"));
    // `≥` and `→`-style text survive; markup in explanations is escaped.
    assert!(out.contains("F2Pool 11.14%"));
}

#[test]
fn all_passing_fail_constraints_exit_0_even_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.toml"),
        "[[constraint]]\nid = \"below-half\"\nkind = \"max_share\"\nseverity = \"fail\"\nmax = \"1/2\"\n\n\
         [[constraint]]\nid = \"nc-third\"\nkind = \"min_coalition\"\nseverity = \"warn\"\nthreshold = \"1/3\"\nmin = 5\n",
    )
    .unwrap();
    let o = powermap(&["check", "ok.toml", "--today", TODAY], dir.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout: {out}\nstderr: {err}");
    assert!(out.contains("1 passed, 0 failed, 1 warnings"), "{out}");
}

#[test]
fn invalid_policy_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[constraint]]\nid = \"m\"\nkind = \"metric\"\nseverity = \"fail\"\nmetric = \"hhhi\"\nmax = 1500\n",
    )
    .unwrap();
    let o = powermap(&["check", "bad.toml"], dir.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "stdout: {out}\nstderr: {err}");
    assert!(err.contains("bad.toml:5:10"), "{err}");
    assert!(err.contains("field `metric`"), "{err}");
    assert!(err.contains("hhhi"), "{err}");
    assert!(out.is_empty());

    let o = powermap(&["check", "missing.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("missing.toml"));
}

#[test]
fn invalid_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("obs.csv"),
        "network,layer,time,height,subject,entity,weight,source\n\
         ethereum,consensus,2024-01-01T00:00:00Z,1,a,,-1,\n",
    )
    .unwrap();
    let o = powermap(&["check", &example("ethereum.toml"), "obs.csv"], dir.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("obs.csv"), "{err}");
}

#[test]
fn ethereum_example_is_not_applicable_to_bitcoin_and_checks_ethereum_input() {
    let dir = tempfile::tempdir().unwrap();
    let policy = example("ethereum.toml");
    let o = powermap(
        &["check", &policy, "--today", TODAY, "--format", "json"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout: {out}\nstderr: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    for r in report["results"].as_array().unwrap() {
        assert_eq!(r["outcome"], "not_applicable", "{r}");
        assert!(r["explanation"]
            .as_str()
            .unwrap()
            .contains("no analysis matches network `ethereum`, layer `consensus`; the input has bitcoin/consensus"));
    }
    assert!(err.contains("nothing was checked"), "{err}");

    // Stake observations of four entities over one day: Lido holds 40%.
    let mut csv = String::from("network,layer,time,height,subject,entity,weight,source\n");
    for (i, (entity, stake)) in [
        ("Lido", 40),
        ("Coinbase", 25),
        ("Binance", 20),
        ("Kraken", 15),
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "ethereum,consensus,2026-05-01T00:00:00Z,{i},v{i},{entity},{stake},\n"
        ));
    }
    std::fs::write(dir.path().join("stake.csv"), csv).unwrap();
    let o = powermap(
        &[
            "check",
            &policy,
            "stake.csv",
            "--window",
            "1d",
            "--today",
            TODAY,
            "--format",
            "json",
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "stdout: {out}\nstderr: {err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let outcome = |id: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["outcome"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(outcome("no-entity-can-halt-finality"), "violated");
    assert_eq!(outcome("lido-below-a-third"), "violated");
    assert_eq!(outcome("halting-needs-three-entities"), "violated");
    assert_eq!(outcome("self-limit-22-percent-from-2027"), "pending");
    assert_eq!(outcome("top-entity-drift-180d"), "not_evaluated");
}

/// A small XML 1.0 well-formedness check: balanced, properly nested tags, one root, quoted
/// attributes without duplicates, and only the five predefined or numeric entities.
fn check_well_formed(xml: &str) {
    fn entities_ok(s: &str) -> bool {
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let tail = &rest[i + 1..];
            let Some(end) = tail.find(';') else {
                return false;
            };
            let name = &tail[..end];
            let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                || name
                    .strip_prefix('#')
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return false;
            }
            rest = &tail[end + 1..];
        }
        true
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(entities_ok(text), "bad entity in text {text:?}");
        assert!(
            !stack.is_empty() || text.trim().is_empty(),
            "text outside the root: {text:?}"
        );
        let close = rest[open..].find('>').expect("unterminated tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "bad tag name {name:?}"
            );
            let mut seen = Vec::new();
            loop {
                attrs = attrs.trim_start();
                if attrs.is_empty() {
                    break;
                }
                let (key, after) = attrs.split_once("=\"").expect("attribute is key=\"value\"");
                let end = after.find('"').expect("closing quote");
                let value = &after[..end];
                assert!(
                    entities_ok(value) && !value.contains('<'),
                    "bad attribute value {value:?}"
                );
                assert!(!seen.contains(&key), "duplicate attribute {key}");
                seen.push(key);
                attrs = &after[end + 1..];
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty(), "trailing text {rest:?}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

#[test]
fn the_well_formedness_check_rejects_broken_xml() {
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    for bad in [
        "<a><b></a></b>",
        "<a x=\"1\" x=\"2\"/>",
        "<a>fish & chips</a>",
        "<a y=\"<\"/>",
        "<a></a><b></b>",
        "<a>",
    ] {
        let doc = format!("{decl}{bad}");
        assert!(
            std::panic::catch_unwind(|| check_well_formed(&doc)).is_err(),
            "accepted {bad}"
        );
    }
    check_well_formed(&format!("{decl}<a k=\"&amp;&#10;\"><b/>x &lt; y</a>\n"));
}

#[test]
fn the_text_report_in_docs_policy_md_is_the_real_output() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = Command::new(env!("CARGO_BIN_EXE_powermap"))
        .args(["check", "examples/bitcoin.toml", "--today", TODAY])
        .current_dir(&repo)
        .output()
        .unwrap();
    let out = text(&o).0;
    let doc = std::fs::read_to_string(repo.join("docs/policy.md")).unwrap();
    let start = doc.find("powermap check: bitcoin-consensus").unwrap();
    let end = doc[start..].find("```").unwrap() + start;
    assert_eq!(&doc[start..end], out, "docs/policy.md shows stale output");
}

/// `examples/solana-sfdp.toml` on the imported Solana data: the delegation program's caps
/// (per AS, per data centre) pass on epoch 860, the early warning at 20 % fires (AS20326
/// TeraSwitch 23.38 %, AS396356 Latitude.sh 20.17 %), and before 2026-05-01 the caps are
/// only announced.
#[test]
fn solana_delegation_program_caps_on_imported_data() {
    let dir = tempfile::tempdir().unwrap();
    let dump = crate::util::repo().join("data/alpenglow-solana-sui/solana_validators_epoch860.csv");
    let dump = dump.to_str().unwrap();
    for (id, out) in [
        ("solana_validators", "sol.csv"),
        ("solana_datacenters", "dc.csv"),
    ] {
        let o = powermap(&["import", id, dump, "--out", out], dir.path());
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let policy = example("solana-sfdp.toml");
    let run = |today: &str| {
        let o = powermap(
            &[
                "check", &policy, "sol.csv", "dc.csv", "--today", today, "--format", "json",
            ],
            dir.path(),
        );
        let (out, err) = text(&o);
        let report: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
        let outcomes: Vec<(String, String, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["outcome"].as_str().unwrap().to_string(),
                    r["explanation"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        (o.status.code(), outcomes)
    };
    let (code, outcomes) = run(TODAY);
    assert_eq!(code, Some(0), "{outcomes:?}");
    let get = |id: &str| outcomes.iter().find(|o| o.0 == id).unwrap().clone();
    assert_eq!(get("asn-at-most-25-percent").1, "pass");
    assert!(
        get("asn-at-most-25-percent")
            .2
            .contains("AS20326 at 23.38%"),
        "{outcomes:?}"
    );
    assert_eq!(get("datacenter-at-most-15-percent").1, "pass");
    assert!(
        get("datacenter-at-most-15-percent")
            .2
            .contains("20326-DE-Frankfurt am Main at 7.86%"),
        "{outcomes:?}"
    );
    assert_eq!(get("asn-within-5-points-of-the-cap").1, "violated");
    let (_, before) = run("2026-04-30");
    assert!(before
        .iter()
        .any(|o| o.0 == "asn-at-most-25-percent" && o.1 == "pass"));
}

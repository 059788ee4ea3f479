//! `powermap simulate` on the shipped series: JSON shape, fan charts, the honest "no
//! backtest" of two snapshots, and errors that name the file and field.

use crate::util::{powermap, repo, text};

/// Small numbers so a debug build finishes in seconds.
const QUICK: &[&str] = &[
    "--runs",
    "40",
    "--sims",
    "60",
    "--backtest-runs",
    "30",
    "--horizon",
    "90",
    "--step",
    "15",
    "--quiet",
];

fn run(network: &str, extra: &[&str], dir: &std::path::Path) -> std::process::Output {
    let root = repo().canonicalize().unwrap();
    let mut args = vec!["simulate", network, "--data", root.to_str().unwrap()];
    args.extend_from_slice(QUICK);
    args.extend_from_slice(extra);
    powermap(&args, dir)
}

#[test]
fn dydx_json_has_fit_backtest_scenarios_and_writes_fan_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("dydx", &["--format", "json", "--plot", "fans"], dir.path());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["series"]["meta"]["network"], "dydx");
    assert_eq!(v["series"]["meta"]["measure"], "voting_power");
    assert_eq!(v["backtest"]["possible"], true);
    assert!(v["fit"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "alpha"));
    assert_eq!(v["scenarios"][0]["id"], "nobody-acts");
    assert!(v["scenarios"].as_array().unwrap().len() >= 3);
    assert!(v["scenarios"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["probability"].as_f64().is_some()));
    let svg = std::fs::read_to_string(
        dir.path()
            .join("fans/nobody-acts_nakamoto_coefficient_1_2.svg"),
    )
    .unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(dir.path().join("fans/cap-10_hhi.svg").exists());
}

#[test]
fn bitcoin_and_ethereum_run_on_the_shipped_data() {
    let dir = tempfile::tempdir().unwrap();
    for network in ["bitcoin", "ethereum"] {
        let out = run(network, &[], dir.path());
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{network}: {stderr}");
        for needle in [
            "If nobody acts",
            "Model: ABC",
            "Backtest (origins",
            "Mechanisms at",
            "nobody-acts",
        ] {
            assert!(
                stdout.contains(needle),
                "{network}: missing {needle}\n{stdout}"
            );
        }
    }
}

#[test]
fn solana_says_two_snapshots_cannot_be_backtested() {
    let dir = tempfile::tempdir().unwrap();
    let out = run("solana", &[], dir.path());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Backtest: not possible — 2 snapshots"),
        "{stdout}"
    );
    assert!(stdout.contains("forecasts are unvalidated"), "{stdout}");
    assert!(stdout.contains("top asn share"), "{stdout}");
    assert!(stdout.contains("sfdp-caps-2026"), "{stdout}");
}

#[test]
fn bad_scenario_file_names_file_rule_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "network = \"dydx\"\n[yield_elasticity]\nvalue = 1\nsource = \"s\"\n[[scenario]]\nid = \"nobody-acts\"\ntitle = \"t\"\n[[scenario.rule]]\nkind = \"stake_cap\"\nmax_share = 2\nsource = \"s\"\n",
    )
    .unwrap();
    let out = run("dydx", &["--scenarios", file.to_str().unwrap()], dir.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("bad.toml: scenario `nobody-acts`, rule 1 (`stake_cap`): field `max_share`"),
        "{stderr}"
    );
}

#[test]
fn missing_data_says_where_to_run_from() {
    let dir = tempfile::tempdir().unwrap();
    let out = powermap(&["simulate", "ethereum", "--quiet"], dir.path());
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("--data"), "{stderr}");
}

//! `powermap capture` on the real Uniswap votes, a power table with delegations, and the L2BEAT
//! exit windows.

use crate::util::{powermap, repo, text};

const VOTES: &str = "data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv";

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["capture"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let o = powermap(&all, &repo());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn uniswap_votes_proposals_power_cost_exit_and_mechanisms() {
    let v = json(&[
        "--votes",
        VOTES,
        "--rules",
        "uniswap",
        "--samples",
        "200",
        "--mechanism",
        "all",
        "--price",
        "6.5",
        "--slippage",
        "linear:100000000",
        "--treasury",
        "2.6e9",
    ]);
    let ps = v["proposals"].as_array().unwrap();
    assert_eq!(ps.len(), 21);
    let by = |label: &str| ps.iter().find(|p| p["label"] == label).unwrap().clone();
    // Alpha #1 missed the 40M quorum by 0.4M; nine of its voters could have passed it alone.
    let a1 = by("Alpha #1");
    assert_eq!(a1["verdict"], "no_quorum");
    assert_eq!(a1["pass_alone"]["size"], 9);
    // Alpha #3: three voters could have passed it alone, two could have defeated it.
    let a3 = by("Alpha #3");
    assert_eq!(a3["verdict"], "passed");
    assert_eq!(a3["pass_alone"]["size"], 3);
    assert_eq!(a3["defeat"]["size"], 2);
    assert_eq!(
        a3["pass_alone"]["members"][0][0],
        "0x7e4a8391c728fed9069b2962699ab416628b19fa"
    );
    // Alpha v2 #2 passed 47.6M to 47.0M: one voter switching defeats it.
    assert_eq!(by("Alpha v2 #2")["defeat"]["size"], 1);
    assert_eq!(by("Bravo #10")["key"], "2.1");
    assert_eq!(by("Bravo #23")["pass_alone"]["size"], 8);
    assert!(by("Bravo #18")["pass_alone"]["size"].is_null());

    let d = &v["distribution"];
    assert_eq!(d["voters"], 4533);
    assert_eq!(d["winning"]["size"], 12);
    assert_eq!(d["blocking"]["size"], 12);
    assert_eq!(d["banzhaf"]["method"], "exact");
    let top = &d["top"][0];
    assert_eq!(top["name"], "0x2b1ad6184a6b0fac06bd225ed37c2abc04415ff4");
    let (share, banzhaf) = (
        top["share"].as_f64().unwrap(),
        top["banzhaf"].as_f64().unwrap(),
    );
    assert!((share - 0.0688).abs() < 5e-4, "{share}");
    assert!((banzhaf - 0.0718).abs() < 5e-4, "{banzhaf}");

    // Defence = the largest turnout observed (Alpha v2 #1, 94.7M); buying with linear slippage.
    let c = &d["capture"];
    let need = c["votes_needed"].as_f64().unwrap();
    assert!((need / 1e6 - 94.72).abs() < 0.01, "{need}");
    let buy = c["routes"][0]["cost"].as_f64().unwrap();
    let expect = 6.5 * (need + need * need / 2e8);
    assert!((buy - expect).abs() < 1.0, "{buy} vs {expect}");
    assert_eq!(c["profitable"], true);

    let e = &d["exit"];
    assert_eq!(e["governance_delay"], "9d 1h");
    assert!(e["margin_from_proposal"].as_i64().unwrap() > 0);

    let m = d["mechanisms"].as_array().unwrap();
    let ids: Vec<&str> = m.iter().map(|x| x["mechanism"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "token",
            "quadratic",
            "cap",
            "delegation_cap",
            "conviction",
            "dual"
        ]
    );
    let cost = |i: usize| m[i]["attack"]["cost"].as_f64().unwrap();
    assert!(
        cost(1) < cost(0),
        "quadratic with cheap identities is cheaper to capture"
    );
    assert!(m[2]["winning"].as_u64().unwrap() > m[0]["winning"].as_u64().unwrap());
    assert!(m[2]["top_share"].as_f64().unwrap() <= m[0]["top_share"].as_f64().unwrap());
}

#[test]
fn table_names_the_coalitions_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &[
            "capture",
            "--votes",
            VOTES,
            "--rules",
            "registry/governance/uniswap.toml",
            "--proposal",
            "0.3",
            "--proposal",
            "Bravo #10",
            "--indices",
            "sampled",
            "--samples",
            "100",
            "--mechanism",
            "token,quadratic",
            "--plot",
            dir.path().to_str().unwrap(),
        ],
        &repo(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "Uniswap governance (UNI)",
        "quorum 40.0M UNI For votes",
        "9d 1h",
        "Alpha #3",
        "Bravo #10",
        "0x7e4a…19fa 15.7M, 0x2b1a…5ff4 15.0M, 0xbbf3…012c 13.4M",
        "smallest winning    12 voters",
        "margin from the proposal: +9d",
        "quadratic",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(!out.contains("Alpha #1 "), "only the selected proposals");
    for f in ["indices.svg", "mechanisms.svg", "proposals.svg"] {
        let svg = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(svg.starts_with("<svg"), "{f}");
    }
}

#[test]
fn power_table_with_delegations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("power.csv"),
        "holder,power,delegate\nalice,400,\nbob,300,alice\ncarol,200,\ndan,100,\nerin,50,carol\n",
    )
    .unwrap();
    let rules = repo().join("registry/governance/compound.toml");
    let o = powermap(
        &[
            "capture",
            "--power",
            "power.csv",
            "--rules",
            rules.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &v["distribution"];
    // alice 700 (own 400 + bob 300), carol 250, dan 100: quorum 400k COMP is out of reach.
    assert_eq!(d["voters"], 3);
    assert_eq!(d["top"][0]["name"], "alice");
    assert_eq!(d["top"][0]["power"], 700.0);
    assert!(d["winning"]["size"].is_null());
    assert_eq!(v["rules"]["dao"], "Compound");
}

#[test]
fn rules_alone_give_the_exit_window() {
    let o = powermap(&["capture", "--rules", "optimism"], &repo());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "quorum 30 % of voting power OP votes cast",
        "path: voting delay 0s + voting period 6d + timelock 0s = 6d",
        "margin from the proposal: −1d  TRAPPED",
        "Security Council can upgrade without this delay",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let o = powermap(&["capture", "--rules", "arbitrum-treasury"], &repo());
    let out = text(&o).0;
    assert!(
        out.contains("margin from the proposal: ≥ −8h  (a lower bound"),
        "{out}"
    );
    assert!(
        out.contains("margin once the vote has passed (timelock only): −3d 8h  TRAPPED"),
        "{out}"
    );
}

#[test]
fn l2beat_exit_windows() {
    let o = powermap(
        &[
            "capture",
            "--l2beat",
            "data/l2beat-summary-2024-11/l2_risk_summary_top39.csv",
        ],
        &repo(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    assert!(
        out.contains("4 of 39 projects state an exit window"),
        "{out}"
    );
    assert!(out.contains("DeGate V1"), "{out}");
}

#[test]
fn bad_input_is_explained() {
    let o = powermap(&["capture"], &repo());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--rules"));
    let o = powermap(
        &["capture", "--votes", VOTES, "--rules", "nowhere"],
        &repo(),
    );
    assert!(text(&o).1.contains("no such file or shipped rules"));
    let o = powermap(
        &[
            "capture",
            "--votes",
            VOTES,
            "--rules",
            "uniswap",
            "--mechanism",
            "futarchy",
        ],
        &repo(),
    );
    assert!(text(&o).1.contains("unknown mechanism `futarchy`"));
}

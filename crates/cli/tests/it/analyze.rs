//! The real `powermap` binary, run in a temporary directory.

use crate::util::{powermap, repo, text};

#[test]
fn analyze_without_arguments_summarises_the_builtin_bitcoin_data() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "bitcoin · consensus",
        "Decisive coalitions",
        "Foundry USA",
        "nakamoto_coefficient",
        "2026-04-22",
        "Findings",
        "bootstrap interval",
        "PELT",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn csv_output_is_written_to_the_out_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &[
            "analyze", "--window", "month", "--format", "csv", "--out", "out",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let long = std::fs::read_to_string(dir.path().join("out/output.csv")).unwrap();
    let mut lines = long.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("ledger,date,clustering,entropy=1,"));
    // 2021-02 … 2026-03: the full calendar months of the built-in data.
    assert_eq!(lines.count(), 62);
    assert!(dir.path().join("out/gini.csv").exists());
    assert!(dir.path().join("out/shares.csv").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn bad_observation_file_names_file_line_and_field_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("obs.csv"),
        "network,layer,time,height,subject,entity,weight,source\n\
         bitcoin,consensus,2024-01-01T00:00:00Z,1,a,,1,\n\
         bitcoin,consensus,2024-01-01T00:10:00Z,2,b,,-3,\n",
    )
    .unwrap();
    let o = powermap(&["analyze", "obs.csv"], dir.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "stdout: {out}\nstderr: {err}");
    assert!(err.contains("obs.csv"), "{err}");
    assert!(err.contains('3'), "line number missing: {err}");
    assert!(err.contains("weight"), "field missing: {err}");
    assert!(out.is_empty());
}

#[test]
fn explain_shows_the_chain_with_sources_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &["entities", "explain", "antpool", "--at", "2021-06-01"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("AntPool") && out.contains("Bitmain"), "{out}");
    assert!(out.contains("legal_links.json"), "{out}");
}

/// An IP address: AS and country with the matched prefixes and the database's label and
/// licence, then the AS's owner chain (Linode's AS belongs to Akamai from 2022-03-21).
#[test]
fn explain_an_ip_address_and_an_as() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &["entities", "explain", "172.105.0.1", "--at", "2025-10-06"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "172.105.0.1 in ip-location-db 2026-06-17:",
        "AS63949 (Akamai Technologies, Inc.) — prefix 172.105.0.0/16 of range 172.104.4.0–172.105.255.255 [@ip-location-db/asn 2.3.2026061719, CC-BY-4.0",
        "country CA — prefix 172.105.0.0/20",
        "\"AS63949\" on 2025-10-06 → \"Akamai Technologies\"",
        "akamai-completes-acquisition-of-linode",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    let o = powermap(
        &["entities", "explain", "AS63949", "--at", "2021-06-01"],
        dir.path(),
    );
    let (out, _) = text(&o);
    assert!(out.contains("→ \"Linode\""), "{out}");
    let o = powermap(&["entities", "explain", "10.0.0.1"], dir.path());
    let (out, _) = text(&o);
    assert!(
        out.contains("AS: not in the database (unattributed)"),
        "{out}"
    );
    let o = powermap(
        &[
            "entities",
            "explain",
            "1.1.1.1",
            "--ipdb",
            "missing.pmipdb.gz",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("missing.pmipdb.gz"));
}

#[test]
fn edi_raw_data_needs_a_mapping_and_then_matches_edi_csv_columns() {
    let raw = repo().join("tests/reference/edi-samples/input/raw_block_data/tezos_raw_data.json");
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze", raw.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--mapping"));
    let mapping = repo().join("tests/reference/edi-samples/input/mapping_information");
    let o = powermap(
        &[
            "analyze",
            "--mapping",
            mapping.to_str().unwrap(),
            "--window",
            "all",
            "--from",
            "2018-01-01",
            "--to",
            "2025-03-01",
            "--format",
            "csv",
            raw.to_str().unwrap(),
        ],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // EDI's snapshot run: tezos, 2021-08-01, clustered.
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with("tezos,2021-08-01,True,"), "{row}");
}

#[test]
fn datasets_lists_the_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["datasets"], dir.path());
    let (out, _) = text(&o);
    assert!(
        out.contains("bitcoin-pools") && out.contains("282174"),
        "{out}"
    );
}

#[test]
fn entities_list_is_the_attribution_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["entities", "list", "--format", "csv"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let mut lines = out.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("network,subject,entity,brand,rule,"));
    let antpool = lines.find(|l| l.starts_with("bitcoin,antpool,")).unwrap();
    assert!(
        antpool.starts_with("bitcoin,antpool,Bitmain,AntPool,preattributed,"),
        "{antpool}"
    );
    assert!(antpool.contains("legal_links.json"), "{antpool}");
}

#[test]
fn drift_finds_the_2021_reshuffle_in_hhi_and_forecasts_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["drift"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let hhi = out
        .split("\n\n")
        .find(|b| b.trim_start().starts_with("hhi"))
        .unwrap();
    assert!(hhi.contains("changes      2021-"), "{hhi}");
    assert!(out.contains("per 90 days (95 % CI"), "{out}");
    assert!(out.contains("forecast"), "{out}");
}

#[test]
fn analyze_lists_policy_results_and_json_findings() {
    let dir = tempfile::tempdir().unwrap();
    let policy = repo().join("examples/bitcoin.toml");
    let o = powermap(
        &["analyze", "--policy", policy.to_str().unwrap()],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.lines()
            .take_while(|l| !l.is_empty())
            .any(|l| l.contains("[critical]") && l.contains("majority-needs-four-owners")),
        "{out}"
    );
    assert!(
        out.contains("double_spend (safety, > 1/2): 3 entities"),
        "{out}"
    );
    let o = powermap(&["analyze", "--format", "json"], dir.path());
    let (out, _) = text(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("{\"type\":\"finding\",\"severity\":")),
        "no finding records"
    );
    let share = out
        .lines()
        .find(|l| l.starts_with("{\"type\":\"share\""))
        .unwrap();
    assert!(
        share.contains("\"share_lo\":") && share.contains("\"share_hi\":"),
        "{share}"
    );
}

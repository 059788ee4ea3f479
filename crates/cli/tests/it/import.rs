//! `powermap import` on the shipped datasets, then `powermap analyze` on its output.

use crate::util::{powermap, repo, text};

#[test]
fn import_solana_then_analyze_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sol.csv");
    let o = powermap(
        &[
            "import",
            "solana_validators",
            "--layer",
            "consensus",
            "--out",
            out.to_str().unwrap(),
        ],
        &repo(),
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    assert!(err.contains("wrote 963 observations"), "{err}");

    let o = powermap(
        &["analyze", "sol.csv", "--window", "all", "--quiet"],
        dir.path(),
    );
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "solana · consensus",
        "2025-10-06",
        "≥ 1/3   20 entities",
        "binance staking",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn ethereum_unlabelled_stake_gives_an_uncertainty_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eth.parquet");
    let o = powermap(
        &[
            "import",
            "eth_staking_entities",
            "--out",
            out.to_str().unwrap(),
        ],
        &repo(),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    // `--unattributed unknown` keeps the unlabelled third as one bucket (the pessimistic end
    // of the range); `exclude` drops it (Lido's share of *labelled* stake). The bucket must
    // be visible, never silently dropped.
    let o = powermap(
        &[
            "analyze",
            "eth.parquet",
            "--window",
            "30d",
            "--unattributed",
            "unknown",
            "--quiet",
        ],
        dir.path(),
    );
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "ethereum · consensus",
        "2024-01-05 .. 2024-02-03",
        "unknown 32.76% + Lido 32.01%",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn import_explains_a_missing_default_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["import", "uniswap_votes", "--out", "v.csv"], dir.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains(
            "data/signalcorps-uniswap/uniswap_onchain_votes_2020-09_2022-08.csv not found"
        ) && err.contains("repository root"),
        "{err}"
    );
    assert!(!dir.path().join("v.csv").exists());
}

#[test]
fn import_list_and_unknown_source() {
    let o = powermap(&["import", "--list"], &repo());
    let (stdout, _) = text(&o);
    assert!(o.status.success());
    for id in [
        "eth_staking_entities",
        "eth_client_share",
        "eth_staking_entity_clients",
        "solana_validators",
        "cosmos_validators",
        "cosmos_valsets",
        "uniswap_votes",
        "edi_network",
        "edi_geography",
    ] {
        assert!(stdout.contains(id), "missing {id} in:\n{stdout}");
    }
    let o = powermap(&["import", "nope", "--out", "x.csv"], &repo());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("unknown source \"nope\""));
}

#[test]
fn import_software_from_epoch_780_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let o = powermap(
        &[
            "import",
            "solana_validators",
            "data/alpenglow-solana-sui/solana_validators_epoch780.csv",
            "--layer",
            "software",
            "--out",
            out.to_str().unwrap(),
        ],
        &repo(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("epoch 780 has no software_client"));
    assert!(!out.exists());
}

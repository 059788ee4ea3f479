//! Attribution uncertainty and what-ifs: `--unattributed range`, `--merge`,
//! `--compare-mapping`, on the real built-in dataset and EDI's sample blocks.

use std::path::Path;

use crate::util::{powermap, repo, text};

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn of_type<'a>(records: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    records.iter().filter(|r| r["type"] == kind).collect()
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn range_shows_every_metric_under_the_three_treatments() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze", "--unattributed", "range"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        // The usual summary is still there, under the default treatment.
        "Decisive coalitions",
        "Range over the treatments of unattributed weight (value under `unknown`",
        "latest window 2026-03-24 .. 2026-04-22 · 0.19% of weight (8 of 4292) unattributed",
        "range (lo – hi)",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let line = |metric: &str| {
        out.lines()
            .rev()
            .find(|l| l.trim_start().starts_with(&format!("{metric} ")))
            .unwrap_or_else(|| panic!("no {metric} line in:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("hhi"), "hhi 1626 (1626 – 1632) 1626 1626 1632");
    assert_eq!(
        line("nakamoto_coefficient"),
        "nakamoto_coefficient 3 (3 – 3) 3 3 3"
    );
    assert_eq!(
        line("concentration_ratio=1"),
        "concentration_ratio=1 0.3089 (0.3089 – 0.3095) 0.3089 0.3089 0.3095"
    );
    assert_eq!(
        line("total_entities"),
        "total_entities 25 (24 – 32) 32 25 24"
    );
}

#[test]
fn range_json_records_and_ranges_csv() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(
        &["analyze", "--unattributed", "range", "--format", "json"],
        dir.path(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    let records = json_lines(&out);
    let ranges = of_type(&records, "range");
    // 64 windows × 14 metrics.
    assert_eq!(ranges.len(), 64 * 14);
    let hhi = ranges.iter().rev().find(|r| r["metric"] == "hhi").unwrap();
    assert_eq!(hhi["end"], "2026-04-22");
    let v = |k: &str| hhi[k].as_f64().unwrap();
    assert!((v("separate") - 1626.25).abs() < 0.01);
    assert!((v("unknown") - 1626.28).abs() < 0.01);
    assert!((v("exclude") - 1632.32).abs() < 0.01);
    assert_eq!((v("min"), v("max")), (v("separate"), v("exclude")));
    // The analysis records are those of the default treatment.
    assert_eq!(of_type(&records, "analysis")[0]["unattributed"], "unknown");

    let o = powermap(
        &[
            "analyze",
            "--unattributed",
            "range",
            "--format",
            "csv",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let csv = std::fs::read_to_string(dir.path().join("out/ranges.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "network,layer,date,start,end,metric,separate,unknown,exclude,min,max"
    );
    assert_eq!(lines.count(), 64 * 14);
    assert!(dir.path().join("out/output.csv").exists());
}

#[test]
fn default_analyze_has_no_range_section_and_rejects_unknown_treatments() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze", "--metrics", "hhi"], dir.path());
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(!out.contains("Range over"), "{out}");
    assert!(
        out.contains("--unattributed range shows every metric"),
        "{out}"
    );
    let o = powermap(&["analyze", "--unattributed", "maybe"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o)
        .1
        .contains("expected separate, unknown, exclude or range"));
}

#[test]
fn merging_the_two_largest_owners_changes_the_decisive_coalitions() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze", "--merge", "Foundry USA,Bitmain"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "what-if (--merge): Foundry USA and Bitmain counted as one owner `Foundry USA + Bitmain`",
        "bitcoin/consensus latest window, entities needed to reach 1/3: 2 → 1, 1/2: 3 → 2, 2/3: 4 → 3",
        "1/2 coalition without the merge Foundry USA 30.89% + Bitmain 18.03% + F2Pool 11.14%; with it Foundry USA + Bitmain 48.93% + F2Pool 11.14%",
        "≥ 1/2   2 entities",
        "merged by --merge: Foundry USA + Bitmain",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn merging_a_brand_or_a_misspelt_name_is_an_error_with_the_closest_names() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["analyze", "--merge", "Foundry USA,AntPool"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o).1;
    assert!(
        err.contains("no entity named `AntPool` in this analysis; `AntPool` is a brand counted under its owner `Bitmain`"),
        "{err}"
    );
    // With clustering off, brands are the entities.
    let o = powermap(
        &[
            "analyze",
            "--no-cluster",
            "--merge",
            "Foundry USA,AntPool",
            "--metrics",
            "nakamoto_coefficient",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let o = powermap(&["analyze", "--merge", "Foundry USA,Bitmian"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("closest entity names: `Bitmain`"));
}

#[test]
fn compare_edi_sample_blocks_under_edi_mapping_and_a_pool_list() {
    let dir = tempfile::tempdir().unwrap();
    let samples = repo().join("tests/reference/edi-samples/input");
    let mapping = samples.join("mapping_information").display().to_string();
    let raw = samples
        .join("raw_block_data/bitcoin_raw_data.json")
        .display()
        .to_string();
    let pools = repo()
        .join("data/bitcoin-data-mining-pools")
        .display()
        .to_string();
    let args = [
        "analyze",
        "--window",
        "all",
        "--mapping",
        &mapping,
        "--compare-mapping",
        &pools,
        &raw,
    ];
    let o = powermap(&args, dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "Attribution under two registries",
        "bitcoin-data pool list",
        "Subjects attributed differently (3 rows, weight 6; whole timeframe)",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let row = |metric: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{metric} ")))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("nakamoto_coefficient"), "nakamoto_coefficient 3 2 -1");

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let o = powermap(&json_args, dir.path());
    assert!(o.status.success(), "{}", text(&o).1);
    let records = json_lines(&text(&o).0);
    let subjects: Vec<(String, String, String, u64)> = of_type(&records, "compare_subject")
        .iter()
        .map(|r| {
            (
                r["subject"].as_str().unwrap().to_string(),
                r["a"].as_str().unwrap().to_string(),
                r["b"].as_str().unwrap().to_string(),
                r["observations"].as_u64().unwrap(),
            )
        })
        .collect();
    // The sample's EDI mapping leaves DPOOL's payout addresses unattributed (each address
    // string its own entity); the pool list knows them. One BTC.TOP block by EDI's tag is
    // WAYI.CN by the pool list's.
    assert_eq!(subjects.len(), 3);
    assert!(subjects[0]
        .0
        .starts_with("1AM2fYfpY3ZeMeCKXmN66haoWxvB89pJUx/"));
    assert_eq!((subjects[0].2.as_str(), subjects[0].3), ("DPOOL", 4));
    assert!(subjects
        .iter()
        .any(|s| s.1 == "BTC.TOP" && s.2 == "WAYI.CN" && s.3 == 1));

    let mut csv_args = args.to_vec();
    csv_args.extend(["--out", "out"]);
    let o = powermap(&csv_args, dir.path());
    assert!(o.status.success(), "{}", text(&o).1);
    let csv = std::fs::read_to_string(dir.path().join("out/compare.csv")).unwrap();
    assert!(csv.starts_with(
        "kind,network,layer,date,start,end,name,a,b,difference,observations,weight,first,last\n"
    ));
    assert_eq!(csv.lines().filter(|l| l.starts_with("subject,")).count(), 3);
    assert!(csv.contains("\nshare,bitcoin,consensus,"));
}

#[test]
fn compare_builtin_data_with_a_fork_where_two_pools_share_an_owner() {
    let dir = tempfile::tempdir().unwrap();
    let fork = dir.path().join("fork");
    copy_dir(&repo().join("data/edi-mapping/mapping_information"), &fork);
    let links = fork.join("legal_links.json");
    let text_before = std::fs::read_to_string(&links).unwrap();
    // A hypothetical fork claiming Bitmain owns SecPool (for the test only).
    std::fs::write(
        &links,
        text_before.replacen(
            r#""Bitmain": ["#,
            r#""Bitmain": [{"name": "SecPool", "from": "", "to": "", "source": "hypothetical"},"#,
            1,
        ),
    )
    .unwrap();
    let o = powermap(&["analyze", "--compare-mapping", "fork"], dir.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "stderr: {err}");
    for want in [
        "B  EDI mapping_information fork",
        "bitcoin · consensus · latest window 2026-03-24 .. 2026-04-22",
        "Subjects attributed differently (1 rows, weight 3757; whole timeframe)",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let row = |name: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("nakamoto_coefficient"), "nakamoto_coefficient 3 2 -1");
    assert_eq!(row("hhi"), "hhi 1626 1815 +189");
    assert_eq!(row("SecPool"), "SecPool 5.24% 0.00% -5.24");
    assert_eq!(row("Bitmain"), "Bitmain 18.03% 23.28% +5.24");
    assert_eq!(
        row("secpool"),
        "secpool SecPool Bitmain 3757 3757 2023-09-03 2026-04-22"
    );
}

//! Every cell of EDI's own metric outputs on its sample data, recomputed from EDI's
//! aggregated `blocks_per_entity` files (see `tests/reference/edi-samples/README.md`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use powermap_metrics::{edi_format, edi_metrics};
use powermap_model::{Distribution, MetricValue};

const LEDGERS: [&str; 4] = ["bitcoin", "cardano", "ethereum", "tezos"];

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/edi-samples")
}

/// EDI's `population_windows` setting: include zero-block entities that produced in the
/// `p` windows either side, or anywhere in the file.
#[derive(Debug, Clone, Copy)]
enum Population {
    Windows(usize),
    All,
}

fn population_setting(run: &str) -> Population {
    let config = fs::read_to_string(samples().join(format!("configs/{run}.yaml"))).unwrap();
    let value = config
        .lines()
        .find_map(|l| l.strip_prefix("population_windows:"))
        .unwrap_or_else(|| panic!("{run}: no population_windows"))
        .trim();
    match value {
        "all" => Population::All,
        p => Population::Windows(p.parse().unwrap()),
    }
}

/// One ledger's aggregated file: window labels and blocks per entity per window.
struct Aggregated {
    dates: Vec<String>,
    blocks: Vec<(String, Vec<u64>)>,
}

fn read_aggregated(dir: &Path) -> Aggregated {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{}", dir.display());
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(files.pop().unwrap())
        .unwrap();
    let mut rows = rdr.records().map(Result::unwrap);
    let header = rows.next().unwrap();
    assert_eq!(&header[0], "Entity \\ Date");
    let dates: Vec<String> = header.iter().skip(1).map(str::to_string).collect();
    let blocks = rows
        .map(|r| {
            let counts: Vec<u64> = r.iter().skip(1).map(|c| c.parse().unwrap()).collect();
            assert_eq!(counts.len(), dates.len());
            (r[0].to_string(), counts)
        })
        .collect();
    Aggregated { dates, blocks }
}

/// Window `w`'s distribution under EDI's population rule. A window with no blocks is
/// empty whatever the setting (EDI passes an empty dict for it).
fn window(agg: &Aggregated, w: usize, pop: Population) -> Distribution {
    let produced_in = |counts: &[u64], lo: usize, hi: usize| counts[lo..=hi].iter().any(|&c| c > 0);
    let any_blocks = agg.blocks.iter().any(|(_, c)| c[w] > 0);
    let members = agg.blocks.iter().filter(|(_, c)| {
        any_blocks
            && match pop {
                Population::All => true,
                Population::Windows(p) => {
                    let hi = (w + p).min(agg.dates.len() - 1);
                    produced_in(c, w.saturating_sub(p), hi)
                }
            }
    });
    Distribution::from_weights(members.map(|(name, c)| (name.as_str(), c[w] as f64))).unwrap()
}

/// An EDI cell's Python type, judged from its text.
fn kind(cell: &str) -> &'static str {
    if cell.is_empty() {
        "None"
    } else if cell.parse::<i64>().is_ok() {
        "int"
    } else {
        "float"
    }
}

fn close(got: f64, want: f64) -> bool {
    got == want || (got - want).abs() <= 1e-9 * want.abs().max(got.abs())
}

#[test]
fn every_edi_sample_cell_matches() {
    let runs_dir = samples().join("runs");
    let mut runs: Vec<String> = fs::read_dir(&runs_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 8, "expected EDI's 8 sample runs");

    let mut cells = 0usize;
    let mut exact_text = 0usize;
    let mut failures = Vec::new();
    let mut metric_files_seen = 0usize;
    for run in &runs {
        let pop = population_setting(run);
        let results = fs::read_dir(runs_dir.join(run).join("results"))
            .unwrap()
            .map(|e| e.unwrap().path().join("metrics"))
            .next()
            .unwrap();
        let ledgers: Vec<Aggregated> = LEDGERS
            .iter()
            .map(|l| {
                let dir = runs_dir.join(run).join("processed_data").join(l);
                let sub = fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .find(|p| p.is_dir())
                    .unwrap();
                read_aggregated(&sub)
            })
            .collect();

        // Every per-metric file EDI wrote must be one of ours, and vice versa.
        let mut files: Vec<String> = fs::read_dir(&results)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f != "output.csv")
            .collect();
        files.sort();
        let mut ours: Vec<String> = edi_metrics()
            .iter()
            .map(|m| format!("{}.csv", m.id()))
            .collect();
        ours.sort();
        assert_eq!(files, ours, "{run}: metric files");

        for metric in edi_metrics() {
            metric_files_seen += 1;
            let path = results.join(format!("{}.csv", metric.id()));
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_path(&path)
                .unwrap();
            let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
            assert_eq!(
                header,
                ["timeframe", "bitcoin", "cardano", "ethereum", "tezos"]
            );
            let rows: Vec<_> = rdr.records().map(Result::unwrap).collect();
            let by_date: BTreeMap<&str, usize> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.get(0).unwrap(), i))
                .collect();
            assert_eq!(
                by_date.len(),
                rows.len(),
                "{}: duplicate dates",
                path.display()
            );
            for (li, agg) in ledgers.iter().enumerate() {
                assert_eq!(
                    agg.dates.len(),
                    rows.len(),
                    "{run} {}: window count",
                    LEDGERS[li]
                );
                for (w, date) in agg.dates.iter().enumerate() {
                    assert_eq!(&rows[w][0], date.as_str(), "{run}: window order");
                    let want = &rows[w][li + 1];
                    let got = metric.compute(&window(agg, w, pop));
                    let text = edi_format(got);
                    cells += 1;
                    if text == want {
                        exact_text += 1;
                        continue;
                    }
                    let numbers_ok = match (got, want.parse::<f64>()) {
                        (MetricValue::Undefined, _) => want.is_empty(),
                        (v, Ok(x)) => close(v.as_f64().unwrap(), x),
                        (_, Err(_)) => false,
                    };
                    if !numbers_ok || kind(&text) != kind(want) {
                        failures.push(format!(
                            "{run} {} {date} {}: EDI `{want}`, powermap `{text}`",
                            LEDGERS[li],
                            metric.id()
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(metric_files_seen, 8 * 11);
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cells > 0);
    // 4 runs × 87 windows + 2 × 1 + 2 × 49, × 11 metrics × 4 ledgers.
    assert_eq!(cells, (4 * 87 + 2 + 2 * 49) * 11 * 4);
    println!("checked {cells} cells, {exact_text} byte-identical to EDI");
    // Beyond the 1e-9 tolerance: with glibc's libm (the one EDI's CPython used) every cell
    // is byte-identical. Other libms may round `ln` differently in the last bit.
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        assert_eq!(exact_text, cells, "cells not byte-identical to EDI");
    }
}

//! A study on a real shipped series (dYdX's monthly validator sets), end to end through the
//! public API, small enough for a debug build.

use std::path::Path;

use powermap_model::{Layer, Observation};
use powermap_simulate::{Measure, ScenarioSet, Series, SeriesMeta, Study, StudyOptions};

fn dydx() -> Series {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/envoylabs-cosmos/cosmos_valset_monthly_dydx_sei.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let obs = text
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("dydx,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Observation {
                network: "dydx".into(),
                layer: Layer::Consensus,
                time: f[2].parse().unwrap(),
                height: f[1].parse().ok(),
                subject: f[3].into(),
                entity: None,
                weight: f[4].parse().unwrap(),
                source: None,
            }
        });
    let meta = SeriesMeta {
        network: "dydx".into(),
        measure: Measure::VotingPower,
        unit: "voting power".into(),
        source: "data/envoylabs-cosmos".into(),
        coverage: "the whole active set".into(),
        entity: "consensus address".into(),
    };
    Series::from_observations(obs, meta, &[]).unwrap()
}

#[test]
fn dydx_study_runs_with_scenarios_and_is_reproducible() {
    let series = dydx();
    assert_eq!(series.snapshots.len(), 13);
    let set = ScenarioSet::builtin("dydx").unwrap().unwrap();
    let opts = StudyOptions::quick(3);
    let a = Study::run(
        &series,
        Some((&set, "registry/simulate/cosmos.toml")),
        &opts,
        &|_| {},
    )
    .unwrap();
    assert!(a.backtest.possible);
    assert_eq!(a.backtest.origins.len(), 3);
    assert_eq!(a.scenarios.len(), set.scenarios.len());
    // The cap scenario never shows a top share above its cap at the horizon.
    let cap = a.scenarios.iter().find(|s| s.id == "cap-10").unwrap();
    let top = cap
        .at_horizon
        .iter()
        .find(|o| o.metric.id() == "max_power_ratio")
        .unwrap();
    // Values are stored as f32: allow its rounding.
    assert!(top.p95[1] <= 0.10 + 1e-6, "{top:?}");
    let text = a.to_text();
    for needle in [
        "If nobody acts",
        "Backtest (origins",
        "Mechanisms at",
        "cap-10",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    let b = Study::run(
        &series,
        Some((&set, "registry/simulate/cosmos.toml")),
        &opts,
        &|_| {},
    )
    .unwrap();
    assert_eq!(a, b);
}

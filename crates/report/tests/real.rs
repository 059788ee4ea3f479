//! Reports built from the shipped datasets: the results a reader would cite, pinned.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use powermap_attribution::Unattributed;
use powermap_findings::Stage;
use powermap_report::{build, spec, Report};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each network's report, built once per test binary.
fn report(network: &str) -> &'static Report {
    static CACHE: OnceLock<Mutex<Vec<(String, &'static Report)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, r)) = cache.iter().find(|(n, _)| n == network) {
        return r;
    }
    let r: &'static Report = Box::leak(Box::new(fresh(network)));
    cache.push((network.to_string(), r));
    r
}

fn fresh(network: &str) -> Report {
    let (spec, facts) = spec::builtin(network).unwrap();
    build(&spec, &facts, &Stage::builtin(), &root(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{network}: {e}"))
}

fn layer<'a>(r: &'a Report, id: &str) -> &'a powermap_report::LayerReport {
    r.layers.iter().find(|l| l.spec.id == id).unwrap()
}

/// `(size, member names)` of a failure mode's decisive coalition in a layer.
fn coalition(r: &Report, id: &str, mode: &str) -> (Option<usize>, Vec<String>) {
    let c = layer(r, id)
        .coalitions
        .iter()
        .find(|c| c.now.failure_mode == mode)
        .unwrap_or_else(|| panic!("{id}: no {mode}"));
    (
        c.now.size,
        c.now.members.iter().map(|(n, _)| n.clone()).collect(),
    )
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ethereum_stake_coalitions_and_uncertainty() {
    let r = report("ethereum");
    let stake = layer(r, "stake");
    assert_eq!(stake.latest.window.end.to_string(), "2024-02-03");
    // Headline: solo stake each its own, so Lido and Coinbase halt finality together.
    assert_eq!(
        coalition(r, "stake", "halt_finality"),
        (Some(2), names(&["Lido", "Coinbase"]))
    );
    assert_eq!(coalition(r, "stake", "control_head").0, Some(3));
    assert_eq!(coalition(r, "stake", "finalize_invalid").0, Some(34));
    // The three treatments of the unlabelled third give a range, not one number.
    let u = stake.uncertainty.as_ref().unwrap();
    assert!((u.share - 0.3328).abs() < 1e-3, "{}", u.share);
    let sizes = |what: &str| {
        let row = u.rows.iter().find(|r| r.what == what).unwrap();
        (
            row.value(Unattributed::Bucket),
            row.value(Unattributed::Separate),
            row.value(Unattributed::Exclude),
        )
    };
    assert_eq!(
        sizes("halt_finality coalition size"),
        (Some(2.0), Some(2.0), Some(1.0))
    );
    assert_eq!(
        sizes("finalize_invalid coalition size"),
        (Some(3.0), Some(34.0), Some(2.0))
    );
}

#[test]
fn ethereum_clients_are_single_points_of_failure() {
    let r = report("ethereum");
    // Stake-weighted consensus clients (labelled stake): Prysm alone halts finality.
    assert_eq!(
        coalition(r, "stake-by-client", "halt_finality"),
        (Some(1), names(&["Prysm"]))
    );
    let spofs: Vec<&str> = layer(r, "stake-by-client")
        .spofs
        .iter()
        .map(|s| s.entity.as_str())
        .collect();
    assert_eq!(spofs, ["Prysm", "Lighthouse"]);
    let exec = layer(r, "execution-clients");
    assert_eq!(exec.latest.window.end.to_string(), "2026-08-21");
    assert_eq!(
        coalition(r, "execution-clients", "finalize_invalid"),
        (Some(2), names(&["nethermind", "geth"]))
    );
}

#[test]
fn ethereum_cross_layer_mixes_operators_and_clients() {
    let r = report("ethereum");
    let c = r.crosslayer.as_ref().unwrap();
    let row = |kinds: &str, mode: &str| {
        let row = c
            .rows
            .iter()
            .find(|r| r.kinds == kinds && r.failure_mode == mode)
            .unwrap();
        assert!(row.result.is_exact());
        let members: Vec<String> = row
            .result
            .coalition
            .as_ref()
            .unwrap()
            .members
            .iter()
            .map(|m| m.name.clone())
            .collect();
        members
    };
    // Operators alone need 34 entities to finalize an invalid chain; with clients, 5 suffice.
    assert_eq!(row("operator", "finalize_invalid").len(), 34);
    assert_eq!(
        row("all kinds", "finalize_invalid"),
        names(&["Lido", "Prysm", "Lighthouse", "Teku", "Nimbus"])
    );
    assert_eq!(
        row("all kinds", "control_head"),
        names(&["Lido", "Coinbase", "Prysm"])
    );
}

#[test]
fn solana_layers_name_the_decisive_organisations() {
    let r = report("solana");
    assert_eq!(coalition(r, "stake", "halt_finality").0, Some(20));
    assert_eq!(coalition(r, "stake", "finalize_invalid").0, Some(88));
    let clients = layer(r, "clients");
    assert_eq!(clients.spofs.len(), 1);
    assert_eq!(clients.spofs[0].entity, "JitoLabs");
    assert!((clients.spofs[0].share - 0.7056).abs() < 1e-4);
    assert_eq!(
        coalition(r, "asn", "halt_finality"),
        (Some(2), names(&["AS20326", "AS396356"]))
    );
    assert_eq!(
        coalition(r, "countries", "halt_finality"),
        (Some(2), names(&["DE", "NL"]))
    );
    // Two snapshots: the stake layer has a trend.
    assert_eq!(layer(r, "stake").windows, 2);
    let c = r.crosslayer.as_ref().unwrap();
    let size = |kinds: &str, mode: &str| {
        c.rows
            .iter()
            .find(|r| r.kinds == kinds && r.failure_mode == mode)
            .unwrap()
            .result
            .size()
    };
    assert_eq!(size("all kinds", "halt_finality"), Some(1)); // JitoLabs
    assert_eq!(size("provider", "finalize_invalid"), Some(8));
    assert_eq!(size("provider + country", "finalize_invalid"), Some(4));
}

#[test]
fn scorecard_keeps_measured_and_declared_apart() {
    let r = report("solana");
    let groups: Vec<&str> = r.scorecard.groups.iter().map(|g| g.lever.id()).collect();
    assert_eq!(
        groups,
        [
            "power",
            "open_standards",
            "distributed_governance",
            "exit_options",
            "fork_or_exit"
        ]
    );
    let open = &r.scorecard.groups[1];
    assert_eq!(open.measured.len(), 1);
    assert!(open.declared.iter().all(|f| !f.source.is_empty()));
    let power = &r.scorecard.groups[0];
    assert!(power.measured.iter().any(|row| row.layer == "cross-layer"));
}

#[test]
fn html_is_self_contained_and_markdown_links_its_charts() {
    let r = report("solana");
    let html = powermap_report::html::render(r).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["<script", "<link", "src=\"http", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert_eq!(html.matches("<svg").count(), 5, "one chart per layer");
    // Every in-page link has its target.
    for link in html.split("href=\"#").skip(1) {
        let id = &link[..link.find('"').unwrap()];
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "no target for #{id}"
        );
    }
    let md = powermap_report::markdown::render(r, "solana").unwrap();
    assert_eq!(md.charts.len(), 5);
    for (name, svg) in &md.charts {
        assert!(md.text.contains(&format!("]({name})")));
        assert!(svg.contains("<svg"));
    }
}

#[test]
fn sui_cloud_and_country_coalitions() {
    let r = report("sui");
    assert_eq!(coalition(r, "stake", "halt_finality").0, Some(16));
    assert_eq!(coalition(r, "stake", "finalize_invalid").0, Some(42));
    assert_eq!(
        coalition(r, "cloud", "halt_finality"),
        (
            Some(3),
            names(&["Latitude.sh", "OVH SAS", "The Constant Company, LLC"])
        )
    );
    assert_eq!(
        coalition(r, "countries", "halt_finality"),
        (Some(3), names(&["US", "GB", "DE"]))
    );
}

#[test]
fn uniswap_governance_capture() {
    let r = report("uniswap");
    let g = r.governance.as_ref().unwrap();
    assert_eq!(g.proposals.len(), 21);
    assert_eq!(g.latest.voters, 4533);
    assert_eq!(g.latest.winning.size, Some(12));
    assert_eq!(g.latest.blocking.size, Some(12));
    // Alpha v2 #2 passed 47.6 M to 47.0 M: one voter switching would have defeated it.
    let close = g
        .proposals
        .iter()
        .find(|p| p.label == "Alpha v2 #2")
        .unwrap();
    assert_eq!(close.defeat.size, Some(1));
    let row = &r.scorecard.groups[0].measured[0];
    assert_eq!(row.layer, "governance");
    assert_eq!(row.as_of.unwrap().to_string(), "2022-07-09"); // the last proposal opened
}

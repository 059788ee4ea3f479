//! `/metrics`: valid exposition, the expected series for the built-in data, and every metric
//! the shipped Grafana dashboard queries is exposed.

use std::collections::BTreeSet;

use powermap_serve::Service;

use crate::util::{builtin_snapshot, repo};

/// `(name, labels, value)` of every sample; panics on a malformed line.
fn parse(text: &str) -> Vec<(String, String, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            assert!(
                line.starts_with("# HELP ") || line.starts_with("# TYPE ") || line.is_empty(),
                "{line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect(line);
        let value: f64 = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
        };
        let (name, labels) = match series.find('{') {
            Some(i) => {
                assert!(series.ends_with('}'), "{line}");
                (&series[..i], &series[i + 1..series.len() - 1])
            }
            None => (series, ""),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        out.push((name.to_string(), labels.to_string(), value));
    }
    out
}

#[tokio::test]
async fn exposition_has_the_builtin_series() {
    let service = Service::with_snapshot(builtin_snapshot());
    let text = service.metrics_text();
    let samples = parse(&text);
    let get = |name: &str, labels: &str| {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l == labels)
            .unwrap_or_else(|| panic!("{name}{{{labels}}} missing in\n{text}"))
            .2
    };
    let scope = r#"network="bitcoin",layer="consensus""#;
    let nc = get(
        "powermap_metric",
        &format!(r#"{scope},metric="nakamoto_coefficient""#),
    );
    assert_eq!(nc, 3.0);
    for m in [
        "nakamoto_coefficient=1/3",
        "nakamoto_coefficient=2/3",
        "hhi",
        "gini",
        "entropy=1",
    ] {
        get("powermap_metric", &format!(r#"{scope},metric="{m}""#));
    }
    let top = get("powermap_top_share", scope);
    assert!((top - 0.3089).abs() < 0.001, "{top}");
    assert_eq!(
        get(
            "powermap_ingest_last_block",
            r#"source="builtin",network="bitcoin""#
        ),
        945_000.0
    );
    assert_eq!(
        get(
            "powermap_ingest_errors_total",
            r#"source="builtin",network="bitcoin""#
        ),
        0.0
    );
    get(
        "powermap_ingest_lag_seconds",
        r#"source="builtin",network="bitcoin""#,
    );
    assert_eq!(
        get(
            "powermap_constraint_violated",
            r#"constraint="majority-needs-four-owners",network="bitcoin",layer="consensus",severity="fail""#
        ),
        1.0
    );
    get("powermap_alerts_firing", r#"severity="critical""#);
}

/// Metric names in the PromQL expressions of a Grafana dashboard.
fn queried_metrics(dashboard: &serde_json::Value) -> BTreeSet<String> {
    let mut exprs = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if (k == "expr" || k == "query") && v.is_string() {
                        out.push(v.as_str().unwrap().to_string());
                    } else {
                        walk(v, out);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(dashboard, &mut exprs);
    let mut names = BTreeSet::new();
    for e in exprs {
        let bytes: Vec<char> = e.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            if e[e.char_indices().nth(i).unwrap().0..].starts_with("powermap_") {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == '_') {
                    i += 1;
                }
                names.insert(bytes[start..i].iter().collect::<String>());
            } else {
                i += 1;
            }
        }
    }
    names
}

#[tokio::test]
async fn grafana_dashboard_queries_only_exposed_metrics() {
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/grafana/powermap.json")).unwrap(),
    )
    .unwrap();
    let queried = queried_metrics(&dashboard);
    assert!(queried.len() >= 6, "{queried:?}");
    let text = Service::with_snapshot(builtin_snapshot()).metrics_text();
    let exposed: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = queried.difference(&exposed).collect();
    assert!(
        missing.is_empty(),
        "the dashboard queries {missing:?}, not exposed"
    );
    for needed in [
        "powermap_metric",
        "powermap_top_share",
        "powermap_alerts_firing",
        "powermap_ingest_lag_seconds",
        "powermap_ingest_last_block",
        "powermap_ingest_errors_total",
    ] {
        assert!(queried.contains(needed), "the dashboard shows no {needed}");
    }
    // Every series the dashboard needs has samples for the built-in data.
    for name in [
        "powermap_metric",
        "powermap_top_share",
        "powermap_alerts_firing",
        "powermap_ingest_last_block",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && !l.starts_with('#')),
            "{name}"
        );
    }
}

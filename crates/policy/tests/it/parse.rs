//! Loading policies: every kind, defaults, and errors that name file, line and field.

use powermap_metrics::Metric;
use powermap_model::{Boundary, Layer, Threshold};
use powermap_policy::{Kind, Policy, PolicyError, Severity, Subject};
use powermap_windows::{Alignment, WindowSpec};

use crate::day;

const FULL: &str = r#"
[policy]
name = "test"
description = "every kind"

[analysis]
window = "30d"
align = "end"
clustering = true
unattributed = "unknown"

[[constraint]]
id = "share"
kind = "max_share"
severity = "fail"
network = "bitcoin"
layer = "consensus"
max = "1/3"

[[constraint]]
id = "nc"
kind = "min_coalition"
severity = "warn"
threshold = 0.5
min = 4
effective_from = 2030-01-01

[[constraint]]
id = "hhi"
kind = "metric"
severity = "fail"
metric = "hhi"
max = 2500

[[constraint]]
id = "drift"
kind = "max_drift"
severity = "warn"
max_rise = 5
days = 90

[[constraint]]
id = "drift-metric"
kind = "max_drift"
severity = "warn"
metric = "gini"
max_rise = 0.05
days = 90
effective_from = "2026-06-01"

[[constraint]]
id = "forecast"
kind = "forecast"
severity = "warn"
entity = "Foundry USA"
threshold = "33%"
within_days = 180
"#;

fn invalid(text: &str) -> (usize, Option<String>, String) {
    match Policy::parse(text, "p.toml") {
        Err(e @ PolicyError::Invalid { .. }) => {
            let msg = e.to_string();
            assert!(msg.starts_with("p.toml:"), "{msg}");
            (e.line().unwrap(), e.field().map(str::to_string), msg)
        }
        other => panic!("expected an invalid-policy error, got {other:?}"),
    }
}

#[test]
fn parses_every_kind_with_defaults() {
    let p = Policy::parse(FULL, "p.toml").unwrap();
    assert_eq!(p.name.as_deref(), Some("test"));
    assert_eq!(p.analysis.window, Some(WindowSpec::days(30, 30)));
    assert_eq!(p.analysis.align, Some(Alignment::End));
    assert_eq!(p.analysis.unattributed.as_deref(), Some("unknown"));
    let c = &p.constraints;
    assert_eq!(c.len(), 6);
    assert_eq!(c[0].line, 12);
    assert_eq!(c[0].layer, Some(Layer::Consensus));
    assert_eq!(
        c[0].kind,
        Kind::MaxShare {
            max: Threshold::THIRD,
            boundary: Boundary::Greater,
            entity: None,
            all_windows: false
        }
    );
    assert_eq!(c[1].severity, Severity::Warn);
    assert_eq!(c[1].effective_from, Some(day("2030-01-01")));
    assert_eq!(
        c[1].kind,
        Kind::MinCoalition {
            threshold: Threshold::HALF,
            boundary: Boundary::AtLeast,
            min: 4,
            all_windows: false
        }
    );
    assert_eq!(
        c[2].kind,
        Kind::Metric {
            metric: Metric::Hhi,
            min: None,
            max: Some(2500.0),
            all_windows: false
        }
    );
    assert!(matches!(
        c[3].kind,
        Kind::MaxDrift {
            subject: Subject::TopShare,
            days: 90,
            ..
        }
    ));
    assert_eq!(c[4].effective_from, Some(day("2026-06-01")));
    assert!(matches!(
        c[4].kind,
        Kind::MaxDrift {
            subject: Subject::Metric(Metric::Gini),
            ..
        }
    ));
    assert!(matches!(
        &c[5].kind,
        Kind::Forecast { subject: Subject::Entity(e), within_days: 180, .. } if e == "Foundry USA"
    ));
    // Without a description, the limit in words stands in.
    assert_eq!(c[0].description, "no entity > 1/3");
}

#[test]
fn unknown_metric_names_line_field_and_valid_ids() {
    let (line, field, msg) = invalid(
        "[[constraint]]\nid = \"m\"\nkind = \"metric\"\nseverity = \"fail\"\nmetric = \"ginni\"\nmax = 1\n",
    );
    assert_eq!(line, 5);
    assert_eq!(field.as_deref(), Some("constraint #1 `m`, field `metric`"));
    assert!(msg.contains("p.toml:5:10"), "{msg}");
    assert!(msg.contains("nakamoto_coefficient"), "{msg}");
}

#[test]
fn unknown_field_is_a_serde_error_with_line_and_field() {
    let (line, field, msg) = invalid(
        "[[constraint]]\nid = \"a\"\nkind = \"max_share\"\nseverity = \"fail\"\nmax = \"1/3\"\n\n[[constraint]]\nid = \"b\"\nkind = \"max_share\"\nseverity = \"fail\"\nmaximum = \"1/3\"\n",
    );
    assert_eq!(line, 11, "{msg}");
    assert_eq!(field.as_deref(), Some("constraint #2, field `maximum`"));
    assert!(msg.contains("unknown field"), "{msg}");
}

#[test]
fn wrong_type_and_syntax_errors_have_lines() {
    let (line, field, _) =
        invalid("[[constraint]]\nid = \"a\"\nkind = \"max_share\"\nseverity = 3\nmax = \"1/3\"\n");
    assert_eq!(
        (line, field.as_deref()),
        (4, Some("constraint #1, field `severity`"))
    );
    let (line, _, _) = invalid("[[constraint]]\nid = \"a\nkind = 1\n");
    assert_eq!(line, 2);
}

#[test]
fn bad_values_name_their_field() {
    let base = "[[constraint]]\nid = \"x\"\nseverity = \"fail\"\n";
    for (body, want_line, want_field) in [
        ("kind = \"max_share\"\nmax = \"2/1\"\n", 5, "max"),
        (
            "kind = \"max_share\"\nmax = \"1/3\"\nboundary = \"gte\"\n",
            6,
            "boundary",
        ),
        (
            "kind = \"max_share\"\nmax = \"1/3\"\nlayer = \"stake\"\n",
            6,
            "layer",
        ),
        (
            "kind = \"max_share\"\nmax = \"1/3\"\neffective_from = \"soon\"\n",
            6,
            "effective_from",
        ),
        ("kind = \"max_share\"\nmax = \"1/3\"\nmin = 3\n", 6, "min"),
        (
            "kind = \"min_coalition\"\nthreshold = \"1/2\"\nmin = 0\n",
            6,
            "min",
        ),
        (
            "kind = \"metric\"\nmetric = \"hhi\"\nmin = 10\nmax = 5\n",
            7,
            "max",
        ),
        (
            "kind = \"max_drift\"\nmax_rise = -1\ndays = 90\n",
            5,
            "max_rise",
        ),
        (
            "kind = \"max_drift\"\nmax_rise = 5\ndays = 1.5\n",
            6,
            "days",
        ),
        (
            "kind = \"max_drift\"\nentity = \"A\"\nmetric = \"hhi\"\nmax_rise = 5\ndays = 9\n",
            5,
            "entity",
        ),
        (
            "kind = \"forecast\"\nthreshold = \"1/3\"\nwithin_days = 0\n",
            6,
            "within_days",
        ),
        ("kind = \"quota\"\n", 4, "kind"),
    ] {
        let (line, field, msg) = invalid(&format!("{base}{body}"));
        assert_eq!(line, want_line, "{body}: {msg}");
        assert_eq!(
            field.as_deref(),
            Some(format!("constraint #1 `x`, field `{want_field}`").as_str()),
            "{body}: {msg}"
        );
    }
}

#[test]
fn missing_fields_point_at_the_constraint() {
    let (line, field, msg) =
        invalid("# policy\n\n[[constraint]]\nid = \"x\"\nkind = \"max_share\"\nmax = \"1/3\"\n");
    assert_eq!(line, 3, "{msg}");
    assert_eq!(
        field.as_deref(),
        Some("constraint #1 `x`, field `severity`")
    );
    let (_, field, _) = invalid("[[constraint]]\nkind = \"max_share\"\n");
    assert_eq!(field.as_deref(), Some("constraint #1, field `id`"));
    let (_, field, msg) = invalid(
        "[[constraint]]\nid = \"x\"\nseverity = \"warn\"\nkind = \"min_coalition\"\nmin = 4\n",
    );
    assert_eq!(
        field.as_deref(),
        Some("constraint #1 `x`, field `threshold`"),
        "{msg}"
    );
}

#[test]
fn duplicate_ids_empty_policies_and_bad_analysis_tables() {
    let one =
        "[[constraint]]\nid = \"x\"\nkind = \"max_share\"\nseverity = \"fail\"\nmax = \"1/3\"\n";
    let (line, field, msg) = invalid(&format!("{one}\n{one}"));
    assert_eq!(line, 7);
    assert_eq!(field.as_deref(), Some("constraint #2 `x`, field `id`"));
    assert!(msg.contains("first used on line 1"), "{msg}");
    let (_, _, msg) = invalid("[policy]\nname = \"empty\"\n");
    assert!(msg.contains("at least one [[constraint]]"), "{msg}");
    let (line, field, _) = invalid(&format!("[analysis]\nwindow = \"thirty\"\n\n{one}"));
    assert_eq!(
        (line, field.as_deref()),
        (2, Some("field `analysis.window`"))
    );
    let (line, field, _) = invalid(&format!("[analysis]\nwindows = \"30d\"\n\n{one}"));
    assert_eq!(
        (line, field.as_deref()),
        (2, Some("field `analysis.windows`"))
    );
}

#[test]
fn load_names_the_file() {
    let dir = std::env::temp_dir().join(format!("powermap-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[[constraint]]\nid = 1\n").unwrap();
    let err = Policy::load(&path).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2:", path.display())), "{err}");
    let err = Policy::load(&dir.join("missing.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.toml: cannot read policy"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

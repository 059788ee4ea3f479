//! `--compare-mapping`: the same analysis under two registries, as a table, JSON Lines
//! records and `compare.csv`.

use std::io::Write;

use powermap_model::{Layer, MetricValue, Window};
use powermap_pipeline::Comparison;
use serde::Serialize;

use crate::ranges::{number, real, WindowDates};
use crate::summary::{self, truncate};
use crate::Result;

/// Rows of the comparison table shown per section before `… and N more`.
const COMPARE_ROWS: usize = 15;

fn entity_or_excluded(e: Option<&str>) -> &str {
    e.unwrap_or("(excluded)")
}

/// The readable comparison: metrics of the latest windows, the entities whose share
/// differs most, the subjects attributed differently.
pub fn comparison_table(c: &Comparison) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "Attribution under two registries");
    let _ = writeln!(out, "  A  {}", c.a_label);
    let _ = writeln!(out, "  B  {}", c.b_label);
    let mut groups: Vec<(&str, powermap_model::Layer, &Window)> = Vec::new();
    for m in &c.metrics {
        if !groups
            .iter()
            .any(|(n, l, _)| *n == m.network && *l == m.layer)
        {
            groups.push((&m.network, m.layer, &m.window));
        }
    }
    for (network, layer, window) in groups {
        let _ = writeln!(
            out,
            "\n{network} · {layer} · latest window {} .. {}",
            window.start, window.end
        );
        let _ = writeln!(
            out,
            "  {:<26} {:>10} {:>10} {:>10}",
            "Metric", "A", "B", "B − A"
        );
        for m in c
            .metrics
            .iter()
            .filter(|m| m.network == network && m.layer == layer)
        {
            let b = m.b.unwrap_or(MetricValue::Undefined);
            let _ = writeln!(
                out,
                "  {:<26} {:>10} {:>10} {:>10}",
                m.metric,
                summary::format_metric(&m.metric, m.a),
                summary::format_metric(&m.metric, b),
                summary::format_change(&m.metric, b, m.a)
            );
        }
        let shares: Vec<_> = c
            .shares
            .iter()
            .filter(|s| s.network == network && s.layer == layer)
            .collect();
        if shares.is_empty() {
            let _ = writeln!(out, "\n  Every entity has the same share under A and B.");
        } else {
            let _ = writeln!(
                out,
                "\n  {:<32} {:>9} {:>9} {:>8}",
                "Entities whose share differs most", "A", "B", "points"
            );
            for s in shares.iter().take(COMPARE_ROWS) {
                let _ = writeln!(
                    out,
                    "  {:<32} {:>9} {:>9} {:>8}",
                    truncate(&s.entity, 32),
                    summary::percent(s.a),
                    summary::percent(s.b),
                    summary::points(s.difference())
                );
            }
            if shares.len() > COMPARE_ROWS {
                let _ = writeln!(out, "  … and {} more", shares.len() - COMPARE_ROWS);
            }
        }
    }
    let weight: f64 = c.subjects.iter().map(|s| s.weight).sum();
    if c.subjects.is_empty() {
        let _ = writeln!(
            out,
            "\nEvery subject is attributed to the same entity by A and B."
        );
    } else {
        let _ = writeln!(
            out,
            "\nSubjects attributed differently ({} rows, weight {weight}; whole timeframe)",
            c.subjects.len()
        );
        let _ = writeln!(
            out,
            "  {:<24} {:<22} {:<22} {:>9} {:>10}  {:<10} last",
            "subject", "entity under A", "entity under B", "weight", "obs.", "first"
        );
        for s in c.subjects.iter().take(COMPARE_ROWS) {
            let _ = writeln!(
                out,
                "  {:<24} {:<22} {:<22} {:>9} {:>10}  {:<10} {}",
                truncate(&s.subject, 24),
                truncate(entity_or_excluded(s.a.as_deref()), 22),
                truncate(entity_or_excluded(s.b.as_deref()), 22),
                s.weight,
                s.observations,
                s.first,
                s.last
            );
        }
        if c.subjects.len() > COMPARE_ROWS {
            let _ = writeln!(
                out,
                "  … and {} more (all in --format json / compare.csv)",
                c.subjects.len() - COMPARE_ROWS
            );
        }
    }
    out
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Record<'a> {
    Comparison {
        a: &'a str,
        b: &'a str,
    },
    CompareMetric {
        network: &'a str,
        layer: Layer,
        #[serde(flatten)]
        window: WindowDates,
        metric: &'a str,
        a: Option<MetricValue>,
        b: Option<MetricValue>,
        difference: Option<f64>,
    },
    CompareShare {
        network: &'a str,
        layer: Layer,
        #[serde(flatten)]
        window: Option<WindowDates>,
        entity: &'a str,
        a: Option<f64>,
        b: Option<f64>,
        difference: Option<f64>,
    },
    CompareSubject {
        network: &'a str,
        subject: &'a str,
        a: Option<&'a str>,
        b: Option<&'a str>,
        observations: u64,
        weight: Option<f64>,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    },
}

/// Records: `{"type":"comparison","a","b"}`, then per metric
/// `{"type":"compare_metric","network","layer","date","start","end","metric","a","b","difference"}`,
/// per entity `{"type":"compare_share",…,"entity","a","b","difference"}` and per subject
/// `{"type":"compare_subject","network","subject","a","b","observations","weight","first","last"}`
/// (`a`/`b` of a subject: the entity, `null` when excluded; undefined and non-finite numbers
/// `null`).
pub fn write_comparison_jsonl(c: &Comparison, out: &mut dyn Write) -> Result<()> {
    let finite = |x: f64| x.is_finite().then_some(x);
    let defined = |v: Option<MetricValue>| v.filter(|v| v.as_f64().is_some());
    let mut records = vec![Record::Comparison {
        a: &c.a_label,
        b: &c.b_label,
    }];
    for m in &c.metrics {
        records.push(Record::CompareMetric {
            network: &m.network,
            layer: m.layer,
            window: (&m.window).into(),
            metric: &m.metric,
            a: defined(Some(m.a)),
            b: defined(m.b),
            difference: m.difference().and_then(finite),
        });
    }
    for s in &c.shares {
        let w = c
            .metrics
            .iter()
            .find(|m| m.network == s.network && m.layer == s.layer)
            .map(|m| WindowDates::from(&m.window));
        records.push(Record::CompareShare {
            network: &s.network,
            layer: s.layer,
            window: w,
            entity: &s.entity,
            a: finite(s.a),
            b: finite(s.b),
            difference: finite(s.difference()),
        });
    }
    for s in &c.subjects {
        records.push(Record::CompareSubject {
            network: &s.network,
            subject: &s.subject,
            a: s.a.as_deref(),
            b: s.b.as_deref(),
            observations: s.observations,
            weight: finite(s.weight),
            first: s.first,
            last: s.last,
        });
    }
    for r in &records {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `compare.csv`: one long table, `kind` = `metric`, `share` or `subject`. For metrics and
/// shares `a`/`b` are values and `difference` is B − A (latest window); for subjects `name`
/// is the subject, `a`/`b` the entities (empty when excluded) over the whole timeframe.
pub fn write_comparison_csv(c: &Comparison, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "network",
        "layer",
        "date",
        "start",
        "end",
        "name",
        "a",
        "b",
        "difference",
        "observations",
        "weight",
        "first",
        "last",
    ])?;
    let window = |w: Option<&Window>| -> [String; 3] {
        match w {
            Some(w) => [
                w.representative.to_string(),
                w.start.to_string(),
                w.end.to_string(),
            ],
            None => Default::default(),
        }
    };
    for m in &c.metrics {
        let [d, s, e] = window(Some(&m.window));
        w.write_record([
            "metric".to_string(),
            m.network.clone(),
            m.layer.id().to_string(),
            d,
            s,
            e,
            m.metric.clone(),
            number(Some(m.a)).unwrap_or_default(),
            number(m.b).unwrap_or_default(),
            m.difference().and_then(real).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for sh in &c.shares {
        let win = c
            .metrics
            .iter()
            .find(|m| m.network == sh.network && m.layer == sh.layer)
            .map(|m| &m.window);
        let [d, s, e] = window(win);
        w.write_record([
            "share".to_string(),
            sh.network.clone(),
            sh.layer.id().to_string(),
            d,
            s,
            e,
            sh.entity.clone(),
            real(sh.a).unwrap_or_default(),
            real(sh.b).unwrap_or_default(),
            real(sh.difference()).unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for s in &c.subjects {
        w.write_record([
            "subject".to_string(),
            s.network.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s.subject.clone(),
            s.a.clone().unwrap_or_default(),
            s.b.clone().unwrap_or_default(),
            String::new(),
            s.observations.to_string(),
            real(s.weight).unwrap_or_default(),
            s.first.to_string(),
            s.last.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

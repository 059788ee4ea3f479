//! Prometheus text exposition (format 0.0.4) of a [`Snapshot`] and the alert counts.
//!
//! Written by hand rather than with `prometheus-client`: every series is derived from the
//! snapshot at scrape time, and a snapshot replaces the previous one as a whole, so series
//! of a network layer that disappeared simply stop being written (a registry of long-lived
//! gauges would have to be pruned by hand). The format needs only `# HELP`, `# TYPE` and
//! label-value escaping, which [`escape`] does; a test parses the output back.

use std::collections::BTreeMap;
use std::fmt::Write;

use powermap_model::Analysis;

use crate::state::Snapshot;

/// Every metric family this exposition writes: `(name, type, help)`.
pub const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "powermap_metric",
        "gauge",
        "Concentration metric of the latest window per network, layer and metric id (Nakamoto coefficients at 1/3, 1/2 and 2/3, HHI on 0-10000, Gini, Shannon entropy, ...)",
    ),
    (
        "powermap_top_share",
        "gauge",
        "Share (0-1) of the largest entity in the latest window",
    ),
    (
        "powermap_entities",
        "gauge",
        "Entities with weight in the latest window",
    ),
    (
        "powermap_window_end_timestamp_seconds",
        "gauge",
        "End of the latest window (Unix time, end of its last UTC day)",
    ),
    (
        "powermap_constraint_violated",
        "gauge",
        "1 when a policy constraint is violated for a network layer, else 0",
    ),
    (
        "powermap_alerts_firing",
        "gauge",
        "Alerts firing per severity",
    ),
    (
        "powermap_ingest_last_block",
        "gauge",
        "Height of the newest block stored per source",
    ),
    (
        "powermap_ingest_lag_seconds",
        "gauge",
        "Seconds between the newest stored block's time and now per source",
    ),
    (
        "powermap_ingest_errors_total",
        "counter",
        "Failed polls per source since the service started",
    ),
    (
        "powermap_last_update_timestamp_seconds",
        "gauge",
        "When the analyses were last recomputed (Unix time)",
    ),
    (
        "powermap_webhook_deliveries_total",
        "counter",
        "Webhook deliveries by result (ok, failed)",
    ),
];

/// Escapes a label value: backslash, double quote and newline.
pub fn escape(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// A sample value as Prometheus writes it (`NaN`, `+Inf`, shortest round-trip decimal).
fn value(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x == f64::INFINITY {
        "+Inf".into()
    } else if x == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{x}")
    }
}

/// Collects samples per family, then writes families in [`FAMILIES`] order.
#[derive(Default)]
struct Out {
    samples: BTreeMap<&'static str, String>,
}

impl Out {
    fn sample(&mut self, name: &'static str, labels: &[(&str, &str)], x: f64) {
        let s = self.samples.entry(name).or_default();
        s.push_str(name);
        if !labels.is_empty() {
            s.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{k}=\"{}\"", escape(v));
            }
            s.push('}');
        }
        s.push(' ');
        s.push_str(&value(x));
        s.push('\n');
    }

    fn finish(self) -> String {
        let mut text = String::new();
        for (name, kind, help) in FAMILIES {
            let _ = writeln!(text, "# HELP {name} {help}");
            let _ = writeln!(text, "# TYPE {name} {kind}");
            if let Some(s) = self.samples.get(name) {
                text.push_str(s);
            }
        }
        text
    }
}

/// Counters the service keeps besides the snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Firing alerts per severity.
    pub alerts_firing: BTreeMap<String, usize>,
    /// Webhook deliveries that succeeded.
    pub webhook_ok: u64,
    /// Webhook deliveries that failed after every retry.
    pub webhook_failed: u64,
}

/// The exposition of a snapshot and the counters.
pub fn render(snapshot: &Snapshot, counters: &Counters) -> String {
    let mut out = Out::default();
    for a in &snapshot.analyses {
        latest(&mut out, a);
    }
    if let Some(report) = &snapshot.report {
        for r in &report.results {
            for m in &r.measurements {
                let violated = m.status == powermap_policy::Outcome::Violated
                    && r.outcome == powermap_policy::Outcome::Violated;
                out.sample(
                    "powermap_constraint_violated",
                    &[
                        ("constraint", &r.id),
                        ("network", &m.network),
                        ("layer", m.layer.id()),
                        ("severity", r.severity.id()),
                    ],
                    if violated { 1.0 } else { 0.0 },
                );
            }
        }
    }
    for (severity, n) in &counters.alerts_firing {
        out.sample(
            "powermap_alerts_firing",
            &[("severity", severity)],
            *n as f64,
        );
    }
    for s in &snapshot.sources {
        let labels = [("source", s.name.as_str()), ("network", s.network.as_str())];
        if let Some(b) = s.last_block {
            out.sample("powermap_ingest_last_block", &labels, b as f64);
        }
        if let Some(l) = s.lag_seconds {
            out.sample("powermap_ingest_lag_seconds", &labels, l);
        }
        out.sample(
            "powermap_ingest_errors_total",
            &labels,
            s.errors_total as f64,
        );
    }
    if let Some(t) = snapshot.updated_at {
        out.sample(
            "powermap_last_update_timestamp_seconds",
            &[],
            t.timestamp_millis() as f64 / 1000.0,
        );
    }
    out.sample(
        "powermap_webhook_deliveries_total",
        &[("result", "ok")],
        counters.webhook_ok as f64,
    );
    out.sample(
        "powermap_webhook_deliveries_total",
        &[("result", "failed")],
        counters.webhook_failed as f64,
    );
    out.finish()
}

/// The latest window's metrics of one analysis.
fn latest(out: &mut Out, a: &Analysis) {
    let Some(w) = a.windows.last() else { return };
    let layer = a.layer.id();
    for (id, v) in a.metrics.iter().zip(&w.values) {
        if let Some(x) = v.as_f64() {
            out.sample(
                "powermap_metric",
                &[("network", &a.network), ("layer", layer), ("metric", id)],
                x,
            );
        }
    }
    let labels = [("network", a.network.as_str()), ("layer", layer)];
    let d = &w.distribution;
    if !d.is_empty() {
        out.sample("powermap_top_share", &labels, d.share(0));
    }
    out.sample("powermap_entities", &labels, d.producers().len() as f64);
    let end = w.window.end.and_hms_opt(23, 59, 59).expect("valid time");
    out.sample(
        "powermap_window_end_timestamp_seconds",
        &labels,
        end.and_utc().timestamp() as f64,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_label_values() {
        assert_eq!(
            escape(
                r#"a"b\c
d"#
            ),
            r#"a\"b\\c\nd"#
        );
        assert_eq!(value(0.5), "0.5");
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(3.0), "3");
    }

    #[test]
    fn every_family_has_help_and_type() {
        let text = render(&Snapshot::default(), &Counters::default());
        for (name, kind, _) in FAMILIES {
            assert!(text.contains(&format!("# TYPE {name} {kind}\n")), "{name}");
        }
    }
}

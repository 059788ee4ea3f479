//! JSON Lines: one record per line, each with a `type` field, so a reader can stream and
//! dispatch (`jq 'select(.type == "window")'`).
//!
//! Records, in order, for each analysis:
//!
//! - `{"type":"analysis","network","layer","clustering","metrics":[ids…],"windows":n,
//!   "dataset","window_spec","registry","unattributed"}`: what was measured and how;
//! - per window `{"type":"window","network","layer","clustering","date","start","end",
//!   "start_height","end_height","total_weight","entities","metrics":{id: value|null}}`,
//!   with metrics in column order, counts as JSON integers and undefined or non-finite values
//!   as `null`;
//! - per window and entity `{"type":"share","network","layer","clustering","date","entity",
//!   "weight","share","share_lo","share_hi"}`, heaviest first, zero-weight population members
//!   included; `share_lo`/`share_hi` (95 % Wilson interval) only for block counts;
//! - per finding `{"type":"finding","severity","kind","scope","message"}` ([`write_findings`]).

use std::io::Write;

use chrono::NaiveDate;
use powermap_model::{Analysis, Layer, MetricValue, Provenance};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::Result;

#[derive(Serialize)]
struct AnalysisRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    network: &'a str,
    layer: Layer,
    clustering: bool,
    metrics: &'a [String],
    windows: usize,
    #[serde(flatten)]
    provenance: &'a Provenance,
}

struct OrderedMetrics<'a> {
    ids: &'a [String],
    values: &'a [MetricValue],
}

impl Serialize for OrderedMetrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.ids.len()))?;
        for (i, id) in self.ids.iter().enumerate() {
            let v = self
                .values
                .get(i)
                .copied()
                .unwrap_or(MetricValue::Undefined);
            m.serialize_entry(id, &v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct WindowRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    network: &'a str,
    layer: Layer,
    clustering: bool,
    date: NaiveDate,
    start: NaiveDate,
    end: NaiveDate,
    start_height: Option<u64>,
    end_height: Option<u64>,
    total_weight: f64,
    entities: usize,
    metrics: OrderedMetrics<'a>,
}

#[derive(Serialize)]
struct ShareRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    network: &'a str,
    layer: Layer,
    clustering: bool,
    date: NaiveDate,
    entity: &'a str,
    weight: f64,
    share: f64,
    /// 95 % Wilson interval, for block counts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    share_lo: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share_hi: Option<f64>,
}

fn line<W: Write, T: Serialize>(out: &mut W, rec: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, rec)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes every analysis as JSON Lines (see the module docs for the records).
pub fn write_jsonl<W: Write>(analyses: &[Analysis], mut out: W) -> Result<()> {
    for a in analyses {
        line(
            &mut out,
            &AnalysisRecord {
                kind: "analysis",
                network: &a.network,
                layer: a.layer,
                clustering: a.clustering,
                metrics: &a.metrics,
                windows: a.windows.len(),
                provenance: &a.provenance,
            },
        )?;
        for wr in &a.windows {
            let win = &wr.window;
            line(
                &mut out,
                &WindowRecord {
                    kind: "window",
                    network: &a.network,
                    layer: a.layer,
                    clustering: a.clustering,
                    date: win.representative,
                    start: win.start,
                    end: win.end,
                    start_height: win.heights.map(|h| h.0),
                    end_height: win.heights.map(|h| h.1),
                    total_weight: wr.distribution.total(),
                    entities: wr.distribution.producers().len(),
                    metrics: OrderedMetrics {
                        ids: &a.metrics,
                        values: &wr.values,
                    },
                },
            )?;
        }
        for wr in &a.windows {
            let d = &wr.distribution;
            for (i, s) in d.entries().iter().enumerate() {
                let interval = crate::share_interval(d, i);
                line(
                    &mut out,
                    &ShareRecord {
                        kind: "share",
                        network: &a.network,
                        layer: a.layer,
                        clustering: a.clustering,
                        date: wr.window.representative,
                        entity: &s.name,
                        weight: s.weight,
                        share: d.share(i),
                        share_lo: interval.map(|x| x.0),
                        share_hi: interval.map(|x| x.1),
                    },
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Writes findings as JSON Lines records of `type` `finding`.
pub fn write_findings<W: Write>(findings: &[powermap_model::Finding], mut out: W) -> Result<()> {
    #[derive(Serialize)]
    struct FindingRecord<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(flatten)]
        finding: &'a powermap_model::Finding,
    }
    for f in findings {
        line(
            &mut out,
            &FindingRecord {
                kind: "finding",
                finding: f,
            },
        )?;
    }
    out.flush()?;
    Ok(())
}

//! `--unattributed range`: every metric of every window under the three treatments of
//! unattributed weight, as a table (latest windows), JSON Lines records and `ranges.csv`.

use std::io::Write;

use chrono::NaiveDate;
use powermap_attribution::Unattributed;
use powermap_model::{Layer, MetricValue, Window};
use powermap_pipeline::{RangeRow, TreatmentRange};
use serde::Serialize;

use crate::summary;
use crate::Result;

/// A metric value as a number for CSV and JSON: integers as integers, reals in Rust's
/// shortest round-trip form; empty (`None`) when undefined or not finite.
pub(crate) fn number(v: Option<MetricValue>) -> Option<String> {
    match v? {
        MetricValue::Undefined => None,
        MetricValue::Int(i) => Some(i.to_string()),
        MetricValue::Float(f) => real(f),
    }
}

pub(crate) fn real(f: f64) -> Option<String> {
    f.is_finite().then(|| f.to_string())
}

/// `{"type":"range","network","layer","date","start","end","metric","separate","unknown",
/// "exclude","min","max"}`: one row.
#[derive(Serialize)]
struct RangeRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    network: &'a str,
    layer: Layer,
    #[serde(flatten)]
    window: WindowDates,
    metric: &'a str,
    separate: Option<MetricValue>,
    unknown: Option<MetricValue>,
    exclude: Option<MetricValue>,
    min: Option<f64>,
    max: Option<f64>,
}

/// A window's `date`, `start` and `end` in a record.
#[derive(Serialize)]
pub(crate) struct WindowDates {
    date: NaiveDate,
    start: NaiveDate,
    end: NaiveDate,
}

impl From<&Window> for WindowDates {
    fn from(w: &Window) -> Self {
        WindowDates {
            date: w.representative,
            start: w.start,
            end: w.end,
        }
    }
}

/// One JSON Lines record per row (undefined and non-finite values as `null`).
pub fn write_range_jsonl(rows: &[RangeRow], out: &mut dyn Write) -> Result<()> {
    for r in rows {
        let v = |t| r.value(t).filter(|v| v.as_f64().is_some());
        let rec = RangeRecord {
            kind: "range",
            network: &r.network,
            layer: r.layer,
            window: (&r.window).into(),
            metric: &r.metric,
            separate: v(Unattributed::Separate),
            unknown: v(Unattributed::Bucket),
            exclude: v(Unattributed::Exclude),
            min: r.min.filter(|x| x.is_finite()),
            max: r.max.filter(|x| x.is_finite()),
        };
        serde_json::to_writer(&mut *out, &rec)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `ranges.csv`: every window and metric under the three treatments.
pub fn write_ranges_csv(rows: &[RangeRow], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "network", "layer", "date", "start", "end", "metric", "separate", "unknown", "exclude",
        "min", "max",
    ])?;
    for r in rows {
        let mut rec = vec![
            r.network.clone(),
            r.layer.id().to_string(),
            r.window.representative.to_string(),
            r.window.start.to_string(),
            r.window.end.to_string(),
            r.metric.clone(),
        ];
        rec.extend(r.values.iter().map(|v| number(*v).unwrap_or_default()));
        rec.push(r.min.and_then(real).unwrap_or_default());
        rec.push(r.max.and_then(real).unwrap_or_default());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The value of `row` that equals `x` (so integers print as integers).
fn value_at(row: &RangeRow, x: Option<f64>) -> String {
    let v = row
        .values
        .iter()
        .flatten()
        .find(|v| v.as_f64() == x)
        .copied()
        .unwrap_or(MetricValue::Undefined);
    summary::format_metric(&row.metric, v)
}

/// For the latest window of each network layer, every metric as `value (lo – hi)` with the
/// value under each treatment.
pub fn range_table(ranges: &TreatmentRange, shown: Unattributed) -> String {
    use std::fmt::Write as _;
    let latest = ranges.latest();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nRange over the treatments of unattributed weight (value under `{shown}`; separate: each unattributed subject its own producer, each `unknown` block its own)"
    );
    let mut groups: Vec<(&str, powermap_model::Layer, &Window)> = Vec::new();
    for r in &latest {
        if !groups
            .iter()
            .any(|(n, l, _)| *n == r.network && *l == r.layer)
        {
            groups.push((&r.network, r.layer, &r.window));
        }
    }
    for (network, layer, window) in groups {
        let total = |t: Unattributed| {
            ranges
                .run(t)
                .analyses
                .iter()
                .find(|a| a.network == network && a.layer == layer)
                .and_then(|a| a.windows.iter().find(|w| w.window == *window))
                .map_or(0.0, |w| w.distribution.total())
        };
        let (all, kept) = (total(Unattributed::Bucket), total(Unattributed::Exclude));
        let share = if all > 0.0 { (all - kept) / all } else { 0.0 };
        let _ = writeln!(
            out,
            "\n{network} · {layer} · latest window {} .. {} · {} of weight {} unattributed",
            window.start,
            window.end,
            summary::percent(share),
            if all.fract() == 0.0 && kept.fract() == 0.0 {
                format!("({} of {})", all - kept, all)
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "  {:<26} {:>10}  {:<22} {:>10} {:>10} {:>10}",
            "Metric", "value", "range (lo – hi)", "separate", "unknown", "exclude"
        );
        for r in latest
            .iter()
            .filter(|r| r.network == network && r.layer == layer)
        {
            let value =
                summary::format_metric(&r.metric, r.value(shown).unwrap_or(MetricValue::Undefined));
            let range = format!("({} – {})", value_at(r, r.min), value_at(r, r.max));
            let cell = |t: Unattributed| {
                summary::format_metric(&r.metric, r.value(t).unwrap_or(MetricValue::Undefined))
            };
            let _ = writeln!(
                out,
                "  {:<26} {:>10}  {:<22} {:>10} {:>10} {:>10}",
                r.metric,
                value,
                range,
                cell(Unattributed::Separate),
                cell(Unattributed::Bucket),
                cell(Unattributed::Exclude)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RangeRow {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        RangeRow {
            network: "bitcoin".into(),
            layer: Layer::Consensus,
            window: Window::days(day("2026-03-24"), day("2026-04-22")),
            metric: "hhi".into(),
            values: [
                Some(MetricValue::Float(1626.25)),
                Some(MetricValue::Int(3)),
                Some(MetricValue::Undefined),
            ],
            min: Some(3.0),
            max: Some(f64::NAN),
        }
    }

    /// One record per row: integers stay integers, undefined and non-finite values are
    /// `null`, and CSV cells are empty where JSON has `null`.
    #[test]
    fn records_and_csv_rows() {
        let mut out = Vec::new();
        write_range_jsonl(&[row()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\"type\":\"range\",\"network\":\"bitcoin\",\"layer\":\"consensus\",\"date\":\"2026-04-07\",\"start\":\"2026-03-24\",\"end\":\"2026-04-22\",\"metric\":\"hhi\",\"separate\":1626.25,\"unknown\":3,\"exclude\":null,\"min\":3.0,\"max\":null}\n"
        );
        let mut out = Vec::new();
        write_ranges_csv(&[row()], &mut out).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "bitcoin,consensus,2026-04-07,2026-03-24,2026-04-22,hhi,1626.25,3,,3,"
        );
    }
}

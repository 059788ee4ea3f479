//! CSV output in the layout EDI (the Edinburgh Decentralisation Index tool) writes, plus two
//! companion files EDI does not have.
//!
//! | file | columns | one row per |
//! |---|---|---|
//! | `output.csv` (long form) | `ledger,date,clustering,<metric ids…>` | analysis × window |
//! | `<metric>.csv` (wide) | `timeframe,<network…>` | representative date |
//! | `shares.csv` | `ledger,date,entity,weight,share` | window × entity |
//! | `windows.csv` | `ledger,date,start,end,start_height,end_height,total_weight,entities` | window |
//!
//! `date` is the window's representative date; `clustering` is `True`/`False` as Python prints
//! it. Values go through a caller-chosen [`ValueFormat`]; the default, [`edi_value`], prints
//! what Python's `str()` prints and leaves undefined values empty. Lines end in `\n` (Python's
//! `csv` module would write `\r\n`; both read back the same).

use std::collections::BTreeSet;
use std::io::Write;

use chrono::NaiveDate;
use powermap_model::{Analysis, MetricValue};

use crate::pyfloat::{python_float, weight};
use crate::Result;

pub use crate::pyfloat::edi_value;

/// How a metric value becomes a CSV cell.
pub type ValueFormat = fn(MetricValue) -> String;

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().from_writer(out)
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Metric ids of all analyses, in order of first appearance.
pub fn metric_union(analyses: &[Analysis]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for a in analyses {
        for m in &a.metrics {
            if !ids.contains(m) {
                ids.push(m.clone());
            }
        }
    }
    ids
}

/// The file name of a metric's wide file: the id with `/` replaced by `_` (so
/// `nakamoto_coefficient=1/3` → `nakamoto_coefficient=1_3.csv`).
pub fn metric_file_name(metric: &str) -> String {
    format!("{}.csv", metric.replace(['/', '\\'], "_"))
}

/// Writes the long form: `ledger,date,clustering,<metric ids…>`, one row per window of every
/// analysis. Metrics missing from an analysis leave empty cells.
pub fn write_long<W: Write>(analyses: &[Analysis], format: ValueFormat, out: W) -> Result<()> {
    let ids = metric_union(analyses);
    let mut w = writer(out);
    let mut header = vec!["ledger".to_string(), "date".into(), "clustering".into()];
    header.extend(ids.iter().cloned());
    w.write_record(&header)?;
    for a in analyses {
        let cols: Vec<Option<usize>> = ids.iter().map(|id| a.metric_index(id)).collect();
        for wr in &a.windows {
            let mut row = vec![
                a.network.clone(),
                wr.window.representative.to_string(),
                py_bool(a.clustering).to_string(),
            ];
            row.extend(cols.iter().map(|c| match c.and_then(|i| wr.values.get(i)) {
                Some(v) => format(*v),
                None => String::new(),
            }));
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Column labels for the wide files: the network id, made unique with `/layer` and then
/// `/clustered` or `/unclustered` when several analyses share a network.
pub fn series_labels(analyses: &[Analysis]) -> Vec<String> {
    let count = |f: &dyn Fn(&Analysis) -> String, a: &Analysis| {
        analyses.iter().filter(|b| f(b) == f(a)).count()
    };
    let net = |a: &Analysis| a.network.clone();
    let net_layer = |a: &Analysis| format!("{}/{}", a.network, a.layer);
    analyses
        .iter()
        .map(|a| {
            if count(&net, a) == 1 {
                net(a)
            } else if count(&net_layer, a) == 1 {
                net_layer(a)
            } else {
                let c = if a.clustering {
                    "clustered"
                } else {
                    "unclustered"
                };
                format!("{}/{c}", net_layer(a))
            }
        })
        .collect()
}

/// Writes one metric's wide file as EDI does: `timeframe,<network…>`, one row per
/// representative date (the union over analyses, ascending), empty where an analysis has no
/// window at that date or lacks the metric.
pub fn write_wide<W: Write>(
    analyses: &[Analysis],
    metric: &str,
    format: ValueFormat,
    out: W,
) -> Result<()> {
    let dates: BTreeSet<NaiveDate> = analyses
        .iter()
        .flat_map(|a| a.windows.iter().map(|w| w.window.representative))
        .collect();
    let mut w = writer(out);
    let mut header = vec!["timeframe".to_string()];
    header.extend(series_labels(analyses));
    w.write_record(&header)?;
    for d in dates {
        let mut row = vec![d.to_string()];
        for a in analyses {
            let cell = a
                .metric_index(metric)
                .and_then(|i| {
                    a.windows
                        .iter()
                        .find(|w| w.window.representative == d)
                        .and_then(|w| w.values.get(i))
                })
                .map_or_else(String::new, |v| format(*v));
            row.push(cell);
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `shares.csv`: `ledger,date,entity,weight,share,share_lo,share_hi`, every entry of
/// every window (zero-weight population members included), heaviest first. `share_lo` and
/// `share_hi` bound the share with a 95 % Wilson score interval when weights are block counts
/// (block production as a binomial sample of the underlying power); empty otherwise.
pub fn write_shares<W: Write>(analyses: &[Analysis], out: W) -> Result<()> {
    let mut w = writer(out);
    w.write_record([
        "ledger", "date", "entity", "weight", "share", "share_lo", "share_hi",
    ])?;
    for a in analyses {
        for wr in &a.windows {
            let date = wr.window.representative.to_string();
            let d = &wr.distribution;
            for (i, s) in d.entries().iter().enumerate() {
                let (lo, hi) = crate::share_interval(d, i)
                    .map(|(lo, hi)| (python_float(lo), python_float(hi)))
                    .unwrap_or_default();
                w.write_record([
                    a.network.as_str(),
                    &date,
                    &s.name,
                    &weight(s.weight),
                    &python_float(d.share(i)),
                    &lo,
                    &hi,
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes `windows.csv`: `ledger,date,start,end,start_height,end_height,total_weight,entities`,
/// where `entities` counts entities with weight > 0 and heights are empty for day windows.
pub fn write_windows<W: Write>(analyses: &[Analysis], out: W) -> Result<()> {
    let mut w = writer(out);
    w.write_record([
        "ledger",
        "date",
        "start",
        "end",
        "start_height",
        "end_height",
        "total_weight",
        "entities",
    ])?;
    for a in analyses {
        for wr in &a.windows {
            let win = &wr.window;
            let (h0, h1) = win
                .heights
                .map_or((String::new(), String::new()), |(a, b)| {
                    (a.to_string(), b.to_string())
                });
            w.write_record([
                a.network.clone(),
                win.representative.to_string(),
                win.start.to_string(),
                win.end.to_string(),
                h0,
                h1,
                weight(wr.distribution.total()),
                wr.distribution.producers().len().to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Every CSV file as `(file name, bytes)`: `output.csv`, one `<metric>.csv` per metric
/// (see [`metric_file_name`]), `shares.csv` and `windows.csv`. Place them with
/// `powermap_ingest::atomic_write`.
pub fn all_files(analyses: &[Analysis], format: ValueFormat) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut buf = Vec::new();
    write_long(analyses, format, &mut buf)?;
    files.push(("output.csv".to_string(), buf));
    for m in metric_union(analyses) {
        let mut buf = Vec::new();
        write_wide(analyses, &m, format, &mut buf)?;
        files.push((metric_file_name(&m), buf));
    }
    let mut buf = Vec::new();
    write_shares(analyses, &mut buf)?;
    files.push(("shares.csv".to_string(), buf));
    let mut buf = Vec::new();
    write_windows(analyses, &mut buf)?;
    files.push(("windows.csv".to_string(), buf));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_have_no_separators() {
        assert_eq!(
            metric_file_name("nakamoto_coefficient=1/3"),
            "nakamoto_coefficient=1_3.csv"
        );
        assert_eq!(metric_file_name("gini"), "gini.csv");
    }
}

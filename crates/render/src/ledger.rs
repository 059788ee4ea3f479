//! The attribution ledger (`powermap entities list`): every subject → entity decision with its
//! rule and sources, as a readable table or as CSV with every field.

use std::io::Write;

use powermap_pipeline::LedgerRow;

use crate::summary::truncate;
use crate::{python_float, Result};

/// Every field of every row as CSV.
pub fn write_csv(rows: &[LedgerRow], out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "network",
        "subject",
        "entity",
        "brand",
        "rule",
        "evidence",
        "source",
        "owner_source",
        "observations",
        "weight",
        "first",
        "last",
    ])?;
    for r in rows {
        let a = &r.attribution;
        w.write_record([
            r.network.as_str(),
            &r.subject,
            &a.entity,
            &a.brand,
            a.rule.id(),
            &a.evidence,
            &a.source,
            a.owner_source.as_deref().unwrap_or(""),
            &r.observations.to_string(),
            &python_float(r.weight),
            &r.first.to_string(),
            &r.last.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A readable table: subject, brand, entity, rule, weight, first and last day, and why
/// (sources shortened; the CSV has them whole).
pub fn write_table(rows: &[LedgerRow], out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "{:<20} {:<20} {:<20} {:<14} {:>9}  {:<10} {:<10}  why",
        "subject", "brand", "entity", "rule", "weight", "first", "last"
    )?;
    for r in rows {
        let a = &r.attribution;
        let mut why = short_source(&a.source);
        if let Some(o) = &a.owner_source {
            why.push_str(&format!("; owner: {}", short_source(o)));
        }
        writeln!(
            out,
            "{:<20} {:<20} {:<20} {:<14} {:>9}  {:<10} {:<10}  {}",
            truncate(&r.subject, 20),
            truncate(&a.brand, 20),
            truncate(&a.entity, 20),
            a.rule.id(),
            python_float(r.weight).trim_end_matches(".0"),
            r.first,
            r.last,
            why
        )?;
    }
    writeln!(out, "(full sources: --format csv)")?;
    Ok(())
}

/// A rule source without its long note: the file, and the link when it is one.
fn short_source(source: &str) -> String {
    match source.split_once(" (") {
        Some((file, rest)) if rest.starts_with("http") => {
            format!("{file} ({}", truncate(rest, 60))
        }
        Some((file, _)) => file.to_string(),
        None => source.to_string(),
    }
}

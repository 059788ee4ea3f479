//! Policy parsing and evaluation on hand-built analyses.

mod docs;
mod evaluate;
mod parse;

use chrono::NaiveDate;
use powermap_model::{Analysis, Distribution, Layer, Provenance, Window, WindowResult};

/// `YYYY-MM-DD`.
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An analysis of 30-day windows ending on each given day, with the given weights.
pub fn analysis(network: &str, windows: &[(&str, &[(&str, f64)])]) -> Analysis {
    Analysis {
        network: network.into(),
        layer: Layer::Consensus,
        clustering: true,
        metrics: vec![],
        windows: windows
            .iter()
            .map(|(end, w)| {
                let end = day(end);
                WindowResult {
                    window: Window::days(end - chrono::Duration::days(29), end),
                    distribution: Distribution::from_weights(w.iter().copied()).unwrap(),
                    values: vec![],
                }
            })
            .collect(),
        provenance: Provenance::default(),
    }
}

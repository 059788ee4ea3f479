//! Sentences and cell texts shared by the HTML and Markdown renderers.

use powermap_crosslayer::{CrossLayerResult, Exactness};

use powermap_model::Window;

use crate::cell::pct;
use crate::layer::{LayerReport, Trend, Uncertainty};
use crate::CrossLayerReport;

pub(crate) const PROVENANCE_LINE: &str = "Every number below is computed by powermap from the datasets listed under Sources, through the attribution rule and the security model named beside it. Measured results and declared facts are kept apart.";

pub(crate) const SCORECARD_LEGEND: &str = "Each cell is the decisive coalition size of one failure mode: the fewest entities whose combined share crosses the threshold (higher is more dispersed). Arrows compare with the window about 90 days earlier (or the earliest): ↑ more entities needed now (power dispersed), ↓ fewer (concentrated), → the same, · no earlier window. (lo–hi) is the range over the three treatments of unattributed weight; – means no coalition can reach the threshold.";

pub(crate) const REPRODUCE: &str = "Reproduce: `powermap report <network> --out DIR` from the repository root (it reads `data/`); the layers are listed in `registry/reports/<network>.toml`, declared facts in `registry/facts/<network>.toml`, thresholds in `registry/security-models.toml`.";

/// Where a layer's numbers come from, in one sentence.
pub(crate) fn layer_source(l: &LayerReport) -> String {
    format!(
        "Source: {} via `{}` ({}); network `{}`, security models of `{}`; {} window{} with data from {} to {} ({}); latest window {} … {}: {} {} across {} entities. Attribution: {}.",
        l.spec.dataset,
        l.spec.source,
        l.provenance.dataset,
        l.network,
        l.models_network,
        l.windows,
        if l.windows == 1 { "" } else { "s" },
        l.span.0,
        l.span.1,
        l.spec.window,
        l.latest.window.start,
        l.latest.window.end,
        number(l.latest.total),
        l.spec.weight,
        l.latest.entities,
        l.provenance.registry,
    )
}

/// Coalition members named before the rest are summed up.
const NAMED: usize = 10;

/// `Lido 31.2 %, Coinbase 8.1 %`, the tail summed up past [`NAMED`] members.
pub(crate) fn members(m: &[(String, f64)]) -> String {
    if m.is_empty() {
        return "—".into();
    }
    let mut out: Vec<String> = m
        .iter()
        .take(NAMED)
        .map(|(e, s)| format!("{e} {}", pct(*s)))
        .collect();
    if m.len() > NAMED {
        let rest: f64 = m[NAMED..].iter().map(|(_, s)| s).sum();
        out.push(format!("and {} more with {}", m.len() - NAMED, pct(rest)));
    }
    out.join(", ")
}

/// `↑ from 3 (window ending 2023-11-05)`, or `· one window`.
pub(crate) fn trend(before: &Option<(Window, Option<usize>)>, trend: Trend) -> String {
    match (before, trend) {
        (Some((w, then)), t) if t != Trend::Unknown => format!(
            "{} from {} (window ending {})",
            t.arrow(),
            then.map_or("not reachable".into(), |n| n.to_string()),
            w.end
        ),
        _ => "· one window".into(),
    }
}

pub(crate) const UNMODELLED: &str = "No security model applies to this layer: holding it breaks no protocol property by itself, but it shows who writes and steers changes. The fewest entities holding a third, a half and two thirds of the weight:";

/// The single points of failure of a layer, or a sentence saying there are none.
pub(crate) fn spofs(l: &LayerReport) -> String {
    if l.spofs.is_empty() {
        return "none: no single entity crosses a modelled threshold alone.".into();
    }
    l.spofs
        .iter()
        .map(|s| {
            let modes: Vec<String> = s
                .crossed
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}, {})",
                        c.failure_mode,
                        c.property,
                        crate::cell::rule(c.boundary, c.threshold)
                    )
                })
                .collect();
            format!(
                "{} ({}) alone crosses {}",
                s.entity,
                pct(s.share),
                modes.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn uncertainty_intro(u: &Uncertainty, weight: &str, why: Option<&str>) -> String {
    let each = match u.unit {
        Some(unit) => format!(
            "the weight split into units of {} {weight}, each its own entity",
            number(unit)
        ),
        None => "each its own entity (not computable: the source gives no unit)".into(),
    };
    format!(
        "Attribution uncertainty: `{}` holds {} of the latest window. The headline results above count it as {}{}. The same results with that weight as one entity, with {each}, and left out:",
        u.entity,
        pct(u.share),
        u.headline.label(),
        why.map(|w| format!(" ({w})")).unwrap_or_default()
    )
}

/// A value of an uncertainty row: sizes as integers, shares as percentages, HHI as is.
pub(crate) fn value(what: &str, v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(x) if what == "top share" => pct(x),
        Some(x) if what == "HHI" => format!("{x:.0}"),
        Some(x) => format!("{x:.0}"),
    }
}

pub(crate) fn range(what: &str, r: Option<(f64, f64)>) -> String {
    match r {
        None => "–".into(),
        Some((lo, hi)) if (hi - lo).abs() < 1e-12 => value(what, Some(lo)),
        Some((lo, hi)) => format!("{} – {}", value(what, Some(lo)), value(what, Some(hi))),
    }
}

/// The selected metrics of the latest window in one line.
pub(crate) fn metrics(l: &LayerReport) -> String {
    let parts: Vec<String> = l
        .latest
        .metrics
        .iter()
        .map(|(id, v)| match v {
            Some(x) if id == "hhi" => format!("HHI {x:.0}"),
            Some(x) if id == "concentration_ratio=1" => format!("top share {}", pct(*x)),
            Some(x) => format!("{id} {x:.3}"),
            None => format!("{id} undefined"),
        })
        .collect();
    format!("Latest window: {}.", parts.join(", "))
}

pub(crate) fn crosslayer_intro(c: &CrossLayerReport) -> String {
    format!(
        "The multi-layer Nakamoto coefficient: the fewest organisations of any kind joined here ({}) that together take out a failure mode's share of {}, joining {} units of `{}` on {} (docs/cross-layer.md). Solved exactly by branch and bound unless marked as bounds; the greedy size is shown for comparison. Assumptions:",
        c.kinds.join(", "), c.noun, c.units, c.file, c.date
    )
}

pub(crate) fn cross_size(r: &CrossLayerResult) -> String {
    match (r.size(), r.exactness) {
        (None, _) => "not reachable".into(),
        (Some(n), Exactness::Exact) => n.to_string(),
        (Some(n), Exactness::UpperBound { lower }) => format!("{lower}–{n} (bounds)"),
    }
}

pub(crate) fn cross_members(r: &CrossLayerResult) -> String {
    match &r.coalition {
        None => "—".into(),
        Some(c) => {
            let mut out: Vec<String> = c
                .members
                .iter()
                .take(NAMED)
                .map(|m| format!("{} {} alone", m.label(), pct(m.standalone)))
                .collect();
            if c.members.len() > NAMED {
                out.push(format!("and {} more", c.members.len() - NAMED));
            }
            out.join(", ")
        }
    }
}

/// A weight with thousands separators when large.
pub(crate) fn number(x: f64) -> String {
    if x >= 1000.0 {
        let s = format!("{:.0}", x);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1234567.4), "1,234,567");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.25), "0.250");
        assert_eq!(range("top share", Some((0.1, 0.2))), "10.0 % – 20.0 %");
        assert_eq!(range("x coalition size", Some((3.0, 3.0))), "3");
    }
}

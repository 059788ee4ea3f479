//! Notes printed above the summary: what a `--merge` what-if changed, and how much weight
//! attribution left unattributed.

use powermap_attribution::ResolveOptions;
use powermap_model::{Analysis, Boundary, Threshold};
use powermap_pipeline::{AttributionStats, WhatIf};

use super::{decisive_coalition, percent, Coalition};

/// Summary lines for `--merge`: what was merged and how each decisive coalition of the
/// latest window changed against the same analysis without the merge.
pub fn merge_notes(
    what_if: &WhatIf,
    before: &[Analysis],
    after: &[Analysis],
    boundary: Boundary,
) -> Vec<String> {
    let mut notes: Vec<String> = what_if
        .merges
        .iter()
        .map(|m| {
            format!(
                "what-if (--merge): {} counted as one owner `{}` (no registry says so)",
                m.names().join(" and "),
                m.merged_name()
            )
        })
        .collect();
    let describe = |c: &Option<Coalition>| match c {
        None => "n/a".to_string(),
        Some(c) => c
            .members
            .iter()
            .map(|m| format!("{} {}", m.name, percent(m.share)))
            .collect::<Vec<_>>()
            .join(" + "),
    };
    for a in after {
        let Some(b) = before
            .iter()
            .find(|b| b.network == a.network && b.layer == a.layer)
        else {
            continue;
        };
        let (Some(wa), Some(wb)) = (a.windows.last(), b.windows.last()) else {
            continue;
        };
        let mut changes = Vec::new();
        let mut half = None;
        for t in [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS] {
            let cb = decisive_coalition(&wb.distribution, t, boundary);
            let ca = decisive_coalition(&wa.distribution, t, boundary);
            let n = |c: &Option<Coalition>| {
                c.as_ref()
                    .map_or("n/a".to_string(), |c| c.members.len().to_string())
            };
            let (nb, na) = (n(&cb), n(&ca));
            changes.push(if nb == na {
                format!("{t}: {na} (unchanged)")
            } else {
                format!("{t}: {nb} → {na}")
            });
            if t == Threshold::HALF {
                half = Some((describe(&cb), describe(&ca)));
            }
        }
        notes.push(format!(
            "what-if: {}/{} latest window, entities needed to reach {}",
            a.network,
            a.layer,
            changes.join(", ")
        ));
        if let Some((before, after)) = half {
            notes.push(format!(
                "what-if: 1/2 coalition without the merge {before}; with it {after}"
            ));
        }
    }
    notes
}
/// Lines about attribution quality shown with the summary.
pub fn attribution_notes(stats: &AttributionStats, r: ResolveOptions, range: bool) -> Vec<String> {
    let mut notes = Vec::new();
    let share = stats.unattributed_share();
    if share > 0.0 && range {
        notes.push(format!(
            "{:.1}% of weight is unattributed: values below are under `{}`, ranges over separate, unknown and exclude",
            share * 100.0,
            r.unattributed
        ));
    } else if share > 0.0 {
        notes.push(format!(
            "{:.1}% of weight is unattributed (treated as `{}`; --unattributed range shows every metric under separate, unknown and exclude)",
            share * 100.0,
            r.unattributed
        ));
    }
    if stats.excluded > 0 {
        notes.push(format!(
            "{} observations excluded as unattributed",
            stats.excluded
        ));
    }
    notes
}

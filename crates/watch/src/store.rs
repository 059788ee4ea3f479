//! Analyses and health from the store and the built-in datasets.

use chrono::{DateTime, NaiveDate, Utc};
use powermap_attribution::ResolveOptions;
use powermap_model::{Analysis, Layer, Provenance};
use powermap_pipeline::{AnalyzeOptions, Input, Registries};
use powermap_serve::SourceHealth;
use powermap_store::Store;
use powermap_windows::{Alignment, WindowSpec};

use crate::{Result, WatchError};

/// Provenance of the analyses of followed data.
pub(crate) fn store_provenance(window_spec: String) -> Provenance {
    Provenance {
        dataset: "watch store".into(),
        window_spec,
        registry: "as attributed by the followers".into(),
        unattributed: "separate".into(),
    }
}

/// Analyses of every (network, layer) in the store, attributed as the followers stored them.
pub(crate) fn analyze_store(store: &mut Store, window: &WindowSpec) -> Result<Vec<Analysis>> {
    let groups: Vec<(String, Layer)> = store
        .networks()?
        .into_iter()
        .flat_map(|n| {
            let network = n.network;
            n.layers
                .into_iter()
                .map(move |l| (network.clone(), l.layer))
        })
        .collect();
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let opts = AnalyzeOptions {
        window: window.clone(),
        clustering: true,
        ..Default::default()
    };
    Ok(powermap_follow::analyze_store(
        store,
        &groups,
        (None, None),
        opts,
        store_provenance(window.describe()),
    )?)
}

/// Analyses of a built-in dataset (e.g. `bitcoin-pools`) as `powermap analyze` computes them
/// by default (built-in registry, owners clustered, unattributed blocks in one `unknown`
/// bucket), with `window`.
pub(crate) fn analyze_builtin(dataset: &str, window: WindowSpec) -> Result<Vec<Analysis>> {
    let builtin = |source| WatchError::Builtin {
        dataset: dataset.to_string(),
        source: Box::new(source),
    };
    let input = Input::Builtin(dataset.to_string());
    let registries = Registries::builtin().map_err(builtin)?;
    let resolve = ResolveOptions {
        clustering: true,
        unattributed: input.default_treatment(),
    };
    let opts = AnalyzeOptions {
        window,
        clustering: true,
        ..Default::default()
    };
    let out =
        powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {}).map_err(builtin)?;
    Ok(out.analyses)
}

/// Health rows from the store's per-source stats.
pub(crate) fn store_health(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<SourceHealth>> {
    Ok(store
        .stats()?
        .sources
        .into_iter()
        .map(|s| SourceHealth {
            kind: "store".into(),
            network: s
                .last_block
                .as_ref()
                .map(|b| b.0.clone())
                .unwrap_or_default(),
            last_block: s.last_block.as_ref().map(|b| b.1),
            last_block_time: s.last_block.as_ref().map(|b| b.2),
            lag_seconds: s
                .last_block
                .as_ref()
                .map(|b| (now - b.2).num_milliseconds() as f64 / 1000.0),
            errors_total: 0,
            last_error: None,
            last_poll: s.last_ingest,
            name: s.source,
        })
        .collect())
}

/// Options of the incremental analysis of followed data: the configured day windows,
/// start-aligned from `anchor` and open-ended (`None` for month or block windows, which are
/// recomputed in full every cycle).
pub(crate) fn incremental_options(
    window: &WindowSpec,
    anchor: NaiveDate,
) -> Option<AnalyzeOptions> {
    match window {
        WindowSpec::Days {
            estimation, step, ..
        } => Some(AnalyzeOptions {
            window: WindowSpec::Days {
                estimation: *estimation,
                step: *step,
                start: Some(anchor),
                end: None,
                align: Alignment::Start,
            },
            clustering: true,
            ..Default::default()
        }),
        _ => None,
    }
}

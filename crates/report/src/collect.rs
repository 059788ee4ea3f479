//! Running one layer's dataset through attribution → windows → metrics: the pipeline's one
//! road, from the built-in dataset or from an adapter of `powermap-sources`.

use std::path::Path;

use powermap_attribution::ResolveOptions;
use powermap_model::{Analysis, Provenance};
use powermap_pipeline::{AnalyzeOptions, Feed, Input, Registries, WhatIf};
use powermap_windows::Alignment;

use crate::spec::LayerSpec;
use crate::ReportError;

/// The analysis of one layer: the built-in dataset or an adapter's observations (entities as
/// the source names them) through the pipeline.
pub fn analyse_layer(spec: &LayerSpec, data_root: &Path) -> Result<Analysis, ReportError> {
    // As `analyze` does by default: the newest window ends on the last day of data.
    let window = spec.window_spec()?.aligned(Alignment::End);
    let opts = AnalyzeOptions {
        window,
        ..AnalyzeOptions::default()
    };
    let layer_err = |message: String| ReportError::Layer {
        layer: spec.id.clone(),
        message,
    };
    let analyses = match spec.source.strip_prefix("builtin:") {
        Some(dataset) => builtin(spec, dataset, opts)?,
        None => adapter(spec, data_root, opts)?,
    };
    let wanted: Vec<Analysis> = analyses
        .into_iter()
        .filter(|a| a.layer == spec.layer)
        .collect();
    let found: Vec<String> = wanted.iter().map(|a| a.network.clone()).collect();
    let mut matching = wanted
        .into_iter()
        .filter(|a| spec.network.as_ref().is_none_or(|n| &a.network == n));
    let first = matching.next().ok_or_else(|| {
        layer_err(format!(
            "no {} observations of network `{}` (found: {})",
            spec.layer,
            spec.network.as_deref().unwrap_or("any"),
            if found.is_empty() {
                "none".into()
            } else {
                found.join(", ")
            }
        ))
    })?;
    if matching.next().is_some() {
        return Err(layer_err(format!(
            "the source gives several networks ({}); name one with `network = …`",
            found.join(", ")
        )));
    }
    Ok(first)
}

fn builtin(
    spec: &LayerSpec,
    dataset: &str,
    opts: AnalyzeOptions,
) -> Result<Vec<Analysis>, ReportError> {
    let input = Input::Builtin(dataset.to_string());
    let registries = Registries::builtin().map_err(|e| pipeline(spec, e))?;
    let resolve = ResolveOptions {
        clustering: true,
        unattributed: input.default_treatment(),
    };
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})
        .map_err(|e| pipeline(spec, e))?;
    Ok(out.analyses)
}

fn pipeline(spec: &LayerSpec, source: powermap_pipeline::PipelineError) -> ReportError {
    ReportError::Pipeline {
        layer: spec.id.clone(),
        source: Box::new(source),
    }
}

/// An adapter's observations down the pipeline's road, with no registry: entities as the
/// source names them (else the subject), the source's own `unknown` bucket kept whole (the
/// report gives it its treatments, see `layer::treat`).
fn adapter(
    spec: &LayerSpec,
    data_root: &Path,
    opts: AnalyzeOptions,
) -> Result<Vec<Analysis>, ReportError> {
    let source_err = |source| ReportError::Source {
        layer: spec.id.clone(),
        source: Box::new(source),
    };
    let info = powermap_sources::info(&spec.source).map_err(source_err)?;
    let files: Vec<String> = if spec.files.is_empty() {
        vec![info.default_file.to_string()]
    } else {
        spec.files.clone()
    };
    let none = Registries::default();
    let mut feed = Feed::new(&none, ResolveOptions::default(), &WhatIf::default(), opts)
        .map_err(|e| pipeline(spec, e))?
        .split_anonymous(false);
    for file in &files {
        let path = data_root.join(file);
        if !path.exists() {
            return Err(ReportError::MissingData {
                layer: spec.id.clone(),
                path,
            });
        }
        for o in
            powermap_sources::read(&spec.source, &path, Some(spec.layer)).map_err(source_err)?
        {
            let o = o.map_err(source_err)?;
            if spec.network.as_ref().is_none_or(|n| &o.network == n) {
                feed.push(&(&o).into());
            }
        }
    }
    let provenance = Provenance {
        dataset: files.join(", "),
        window_spec: spec.window.clone(),
        registry: format!(
            "none: entities as `{}` names them (docs/sources.md)",
            spec.source
        ),
        unattributed: "separate".into(),
    };
    Ok(feed
        .finish(provenance)
        .map_err(|e| pipeline(spec, e))?
        .analyses)
}

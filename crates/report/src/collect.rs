//! Running one layer's dataset through attribution → windows → metrics.

use std::path::Path;

use powermap_attribution::{ResolveOptions, Unattributed};
use powermap_model::{Analysis, Provenance, Rule};
use powermap_pipeline::{AnalyzeOptions, Analyzer, Input, Registries};
use powermap_windows::{Alignment, WindowSpec};

use crate::spec::LayerSpec;
use crate::ReportError;

/// The analysis of one layer: the built-in dataset through the pipeline, or an adapter's
/// observations (entities as the source names them) through the analyzer.
pub fn analyse_layer(spec: &LayerSpec, data_root: &Path) -> Result<Analysis, ReportError> {
    let mut window = spec.window_spec()?;
    // As `analyze` does by default: the newest window ends on the last day of data.
    if let WindowSpec::Days { align, .. } = &mut window {
        *align = Alignment::End;
    }
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
    let pipeline = |source| ReportError::Pipeline {
        layer: spec.id.clone(),
        source: Box::new(source),
    };
    let registries = Registries::builtin().map_err(pipeline)?;
    let resolve = ResolveOptions {
        clustering: true,
        unattributed: Unattributed::Bucket,
    };
    let input = Input::Builtin(dataset.to_string());
    let out = powermap_pipeline::run(&input, &registries, resolve, opts, &mut |_| {})
        .map_err(pipeline)?;
    Ok(out.analyses)
}

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
    let window_spec = spec.window.clone();
    let mut analyzer = Analyzer::new(opts);
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
            if spec.network.as_ref().is_some_and(|n| &o.network != n) {
                continue;
            }
            let (entity, rule) = match &o.entity {
                Some(e) => (e.as_str(), Rule::Preattributed),
                None => (o.subject.as_str(), Rule::Unattributed),
            };
            analyzer.push(
                &o.network, o.layer, o.time, o.height, o.weight, entity, rule,
            );
        }
    }
    let provenance = Provenance {
        dataset: files.join(", "),
        window_spec,
        registry: format!(
            "none: entities as `{}` names them (docs/sources.md)",
            spec.source
        ),
        unattributed: "separate".into(),
    };
    analyzer
        .finish(provenance)
        .map_err(|source| ReportError::Pipeline {
            layer: spec.id.clone(),
            source: Box::new(source),
        })
}

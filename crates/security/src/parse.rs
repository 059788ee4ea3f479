//! Reading a security-models file: TOML → raw serde structs with spans → validated
//! [`FailureMode`]s. Errors carry the file, line, column and field.

use std::ops::Range;

use powermap_model::{line_column, Boundary, Layer, Located, Threshold};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::{FailureMode, Property, SecurityError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    model: Vec<Spanned<RawModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    network: Option<Spanned<Value>>,
    layer: Option<Spanned<String>>,
    failure_mode: Option<Spanned<String>>,
    threshold: Option<Spanned<Value>>,
    boundary: Option<Spanned<String>>,
    property: Option<Spanned<String>>,
    citation: Option<Spanned<String>>,
    why: Option<Spanned<String>>,
    assumption: Option<Spanned<String>>,
}

/// Parses `text`; `file` names it in errors and in each entry's `origin`.
pub(crate) fn parse(text: &str, file: &str) -> Result<Vec<FailureMode>, SecurityError> {
    let cx = Cx { text, file };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        cx.err(span, None, e.message().trim())
    })?;
    let mut out: Vec<FailureMode> = Vec::new();
    for (i, m) in raw.model.into_iter().enumerate() {
        for fm in cx.model(i + 1, m)? {
            if let Some(prev) = out
                .iter()
                .find(|p| p.network == fm.network && p.layer == fm.layer && p.id == fm.id)
            {
                return Err(SecurityError::Invalid(Located {
                    file: file.to_string(),
                    line: origin_line(&fm.origin),
                    column: 1,
                    field: Some(format!("model `{}`", fm.id)),
                    message: format!(
                        "duplicate (network `{}`, layer `{}`, failure_mode `{}`), first defined at {}",
                        fm.network, fm.layer, fm.id, prev.origin
                    ),
                }));
            }
            out.push(fm);
        }
    }
    Ok(out)
}

fn origin_line(origin: &str) -> usize {
    origin
        .rsplit(':')
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(1)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_network(s: &str) -> bool {
    s == "*"
        || (!s.is_empty()
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | ':' | '.')
            }))
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Cx<'_> {
    fn err(&self, span: Range<usize>, field: Option<String>, message: &str) -> SecurityError {
        Located::at(self.text, self.file, span.start, field, message).into()
    }

    fn model(&self, n: usize, m: Spanned<RawModel>) -> Result<Vec<FailureMode>, SecurityError> {
        let whole = m.span();
        let m = m.into_inner();
        let field = |name: &str| Some(format!("model #{n}, field `{name}`"));
        let missing = |name: &str| self.err(whole.clone(), field(name), "missing (required)");
        let text = |v: Option<Spanned<String>>, name: &str| -> Result<_, SecurityError> {
            let v = v.ok_or_else(|| missing(name))?;
            if v.get_ref().trim().is_empty() {
                return Err(self.err(v.span(), field(name), "must not be empty"));
            }
            Ok(v)
        };

        let network = m.network.ok_or_else(|| missing("network"))?;
        let networks: Vec<String> = match network.get_ref() {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) if !a.is_empty() => a
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    self.err(
                        network.span(),
                        field("network"),
                        "list items must be strings",
                    )
                })?,
            _ => {
                return Err(self.err(
                    network.span(),
                    field("network"),
                    "expected a network id, a non-empty list of ids, or \"*\"",
                ))
            }
        };
        if let Some(bad) = networks.iter().find(|s| !is_network(s)) {
            return Err(self.err(
                network.span(),
                field("network"),
                &format!("`{bad}` is not a network id (lowercase letters, digits, `_-:.`, or `*`)"),
            ));
        }

        let layer = text(m.layer, "layer")?;
        let layer_v: Layer = layer
            .get_ref()
            .parse()
            .map_err(|e: powermap_model::ModelError| {
                self.err(layer.span(), field("layer"), &e.to_string())
            })?;

        let id = text(m.failure_mode, "failure_mode")?;
        if !is_id(id.get_ref()) {
            return Err(self.err(
                id.span(),
                field("failure_mode"),
                "must be a snake_case id (lowercase letters, digits, `_`)",
            ));
        }

        let threshold = m.threshold.ok_or_else(|| missing("threshold"))?;
        let threshold_v: Threshold =
            match threshold.get_ref() {
                Value::String(s) => s.parse().map_err(|e: powermap_model::ModelError| {
                    self.err(
                        threshold.span(),
                        field("threshold"),
                        &format!("{e} (write \"1/3\", \"0.25\" or \"4%\")"),
                    )
                })?,
                _ => return Err(self.err(
                    threshold.span(),
                    field("threshold"),
                    "write the threshold as a string so it stays exact: \"1/3\", \"0.25\", \"4%\"",
                )),
            };

        let boundary = text(m.boundary, "boundary")?;
        let boundary_v: Boundary = match boundary.get_ref().as_str() {
            "at_least" => Boundary::AtLeast,
            "greater" => Boundary::Greater,
            other => {
                return Err(self.err(
                    boundary.span(),
                    field("boundary"),
                    &format!("unknown boundary `{other}` (expected at_least or greater)"),
                ))
            }
        };

        let property = text(m.property, "property")?;
        let property_v: Property = property
            .get_ref()
            .parse()
            .map_err(|e: String| self.err(property.span(), field("property"), &e))?;

        let citation = text(m.citation, "citation")?;
        if !citation.get_ref().starts_with("https://") && !citation.get_ref().starts_with("http://")
        {
            return Err(self.err(
                citation.span(),
                field("citation"),
                "must be the URL of the paper or specification (http:// or https://)",
            ));
        }
        let why = text(m.why, "why")?;
        let assumption = m.assumption.map(Spanned::into_inner);
        let (line, _) = line_column(self.text, whole.start);
        let origin = format!("{}:{line}", self.file);

        Ok(networks
            .into_iter()
            .map(|network| FailureMode {
                network,
                layer: layer_v,
                id: id.get_ref().clone(),
                threshold: threshold_v,
                boundary: boundary_v,
                property: property_v,
                citation: citation.get_ref().clone(),
                why: why.get_ref().clone(),
                assumption: assumption.clone(),
                origin: origin.clone(),
            })
            .collect())
    }
}

//! Reading a policy: TOML → raw serde structs with spans → validated [`Policy`].
//!
//! Serde (with `deny_unknown_fields`) catches syntax errors, unknown fields and wrong types;
//! the second pass checks values against the metric registry, the layer list, the
//! threshold syntax and the fields each kind allows. Both report the file, the line and
//! column (from toml's byte spans) and the field.

use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use powermap_metrics::Metric;
use powermap_model::{line_column, Boundary, Layer, Located, Threshold};
use powermap_windows::{Alignment, WindowSpec};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::{AnalysisDefaults, Constraint, Kind, Policy, PolicyError, Severity, Subject};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    policy: Option<RawMeta>,
    analysis: Option<RawAnalysis>,
    #[serde(default)]
    constraint: Vec<Spanned<RawConstraint>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalysis {
    window: Option<Spanned<String>>,
    align: Option<Spanned<String>>,
    clustering: Option<bool>,
    unattributed: Option<Spanned<String>>,
}

type Field = Option<Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstraint {
    id: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    network: Option<Spanned<String>>,
    layer: Option<Spanned<String>>,
    effective_from: Field,
    entity: Option<Spanned<String>>,
    metric: Option<Spanned<String>>,
    threshold: Field,
    boundary: Option<Spanned<String>>,
    min: Field,
    max: Field,
    all_windows: Option<Spanned<bool>>,
    max_rise: Field,
    days: Field,
    within_days: Field,
}

/// The fields each kind accepts besides the common ones.
const KIND_FIELDS: &[(&str, &[&str])] = &[
    ("max_share", &["max", "boundary", "entity", "all_windows"]),
    (
        "min_coalition",
        &["threshold", "min", "boundary", "all_windows"],
    ),
    ("metric", &["metric", "min", "max", "all_windows"]),
    ("max_drift", &["entity", "metric", "max_rise", "days"]),
    (
        "forecast",
        &["entity", "metric", "threshold", "within_days"],
    ),
];

impl Policy {
    /// Reads and validates the policy at `path`.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Policy::parse(&text, &path.display().to_string())
    }

    /// Parses and validates policy text; `file` names it in error messages.
    pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
        let cx = Cx { text, file };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| cx.toml_error(&e))?;
        let analysis = match raw.analysis {
            None => AnalysisDefaults::default(),
            Some(a) => cx.analysis(a)?,
        };
        if raw.constraint.is_empty() {
            return Err(cx.err(
                0..0,
                None,
                "a policy needs at least one [[constraint]] table",
            ));
        }
        let mut constraints: Vec<Constraint> = Vec::new();
        for (i, c) in raw.constraint.into_iter().enumerate() {
            let c = cx.constraint(i + 1, c)?;
            if let Some(prev) = constraints.iter().find(|p| p.id == c.id) {
                return Err(PolicyError::Invalid(Located {
                    file: file.to_string(),
                    line: c.line,
                    column: 1,
                    field: Some(format!("constraint #{} `{}`, field `id`", i + 1, c.id)),
                    message: format!("duplicate id (first used on line {})", prev.line),
                }));
            }
            constraints.push(c);
        }
        let (name, description) = raw.policy.map_or((None, None), |m| (m.name, m.description));
        Ok(Policy {
            file: file.to_string(),
            name,
            description,
            analysis,
            constraints,
        })
    }
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Cx<'_> {
    fn err(&self, span: Range<usize>, field: Option<String>, message: &str) -> PolicyError {
        Located::at(self.text, self.file, span.start, field, message).into()
    }

    /// A toml/serde error: its span gives the position; the key written on that line and
    /// the enclosing `[[constraint]]` give the field.
    fn toml_error(&self, e: &toml::de::Error) -> PolicyError {
        let span = e.span().unwrap_or(0..0);
        let (line, _) = line_column(self.text, span.start);
        let text_line = self.text.lines().nth(line - 1).unwrap_or("");
        let key = text_line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"'))
            .filter(|k| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        let table = self.text.lines().take(line).fold(None, |t, l| {
            let l = l.trim();
            if l.starts_with('[') {
                Some(l.to_string())
            } else {
                t
            }
        });
        let n_constraint = self
            .text
            .lines()
            .take(line)
            .filter(|l| l.trim().starts_with("[[constraint]]"))
            .count();
        let field = match (table.as_deref(), key) {
            (Some("[[constraint]]"), Some(k)) => {
                Some(format!("constraint #{n_constraint}, field `{k}`"))
            }
            (Some(t), Some(k)) => Some(format!(
                "field `{}.{k}`",
                t.trim_matches(|c| c == '[' || c == ']')
            )),
            (None, Some(k)) => Some(format!("field `{k}`")),
            (_, None) => None,
        };
        self.err(span, field, e.message().trim())
    }

    fn analysis(&self, a: RawAnalysis) -> Result<AnalysisDefaults, PolicyError> {
        let field = |k: &str| Some(format!("field `analysis.{k}`"));
        let window = match a.window {
            None => None,
            Some(w) => Some(w.get_ref().parse::<WindowSpec>().map_err(|e| {
                self.err(
                    w.span(),
                    field("window"),
                    &format!("{e} (expected e.g. `30d`, `30d/7d`, `month`, `1000blocks`, `all`)"),
                )
            })?),
        };
        let align = match a.align {
            None => None,
            Some(s) => Some(
                s.get_ref()
                    .parse::<Alignment>()
                    .map_err(|e| self.err(s.span(), field("align"), &e))?,
            ),
        };
        let unattributed = match a.unattributed {
            None => None,
            Some(s) => {
                let v = s.get_ref().as_str();
                if !["separate", "unknown", "exclude"].contains(&v) {
                    return Err(self.err(
                        s.span(),
                        field("unattributed"),
                        &format!("unknown mode `{v}` (expected separate, unknown or exclude)"),
                    ));
                }
                Some(v.to_string())
            }
        };
        Ok(AnalysisDefaults {
            window,
            align,
            clustering: a.clustering,
            unattributed,
        })
    }

    fn constraint(&self, n: usize, c: Spanned<RawConstraint>) -> Result<Constraint, PolicyError> {
        let whole = c.span();
        let (line, _) = line_column(self.text, whole.start);
        let c = c.into_inner();
        let id = match &c.id {
            Some(id) if !id.get_ref().trim().is_empty() => id.get_ref().trim().to_string(),
            Some(id) => {
                return Err(self.err(
                    id.span(),
                    Some(format!("constraint #{n}, field `id`")),
                    "must not be empty",
                ))
            }
            None => {
                return Err(self.err(
                    whole,
                    Some(format!("constraint #{n}, field `id`")),
                    "missing: every constraint needs a unique `id`",
                ))
            }
        };
        let f = |k: &str| Some(format!("constraint #{n} `{id}`, field `{k}`"));
        let missing =
            |k: &str, what: &str| self.err(whole.clone(), f(k), &format!("missing: {what}"));
        let kinds = KIND_FIELDS
            .iter()
            .map(|(k, _)| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let kind = c
            .kind
            .as_ref()
            .ok_or_else(|| missing("kind", &format!("one of {kinds}")))?;
        let Some((kind_id, allowed)) = KIND_FIELDS.iter().find(|(k, _)| k == kind.get_ref()) else {
            return Err(self.err(
                kind.span(),
                f("kind"),
                &format!("unknown kind `{}` (expected {kinds})", kind.get_ref()),
            ));
        };
        // Fields that belong to another kind are mistakes, not silently ignored.
        for (name, span) in c.kind_fields() {
            if let Some(span) = span {
                if !allowed.contains(&name) {
                    return Err(self.err(
                        span,
                        f(name),
                        &format!(
                            "not a field of kind `{kind_id}` (its fields: {})",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
        }
        let severity = match &c.severity {
            None => return Err(missing("severity", "`warn` or `fail`")),
            Some(s) => match s.get_ref().as_str() {
                "warn" => Severity::Warn,
                "fail" => Severity::Fail,
                other => {
                    return Err(self.err(
                        s.span(),
                        f("severity"),
                        &format!("unknown severity `{other}` (expected `warn` or `fail`)"),
                    ))
                }
            },
        };
        let layer = match &c.layer {
            None => None,
            Some(l) => Some(l.get_ref().parse::<Layer>().map_err(|e| {
                let all: Vec<_> = Layer::ALL.iter().map(|l| l.id()).collect();
                self.err(
                    l.span(),
                    f("layer"),
                    &format!("{e} (expected one of {})", all.join(", ")),
                )
            })?),
        };
        let effective_from = match &c.effective_from {
            None => None,
            Some(v) => Some(self.date(v, f("effective_from"))?),
        };
        let threshold = |v: &Spanned<Value>, k: &str| self.threshold(v, f(k));
        let boundary = |default: Boundary| -> Result<Boundary, PolicyError> {
            match &c.boundary {
                None => Ok(default),
                Some(b) => b
                    .get_ref()
                    .parse::<Boundary>()
                    .map_err(|e| self.err(b.span(), f("boundary"), &e)),
            }
        };
        let all_windows = c.all_windows.as_ref().is_some_and(|b| *b.get_ref());
        let metric = |m: &Spanned<String>| {
            Metric::parse(m.get_ref()).map_err(|e| self.err(m.span(), f("metric"), &e.to_string()))
        };
        let subject = || -> Result<Subject, PolicyError> {
            match (&c.entity, &c.metric) {
                (Some(e), Some(_)) => Err(self.err(
                    e.span(),
                    f("entity"),
                    "give either `entity` or `metric`, not both",
                )),
                (Some(e), None) => Ok(Subject::Entity(e.get_ref().clone())),
                (None, Some(m)) => Ok(Subject::Metric(metric(m)?)),
                (None, None) => Ok(Subject::TopShare),
            }
        };
        let kind = match *kind_id {
            "max_share" => Kind::MaxShare {
                max: threshold(
                    c.max
                        .as_ref()
                        .ok_or_else(|| missing("max", "the largest allowed share, e.g. \"1/3\""))?,
                    "max",
                )?,
                boundary: boundary(Boundary::Greater)?,
                entity: c.entity.as_ref().map(|e| e.get_ref().clone()),
                all_windows,
            },
            "min_coalition" => Kind::MinCoalition {
                threshold: threshold(
                    c.threshold
                        .as_ref()
                        .ok_or_else(|| missing("threshold", "the share, e.g. \"1/2\""))?,
                    "threshold",
                )?,
                boundary: boundary(Boundary::AtLeast)?,
                min: {
                    let v = c
                        .min
                        .as_ref()
                        .ok_or_else(|| missing("min", "the fewest entities allowed, e.g. 4"))?;
                    self.integer(v, f("min"), 1)?
                },
                all_windows,
            },
            "metric" => {
                let m = c
                    .metric
                    .as_ref()
                    .ok_or_else(|| missing("metric", "a metric id such as `hhi` or `gini`"))?;
                let min = c
                    .min
                    .as_ref()
                    .map(|v| self.number(v, f("min")))
                    .transpose()?;
                let max = c
                    .max
                    .as_ref()
                    .map(|v| self.number(v, f("max")))
                    .transpose()?;
                if min.is_none() && max.is_none() {
                    return Err(missing("min", "`min`, `max` or both"));
                }
                if let (Some(lo), Some(hi), Some(v)) = (min, max, &c.max) {
                    if lo > hi {
                        return Err(self.err(
                            v.span(),
                            f("max"),
                            &format!("max {hi} is below min {lo}"),
                        ));
                    }
                }
                Kind::Metric {
                    metric: metric(m)?,
                    min,
                    max,
                    all_windows,
                }
            }
            "max_drift" => {
                let v = c.max_rise.as_ref().ok_or_else(|| {
                    missing("max_rise", "the largest allowed rise, e.g. 5 (points)")
                })?;
                let max_rise = self.number(v, f("max_rise"))?;
                if max_rise < 0.0 {
                    return Err(self.err(v.span(), f("max_rise"), "must be ≥ 0"));
                }
                let days = c
                    .days
                    .as_ref()
                    .ok_or_else(|| missing("days", "the look-back period, e.g. 90"))?;
                Kind::MaxDrift {
                    subject: subject()?,
                    max_rise,
                    days: self.integer(days, f("days"), 1)? as u32,
                }
            }
            _ => {
                let days = c
                    .within_days
                    .as_ref()
                    .ok_or_else(|| missing("within_days", "the horizon, e.g. 180"))?;
                Kind::Forecast {
                    subject: subject()?,
                    threshold: threshold(
                        c.threshold
                            .as_ref()
                            .ok_or_else(|| missing("threshold", "the share, e.g. \"1/3\""))?,
                        "threshold",
                    )?,
                    within_days: self.integer(days, f("within_days"), 1)? as u32,
                }
            }
        };
        Ok(Constraint {
            description: c
                .description
                .as_ref()
                .map_or_else(|| kind.limit(), |d| d.get_ref().clone()),
            id,
            severity,
            network: c.network.as_ref().map(|n| n.get_ref().clone()),
            layer,
            effective_from,
            line,
            kind,
        })
    }

    fn threshold(
        &self,
        v: &Spanned<Value>,
        field: Option<String>,
    ) -> Result<Threshold, PolicyError> {
        let text = match v.get_ref() {
            Value::String(s) => s.clone(),
            Value::Float(x) => x.to_string(),
            Value::Integer(i) => i.to_string(),
            other => {
                return Err(self.err(
                    v.span(),
                    field,
                    &format!(
                        "expected a share such as \"1/3\", 0.33 or \"33%\", found {}",
                        other.type_str()
                    ),
                ))
            }
        };
        text.parse::<Threshold>().map_err(|_| {
            self.err(
                v.span(),
                field,
                &format!("`{text}` is not a share in (0, 1] (write \"1/3\", 0.33 or \"33%\")"),
            )
        })
    }

    fn number(&self, v: &Spanned<Value>, field: Option<String>) -> Result<f64, PolicyError> {
        match v.get_ref() {
            Value::Float(x) if x.is_finite() => Ok(*x),
            Value::Integer(i) => Ok(*i as f64),
            other => Err(self.err(
                v.span(),
                field,
                &format!("expected a finite number, found {}", other.type_str()),
            )),
        }
    }

    fn integer(
        &self,
        v: &Spanned<Value>,
        field: Option<String>,
        min: i64,
    ) -> Result<u64, PolicyError> {
        match v.get_ref() {
            Value::Integer(i) if *i >= min && *i <= u32::MAX as i64 => Ok(*i as u64),
            Value::Integer(i) => Err(self.err(v.span(), field, &format!("{i} is below {min}"))),
            other => Err(self.err(
                v.span(),
                field,
                &format!("expected a whole number, found {}", other.type_str()),
            )),
        }
    }

    fn date(&self, v: &Spanned<Value>, field: Option<String>) -> Result<NaiveDate, PolicyError> {
        let text = match v.get_ref() {
            Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
            Value::String(s) => s.clone(),
            _ => String::new(),
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            self.err(
                v.span(),
                field,
                "expected a date such as 2027-01-01 (a TOML date or a \"YYYY-MM-DD\" string)",
            )
        })
    }
}

impl RawConstraint {
    /// Kind-specific fields and where they are, for the "not a field of kind" check.
    fn kind_fields(&self) -> [(&'static str, Option<Range<usize>>); 10] {
        fn s<T>(f: &Option<Spanned<T>>) -> Option<Range<usize>> {
            f.as_ref().map(Spanned::span)
        }
        [
            ("entity", s(&self.entity)),
            ("metric", s(&self.metric)),
            ("threshold", s(&self.threshold)),
            ("boundary", s(&self.boundary)),
            ("min", s(&self.min)),
            ("max", s(&self.max)),
            ("all_windows", s(&self.all_windows)),
            ("max_rise", s(&self.max_rise)),
            ("days", s(&self.days)),
            ("within_days", s(&self.within_days)),
        ]
    }
}

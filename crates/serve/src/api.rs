//! Handlers of the HTTP JSON API, `/metrics`, `/healthz` and the dashboard.
//! Every route is listed in [`routes`] and described in `docs/openapi.json`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use powermap_metrics::Metric;
use powermap_model::{Analysis, Boundary, Threshold};
use powermap_policy::Kind;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{error, Table};
use crate::{ServeConfig, Service};

/// The dashboard page and its script, embedded in the binary.
const INDEX_HTML: &str = include_str!("../assets/index.html");
const DASHBOARD_JS: &str = include_str!("../assets/dashboard.js");

/// The longest silence accepted.
const MAX_SILENCE: Duration = Duration::from_secs(90 * 24 * 3600);

pub(crate) fn routes() -> Table {
    Table::new()
        .get("/", index)
        .get("/dashboard.js", script)
        .get("/healthz", healthz)
        .get("/metrics", metrics)
        .get("/api/v1/networks", networks)
        .get("/api/v1/networks/{network}/layers", layers)
        .get("/api/v1/series", series)
        .get("/api/v1/shares", shares)
        .get("/api/v1/findings", findings)
        .get("/api/v1/alerts", alerts)
        .get("/api/v1/sources", sources)
        .admin_post("/api/v1/admin/reload", reload)
        .admin_post("/api/v1/admin/silence", silence)
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        DASHBOARD_JS,
    )
        .into_response()
}

async fn healthz(State(s): State<Service>) -> Response {
    let snap = s.snapshot();
    let Some(updated) = snap.updated_at else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "starting", "updated_at": null, "analyses": 0, "sources": snap.sources})),
        )
            .into_response();
    };
    let degraded = snap.sources.iter().any(|s| s.last_error.is_some());
    Json(json!({
        "status": if degraded { "degraded" } else { "ok" },
        "updated_at": updated,
        "analyses": snap.analyses.len(),
        "sources": snap.sources,
    }))
    .into_response()
}

async fn metrics(State(s): State<Service>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics_text(),
    )
        .into_response()
}

async fn networks(State(s): State<Service>) -> Json<Value> {
    let snap = s.snapshot();
    let list: Vec<Value> = snap
        .networks()
        .into_iter()
        .map(|n| {
            let layers: Vec<&str> = snap
                .analyses
                .iter()
                .filter(|a| a.network == n)
                .map(|a| a.layer.id())
                .collect();
            json!({"network": n, "layers": layers})
        })
        .collect();
    Json(json!({ "networks": list }))
}

async fn layers(State(s): State<Service>, Path(network): Path<String>) -> Response {
    let snap = s.snapshot();
    let list: Vec<Value> = snap
        .analyses
        .iter()
        .filter(|a| a.network == network)
        .map(|a| {
            json!({
                "layer": a.layer.id(),
                "windows": a.windows.len(),
                "first_day": a.windows.first().map(|w| w.window.start),
                "last_day": a.windows.last().map(|w| w.window.end),
                "metrics": a.metrics,
                "clustering": a.clustering,
                "provenance": a.provenance,
            })
        })
        .collect();
    if list.is_empty() {
        return error(StatusCode::NOT_FOUND, format!("no network `{network}`"));
    }
    Json(json!({"network": network, "layers": list})).into_response()
}

#[derive(Debug, Deserialize)]
struct SeriesQuery {
    network: Option<String>,
    layer: Option<String>,
    metric: Option<String>,
}

/// The analysis named by `network` and `layer` query parameters, or the error response.
#[allow(clippy::result_large_err)] // the error is the response itself, built once
fn find<'a>(
    snap: &'a crate::Snapshot,
    network: &Option<String>,
    layer: &Option<String>,
) -> Result<&'a Analysis, Response> {
    let (Some(network), Some(layer)) = (network, layer) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "query parameters `network` and `layer` are required",
        ));
    };
    snap.analysis(network, layer).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format!("no analysis for network `{network}`, layer `{layer}`"),
        )
    })
}

async fn series(State(s): State<Service>, Query(q): Query<SeriesQuery>) -> Response {
    let snap = s.snapshot();
    let a = match find(&snap, &q.network, &q.layer) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(metric) = q.metric.as_deref() else {
        return error(
            StatusCode::BAD_REQUEST,
            "query parameter `metric` is required (a metric id such as `hhi`, or `top_share`)",
        );
    };
    let values: Vec<Option<f64>> = if metric == "top_share" {
        a.windows
            .iter()
            .map(|w| (!w.distribution.is_empty()).then(|| w.distribution.share(0)))
            .collect()
    } else {
        let Some(i) = a.metric_index(metric) else {
            return error(
                StatusCode::NOT_FOUND,
                format!(
                    "metric `{metric}` is not computed here; available: top_share, {}",
                    a.metrics.join(", ")
                ),
            );
        };
        a.windows.iter().map(|w| w.values[i].as_f64()).collect()
    };
    let points: Vec<Value> = a
        .windows
        .iter()
        .zip(values)
        .map(|(w, v)| {
            json!({
                "start": w.window.start,
                "end": w.window.end,
                "date": w.window.representative,
                "value": v,
            })
        })
        .collect();
    let description = if metric == "top_share" {
        "share of the largest entity".to_string()
    } else {
        Metric::parse(metric)
            .map(|m| m.describe().to_string())
            .unwrap_or_default()
    };
    Json(json!({
        "network": a.network,
        "layer": a.layer.id(),
        "metric": metric,
        "description": description,
        "points": points,
        "thresholds": thresholds(&snap, a, metric),
    }))
    .into_response()
}

/// Reference lines for a chart: the decisive shares for `top_share`, the merger-guideline
/// bands for HHI, and every limit the policy sets on this metric for this layer.
fn thresholds(snap: &crate::Snapshot, a: &Analysis, metric: &str) -> Vec<Value> {
    let mut out = Vec::new();
    match metric {
        "top_share" => {
            out.push(json!({"value": 1.0 / 3.0, "label": "1/3"}));
            out.push(json!({"value": 0.5, "label": "1/2"}));
        }
        "hhi" => {
            out.push(json!({"value": 1500.0, "label": "moderately concentrated"}));
            out.push(json!({"value": 2500.0, "label": "highly concentrated"}));
        }
        _ => {}
    }
    for c in &snap.constraints {
        if c.network.as_deref().is_some_and(|n| n != a.network)
            || c.layer.is_some_and(|l| l != a.layer)
        {
            continue;
        }
        let label = format!("{} ({})", c.id, c.kind.limit());
        match &c.kind {
            Kind::Metric {
                metric: m,
                min,
                max,
                ..
            } if m.id() == metric => {
                for v in [min, max].into_iter().flatten() {
                    out.push(json!({"value": v, "label": label}));
                }
            }
            Kind::MinCoalition {
                threshold,
                boundary,
                min,
                ..
            } if nakamoto_id(*threshold, *boundary) == metric => {
                out.push(json!({"value": *min as f64, "label": label}));
            }
            Kind::MaxShare {
                max, entity: None, ..
            } if metric == "top_share" => {
                out.push(json!({"value": max.as_f64(), "label": label}));
            }
            _ => {}
        }
    }
    // One line per value: limits at the same level share it, labels joined.
    let mut merged: Vec<Value> = Vec::new();
    for t in out {
        let same = merged.iter_mut().find(|m| {
            (m["value"].as_f64().unwrap_or(f64::NAN) - t["value"].as_f64().unwrap_or(0.0)).abs()
                < 1e-12
        });
        match same {
            Some(m) => {
                let label = format!(
                    "{} · {}",
                    m["label"].as_str().unwrap_or(""),
                    t["label"].as_str().unwrap_or("")
                );
                m["label"] = Value::String(label);
            }
            None => merged.push(t),
        }
    }
    merged
}

fn nakamoto_id(threshold: Threshold, boundary: Boundary) -> String {
    Metric::Nakamoto {
        threshold,
        boundary,
    }
    .id()
}

#[derive(Debug, Deserialize)]
struct SharesQuery {
    network: Option<String>,
    layer: Option<String>,
    limit: Option<usize>,
}

async fn shares(State(s): State<Service>, Query(q): Query<SharesQuery>) -> Response {
    let snap = s.snapshot();
    let a = match find(&snap, &q.network, &q.layer) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(w) = a.windows.last() else {
        return error(StatusCode::NOT_FOUND, "the analysis has no windows yet");
    };
    let d = &w.distribution;
    let limit = q.limit.unwrap_or(100).min(10_000);
    let entities: Vec<Value> = d
        .producers()
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, e)| {
            let (lo, hi) = powermap_render::share_interval(d, i).unzip();
            json!({"name": e.name, "weight": e.weight, "share": d.share(i), "lo": lo, "hi": hi})
        })
        .collect();
    Json(json!({
        "network": a.network,
        "layer": a.layer.id(),
        "window": {"start": w.window.start, "end": w.window.end},
        "total": d.total(),
        "entities_total": d.producers().len(),
        "interval": if d.is_integral() { "wilson 95%" } else { "none (weights are not counts)" },
        "entities": entities,
    }))
    .into_response()
}

async fn findings(State(s): State<Service>) -> Json<Value> {
    let snap = s.snapshot();
    let (policy, constraints) = match &snap.report {
        Some(r) => (
            Some(r.policy.clone()),
            serde_json::to_value(&r.results).unwrap_or_default(),
        ),
        None => (None, json!([])),
    };
    Json(json!({
        "updated_at": snap.updated_at,
        "findings": snap.findings,
        "policy": policy,
        "constraints": constraints,
    }))
}

async fn alerts(State(s): State<Service>) -> Json<Value> {
    let now = Utc::now();
    let engine = s.engine();
    Json(json!({
        "alerts": engine.firing(now),
        "silences": engine.silences(now),
        "history": engine.history(50),
    }))
}

async fn sources(State(s): State<Service>) -> Json<Value> {
    Json(json!({ "sources": s.snapshot().sources }))
}

async fn reload(State(s): State<Service>) -> Response {
    s.request_reload();
    (
        StatusCode::ACCEPTED,
        Json(json!({"status": "reload requested"})),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SilenceRequest {
    matchers: BTreeMap<String, String>,
    duration_seconds: u64,
    #[serde(default)]
    comment: String,
}

async fn silence(
    State(s): State<Service>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return error(e.status(), e.body_text()),
    };
    let req: SilenceRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad silence: {e}")),
    };
    if req.matchers.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "a silence needs at least one matcher (e.g. {\"alertname\": \"…\"})",
        );
    }
    let duration = Duration::from_secs(req.duration_seconds);
    if duration.is_zero() || duration > MAX_SILENCE {
        return error(
            StatusCode::BAD_REQUEST,
            "duration_seconds must be between 1 and 7776000 (90 days)",
        );
    }
    let silence = s
        .engine()
        .silence(req.matchers, duration, req.comment, Utc::now());
    tracing::info!(id = %silence.id, ends_at = %silence.ends_at, "silence added");
    (StatusCode::CREATED, Json(json!({ "silence": silence }))).into_response()
}

impl Service {
    /// The router: API, `/metrics`, `/healthz` and the dashboard, with logging, rate limit,
    /// body limit and bearer-token admin routes.
    pub fn router(&self, config: &ServeConfig) -> axum::Router {
        routes().into_router(self.clone(), config)
    }
}

//! The API against `docs/openapi.json`: every documented path is routed and answers each
//! documented status with the documented top-level JSON shape, and every routed path is
//! documented. Plus auth, body and rate limits on a real socket.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use powermap_serve::{RateLimit, ServeConfig, Service};
use serde_json::Value;
use tower::ServiceExt;

use crate::util::{builtin_snapshot, repo};

const TOKEN: &str = "test-token-123";

fn spec() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("docs/openapi.json")).unwrap())
        .unwrap()
}

fn config(token: Option<&str>) -> ServeConfig {
    ServeConfig {
        admin_token: token.map(String::from),
        body_limit: 4096,
        rate_limit: None,
    }
}

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, ct, body)
}

/// Resolves `$ref`s into `components/schemas`.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn type_ok(v: &Value, schema: &Value) -> bool {
    if v.is_null() {
        return schema["nullable"] == true;
    }
    match schema["type"].as_str() {
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("string") => v.is_string(),
        Some("integer") => v.is_u64() || v.is_i64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        _ => true,
    }
}

/// The top-level shape: required properties present, every documented property typed as
/// documented; the first element of an array property checked one level down.
fn check_shape(spec: &Value, body: &Value, schema: &Value, what: &str) {
    let schema = resolve(spec, schema);
    assert!(type_ok(body, schema), "{what}: {body} is not {schema}");
    for req in schema["required"].as_array().into_iter().flatten() {
        let k = req.as_str().unwrap();
        assert!(body.get(k).is_some(), "{what}: missing `{k}` in {body}");
    }
    for (k, prop) in schema["properties"].as_object().into_iter().flatten() {
        let Some(v) = body.get(k) else { continue };
        let prop = resolve(spec, prop);
        assert!(type_ok(v, prop), "{what}: `{k}` = {v} is not {prop}");
        if let (Some(first), Some(items)) =
            (v.as_array().and_then(|a| a.first()), prop.get("items"))
        {
            let items = resolve(spec, items);
            assert!(
                type_ok(first, items),
                "{what}: `{k}[0]` = {first} is not {items}"
            );
            for req in items["required"].as_array().into_iter().flatten() {
                let r = req.as_str().unwrap();
                assert!(
                    first.get(r).is_some(),
                    "{what}: `{k}[0]` lacks `{r}`: {first}"
                );
            }
        }
    }
}

/// A request for `path` (examples filled in) that should answer `status`, or `None` when
/// this test cannot provoke that status (429 and 503 are covered by other tests).
fn request_for(
    spec: &Value,
    method: &str,
    path: &str,
    op: &Value,
    status: u16,
) -> Option<Request<Body>> {
    let mut url = path.to_string();
    let mut query = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap();
        let example = p["example"].as_str().map(String::from);
        match p["in"].as_str().unwrap() {
            "path" => {
                let v = if status == 404 {
                    "nowhere".to_string()
                } else {
                    example.unwrap()
                };
                url = url.replace(&format!("{{{name}}}"), &v);
            }
            "query" if p["required"] == true => {
                if status == 400 && name == "network" {
                    continue; // a missing required parameter
                }
                let v = if status == 404 && name == "network" {
                    "nowhere".to_string()
                } else {
                    example.unwrap()
                };
                query.push(format!("{name}={v}"));
            }
            _ => {}
        }
    }
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let mut b = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(&url);
    let secured = op.get("security").is_some();
    match status {
        401 | 403 => {}
        429 | 503 => return None,
        _ if secured => b = b.header(header::AUTHORIZATION, format!("Bearer {TOKEN}")),
        _ => {}
    }
    let body = match op["requestBody"]["content"]["application/json"]["example"].clone() {
        Value::Null => Body::empty(),
        example => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            match status {
                400 => Body::from(r#"{"matchers": {}, "duration_seconds": 60}"#),
                413 => Body::from(format!(r#"{{"comment": "{}"}}"#, "x".repeat(10_000))),
                _ => Body::from(example.to_string()),
            }
        }
    };
    if status == 413 && op.get("requestBody").is_none() {
        return None;
    }
    let _ = spec;
    Some(b.body(body).unwrap())
}

#[tokio::test]
async fn implementation_matches_openapi() {
    let spec = spec();
    let service = Service::with_snapshot(builtin_snapshot());
    let router = service.router(&config(Some(TOKEN)));
    // Admin endpoints answer 403 when no token is configured.
    let tokenless = service.router(&config(None));
    let mut documented = BTreeSet::new();
    let mut checked = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            documented.insert((method.clone(), path.clone()));
            for (status, response) in op["responses"].as_object().unwrap() {
                let code: u16 = status.parse().unwrap();
                let Some(req) = request_for(&spec, method, path, op, code) else {
                    continue;
                };
                let what = format!("{method} {} → {code}", req.uri());
                let r = if code == 403 { &tokenless } else { &router };
                let (got, ct, body) = call(r, req).await;
                assert_eq!(
                    got.as_u16(),
                    code,
                    "{what}: {}",
                    String::from_utf8_lossy(&body)
                );
                let (media, content) = response["content"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .next()
                    .unwrap();
                assert!(
                    ct.starts_with(media.as_str()),
                    "{what}: content type {ct}, documented {media}"
                );
                if media == "application/json" {
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    check_shape(&spec, &v, &content["schema"], &what);
                } else {
                    assert!(!body.is_empty(), "{what}: empty body");
                }
                checked += 1;
            }
        }
    }
    let routed: BTreeSet<(String, String)> = powermap_serve::routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routed, documented, "routed vs documented paths");
    assert!(checked >= 24, "only {checked} responses checked");
    // Undocumented paths are 404 (with a JSON error), wrong methods 405.
    let (s, _, _) = call(
        &router,
        Request::get("/api/v1/nothing").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = call(
        &router,
        Request::post("/api/v1/networks")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn api_answers_with_the_builtin_data() {
    let service = Service::with_snapshot(builtin_snapshot());
    let router = service.router(&config(None));
    let get = |url: &str| Request::get(url).body(Body::empty()).unwrap();
    let json = |b: Vec<u8>| serde_json::from_slice::<Value>(&b).unwrap();

    let (_, _, b) = call(&router, get("/api/v1/networks")).await;
    assert_eq!(json(b)["networks"][0]["layers"][0], "consensus");
    let (_, _, b) = call(
        &router,
        get("/api/v1/shares?network=bitcoin&layer=consensus&limit=3"),
    )
    .await;
    let v = json(b);
    assert_eq!(v["entities"].as_array().unwrap().len(), 3);
    assert_eq!(v["entities"][0]["name"], "Foundry USA");
    let (share, lo, hi) = (
        v["entities"][0]["share"].as_f64().unwrap(),
        v["entities"][0]["lo"].as_f64().unwrap(),
        v["entities"][0]["hi"].as_f64().unwrap(),
    );
    assert!(
        lo < share && share < hi && hi - lo < 0.05,
        "{lo} {share} {hi}"
    );
    let (_, _, b) = call(
        &router,
        get("/api/v1/series?network=bitcoin&layer=consensus&metric=nakamoto_coefficient"),
    )
    .await;
    let v = json(b);
    assert!(v["points"].as_array().unwrap().len() >= 60);
    // The policy's "majority needs four owners" becomes a threshold line at 4.
    assert!(
        v["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["value"] == 4.0),
        "{v}"
    );
    let (_, _, b) = call(
        &router,
        get("/api/v1/series?network=bitcoin&layer=consensus&metric=top_share"),
    )
    .await;
    let v = json(b);
    assert!(v["thresholds"].as_array().unwrap().len() >= 2);
    let (s, _, b) = call(
        &router,
        get("/api/v1/series?network=bitcoin&layer=consensus&metric=nope"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(json(b)["error"].as_str().unwrap().contains("hhi"));
    let (_, _, b) = call(&router, get("/api/v1/findings")).await;
    let v = json(b);
    assert_eq!(v["policy"], "bitcoin-consensus");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "constraint"));
    // Admin endpoints are disabled without a token.
    let (s, _, _) = call(
        &router,
        Request::post("/api/v1/admin/reload")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn auth_body_and_rate_limits_on_a_real_socket() {
    let service = Service::with_snapshot(builtin_snapshot());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = ServeConfig {
        admin_token: Some(TOKEN.into()),
        body_limit: 1024,
        rate_limit: Some(RateLimit {
            per_second: 1.0,
            burst: 5.0,
        }),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let svc = service.clone();
    let server = tokio::spawn(powermap_serve::serve(listener, svc, cfg, async {
        let _ = stop_rx.await;
    }));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let send = |method: &str, path: &str, token: Option<&str>, body: String| {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = b
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .unwrap();
        let client = client.clone();
        async move {
            let res = tokio::time::timeout(Duration::from_secs(10), client.request(req))
                .await
                .unwrap()
                .unwrap();
            let s = res.status();
            let h = res.headers().clone();
            let _ = res.into_body().collect().await;
            (s, h)
        }
    };
    // Wrong token: 401 with a challenge; right token: 202, and the service hears it.
    let (s, h) = send("POST", "/api/v1/admin/reload", Some("wrong"), String::new()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
    let waiter = {
        let svc = service.clone();
        tokio::spawn(async move { svc.reload_requested().await })
    };
    tokio::task::yield_now().await;
    let (s, _) = send("POST", "/api/v1/admin/reload", Some(TOKEN), String::new()).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    // Too large a body: 413.
    let (s, _) = send(
        "POST",
        "/api/v1/admin/silence",
        Some(TOKEN),
        format!(r#"{{"comment":"{}"}}"#, "x".repeat(5000)),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Burst of 5 used up (3 above + this one + one more), then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..5 {
        let (s, h) = send("GET", "/healthz", None, String::new()).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(h);
            break;
        }
    }
    let h = limited.expect("rate limited within the burst");
    assert!(
        h[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn healthz_is_503_until_the_first_analysis() {
    let service = Service::with_snapshot(powermap_serve::Snapshot::default());
    let router = service.router(&config(None));
    let (s, _, b) = call(
        &router,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["status"], "starting");
}

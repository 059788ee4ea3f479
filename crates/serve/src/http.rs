//! HTTP plumbing: a route table that remembers its paths (so the OpenAPI test can compare),
//! bearer-token auth, per-IP token-bucket rate limiting and structured request logs.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::Service;

/// How the HTTP server behaves.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Bearer token of the admin endpoints; `None` disables them (403).
    pub admin_token: Option<String>,
    /// Largest request body accepted (bytes); larger ones get 413.
    pub body_limit: usize,
    /// Per-client-IP token bucket; `None` disables rate limiting.
    pub rate_limit: Option<RateLimit>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            admin_token: None,
            body_limit: 64 * 1024,
            rate_limit: Some(RateLimit {
                per_second: 50.0,
                burst: 200.0,
            }),
        }
    }
}

/// A JSON error body `{"error": "…"}` with a status.
pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// Routes and the `(method, path)` of each, public and admin (bearer token) apart.
pub(crate) struct Table {
    public: Router<Service>,
    admin: Router<Service>,
    paths: Vec<(&'static str, &'static str)>,
}

impl Table {
    pub(crate) fn new() -> Table {
        Table {
            public: Router::new(),
            admin: Router::new(),
            paths: Vec::new(),
        }
    }

    pub(crate) fn get<H, T>(mut self, path: &'static str, h: H) -> Table
    where
        H: Handler<T, Service>,
        T: 'static,
    {
        self.public = self.public.route(path, get(h));
        self.paths.push(("get", path));
        self
    }

    pub(crate) fn admin_post<H, T>(mut self, path: &'static str, h: H) -> Table
    where
        H: Handler<T, Service>,
        T: 'static,
    {
        self.admin = self.admin.route(path, post(h));
        self.paths.push(("post", path));
        self
    }

    pub(crate) fn paths(&self) -> Vec<(&'static str, &'static str)> {
        self.paths.clone()
    }

    pub(crate) fn into_router(self, service: Service, config: &ServeConfig) -> Router {
        let token = Arc::new(config.admin_token.clone());
        let admin = self
            .admin
            .route_layer(middleware::from_fn_with_state(token, require_token));
        let mut router = self
            .public
            .merge(admin)
            .fallback(|| async { error(StatusCode::NOT_FOUND, "no such route") })
            .layer(DefaultBodyLimit::max(config.body_limit));
        if let Some(limit) = config.rate_limit {
            let limiter = Arc::new(Limiter::new(limit));
            router = router.layer(middleware::from_fn_with_state(limiter, rate_limit));
        }
        router.layer(middleware::from_fn(log)).with_state(service)
    }
}

/// Equal-length byte strings compared in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(
    State(token): State<Arc<Option<String>>>,
    req: Request,
    next: Next,
) -> Response {
    let Some(expected) = token.as_deref() else {
        return error(
            StatusCode::FORBIDDEN,
            "admin endpoints are disabled: no token is configured ([server] token_file or POWERMAP_TOKEN)",
        );
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => next.run(req).await,
        _ => {
            let mut r = error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            r
        }
    }
}

/// Per-client rate: a token bucket of `burst` tokens refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second per client IP.
    pub per_second: f64,
    /// Requests a client may send at once.
    pub burst: f64,
}

struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Buckets kept before full ones are dropped.
const MAX_BUCKETS: usize = 10_000;

impl Limiter {
    fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`; `Err(seconds)` until the next one when the bucket is empty.
    fn take(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        let mut buckets = crate::alerts::lock(&self.buckets);
        let RateLimit { per_second, burst } = self.limit;
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&ip) {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - *tokens) / per_second)
        }
    }
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

async fn rate_limit(State(limiter): State<Arc<Limiter>>, req: Request, next: Next) -> Response {
    match limiter.take(client_ip(&req), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            let secs = wait.ceil().max(1.0) as u64;
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
    }
}

/// One structured log line per request (JSON when the subscriber formats JSON).
async fn log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let client = client_ip(&req);
    let res = next.run(req).await;
    tracing::info!(
        target: "powermap::http",
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        client = %client,
        "request"
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret!"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn bucket_allows_a_burst_then_refills() {
        let l = Limiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.take(ip, t).is_ok());
        }
        let wait = l.take(ip, t).unwrap_err();
        assert!((wait - 0.1).abs() < 1e-9, "{wait}");
        assert!(l
            .take(ip, t + std::time::Duration::from_millis(100))
            .is_ok());
        // Another client has its own bucket.
        assert!(l.take(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), t).is_ok());
    }
}

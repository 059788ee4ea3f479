//! A small blocking HTTP(S) client for node APIs: timeouts, retries with exponential backoff
//! on transient errors (connection failures, HTTP 429 and 5xx without a JSON-RPC error body).
//!
//! TLS, trust anchors and credentials come from `powermap-net`. URLs in errors are redacted
//! to scheme, host and port ([`powermap_net::redact_url`]): hosted endpoints carry API keys in
//! the path or query, and credentials never appear in an error or a log.

use std::path::Path;
use std::time::Duration;

use powermap_net::{redact_url, Auth};
use serde_json::{json, Value};

use crate::error::{FollowError, Result};

/// HTTP settings of one source.
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    base: String,
    auth: Option<Auth>,
    retries: u32,
    backoff: Duration,
    next_id: u64,
}

impl HttpClient {
    /// A client of `base` (e.g. `http://127.0.0.1:8332` or `https://rpc.example/KEY`), with
    /// per-request `timeout`, `retries` extra attempts on transient errors (first wait
    /// `backoff`, doubling), optional credentials, and for `https://` the CA certificates of
    /// `ca_file` (default: the system's store).
    pub fn new(
        base: &str,
        timeout: Duration,
        retries: u32,
        backoff: Duration,
        auth: Option<Auth>,
        ca_file: Option<&Path>,
    ) -> Result<Self> {
        let agent = powermap_net::agent(timeout, ca_file)
            .map_err(|e| FollowError::Config(format!("{}: {e}", redact_url(base))))?;
        Ok(HttpClient {
            agent,
            base: base.trim_end_matches('/').to_string(),
            auth,
            retries,
            backoff,
            next_id: 0,
        })
    }

    /// The base URL, redacted for messages.
    pub fn base(&self) -> String {
        redact_url(&self.base)
    }

    fn with_retries<T>(&self, url: &str, mut attempt: impl FnMut() -> Attempt<T>) -> Result<T> {
        let mut wait = self.backoff;
        let mut tries = 0;
        loop {
            match attempt() {
                Attempt::Done(v) => return v,
                Attempt::Transient(message) => {
                    if tries >= self.retries {
                        return Err(FollowError::Http {
                            url: redact_url(url),
                            message: format!("{message} (after {} attempts)", tries + 1),
                        });
                    }
                    tries += 1;
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// Calls a JSON-RPC method on the base URL; returns `result`.
    pub fn rpc(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let body =
            json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params});
        let url = self.base.clone();
        let answer = self.with_retries(&url, || {
            let mut req = self
                .agent
                .post(&url)
                .set("Content-Type", "application/json");
            if let Some(a) = &self.auth {
                req = req.set("Authorization", &a.header());
            }
            envelope(method, &url, req.send_json(&body))
        })?;
        result(method, answer)
    }

    /// GETs `path` (joined to the base URL) from a JSON-RPC-over-URI endpoint (CometBFT:
    /// `/validators?height=5`); returns `result`. An error object is an RPC error whatever
    /// the HTTP status (CometBFT answers them with HTTP 500).
    pub fn get_rpc(&mut self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let method = path.split('?').next().unwrap_or(path);
        let answer = self.with_retries(&url, || {
            let mut req = self.agent.get(&url).set("Accept", "application/json");
            if let Some(a) = &self.auth {
                req = req.set("Authorization", &a.header());
            }
            envelope(method, &url, req.call())
        })?;
        result(method, answer)
    }

    /// GETs `path` (joined to the base URL) as JSON; `None` on HTTP 404.
    pub fn get(&mut self, path: &str) -> Result<Option<Value>> {
        let url = format!("{}{path}", self.base);
        self.with_retries(&url, || {
            let mut req = self.agent.get(&url).set("Accept", "application/json");
            if let Some(a) = &self.auth {
                req = req.set("Authorization", &a.header());
            }
            match req.call() {
                Ok(resp) => match resp.into_json::<Value>() {
                    Ok(v) => Attempt::Done(Ok(Some(v))),
                    Err(e) => Attempt::Transient(format!("reading the answer: {e}")),
                },
                Err(ureq::Error::Status(404, _)) => Attempt::Done(Ok(None)),
                Err(ureq::Error::Status(code, resp)) if code == 429 || code >= 500 => {
                    Attempt::Transient(format!(
                        "HTTP {code}: {}",
                        snippet(&resp.into_string().unwrap_or_default())
                    ))
                }
                Err(ureq::Error::Status(code, resp)) => Attempt::Done(Err(FollowError::Http {
                    url: redact_url(&url),
                    message: format!(
                        "HTTP {code}: {}",
                        snippet(&resp.into_string().unwrap_or_default())
                    ),
                })),
                Err(ureq::Error::Transport(t)) => Attempt::Transient(transport(&t)),
            }
        })
    }
}

/// A JSON-RPC answer: the envelope on success or with an error object (any HTTP status:
/// Bitcoin Core answers errors with HTTP 500 or 404, CometBFT with 500); 429 and other 5xx
/// are transient; other statuses are errors.
fn envelope(
    method: &str,
    url: &str,
    res: std::result::Result<ureq::Response, ureq::Error>,
) -> Attempt<Value> {
    match res {
        Ok(resp) => match resp.into_json::<Value>() {
            Ok(v) => Attempt::Done(Ok(v)),
            Err(e) => Attempt::Transient(format!("reading the answer: {e}")),
        },
        Err(ureq::Error::Status(code, resp)) => {
            let text = resp.into_string().unwrap_or_default();
            match serde_json::from_str::<Value>(&text) {
                Ok(v) if v.get("error").is_some_and(|e| !e.is_null()) => Attempt::Done(Ok(v)),
                _ if code == 429 || code >= 500 => {
                    Attempt::Transient(format!("HTTP {code}: {}", snippet(&text)))
                }
                _ => Attempt::Done(Err(FollowError::Http {
                    url: redact_url(url),
                    message: format!("{method}: HTTP {code}: {}", snippet(&text)),
                })),
            }
        }
        Err(ureq::Error::Transport(t)) => Attempt::Transient(transport(&t)),
    }
}

/// `result` of a JSON-RPC envelope, or its error object as [`FollowError::Rpc`] (with
/// CometBFT's `data` detail when present).
fn result(method: &str, answer: Value) -> Result<Value> {
    if let Some(err) = answer.get("error").filter(|e| !e.is_null()) {
        let mut message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(d) = err.get("data").and_then(Value::as_str) {
            message.push_str(": ");
            message.push_str(d);
        }
        return Err(FollowError::Rpc {
            method: method.to_string(),
            code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
            message,
        });
    }
    answer
        .get("result")
        .cloned()
        .ok_or_else(|| crate::error::shape(method, "no `result` in the answer"))
}

/// A transport error without its URL (ureq's `Display` prints the full URL).
fn transport(t: &ureq::Transport) -> String {
    let mut s = t.kind().to_string();
    if let Some(m) = t.message() {
        s.push_str(": ");
        s.push_str(m);
    }
    let mut source = std::error::Error::source(t);
    while let Some(e) = source {
        s.push_str(": ");
        s.push_str(&e.to_string());
        source = e.source();
    }
    s
}

enum Attempt<T> {
    Done(Result<T>),
    Transient(String),
}

fn snippet(s: &str) -> String {
    s.chars().take(200).collect()
}

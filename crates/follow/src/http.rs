//! A small blocking HTTP client for node APIs: timeouts, retries with exponential backoff on
//! transient errors (connection failures, HTTP 429 and 5xx without a JSON-RPC error body).

use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{FollowError, Result};

/// HTTP settings of one source.
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    base: String,
    auth: Option<String>,
    retries: u32,
    backoff: Duration,
    next_id: u64,
}

impl HttpClient {
    /// A client of `base` (e.g. `http://127.0.0.1:8332`), with per-request `timeout`,
    /// `retries` extra attempts on transient errors (first wait `backoff`, doubling), and
    /// optional HTTP basic credentials `user:password`.
    pub fn new(
        base: &str,
        timeout: Duration,
        retries: u32,
        backoff: Duration,
        credentials: Option<&str>,
    ) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout(timeout)
            .build();
        HttpClient {
            agent,
            base: base.trim_end_matches('/').to_string(),
            auth: credentials.map(|c| format!("Basic {}", base64(c.trim().as_bytes()))),
            retries,
            backoff,
            next_id: 0,
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
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
                            url: url.to_string(),
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
                req = req.set("Authorization", a);
            }
            match req.send_json(&body) {
                Ok(resp) => match resp.into_json::<Value>() {
                    Ok(v) => Attempt::Done(Ok(v)),
                    Err(e) => Attempt::Transient(format!("reading the answer: {e}")),
                },
                // Bitcoin Core answers RPC errors with HTTP 500 (or 404) and a JSON body.
                Err(ureq::Error::Status(code, resp)) => {
                    let text = resp.into_string().unwrap_or_default();
                    match serde_json::from_str::<Value>(&text) {
                        Ok(v) if v.get("error").is_some_and(|e| !e.is_null()) => {
                            Attempt::Done(Ok(v))
                        }
                        _ if code == 429 || code >= 500 => {
                            Attempt::Transient(format!("HTTP {code}: {}", snippet(&text)))
                        }
                        _ => Attempt::Done(Err(FollowError::Http {
                            url: url.clone(),
                            message: format!("{method}: HTTP {code}: {}", snippet(&text)),
                        })),
                    }
                }
                Err(e) => Attempt::Transient(e.to_string()),
            }
        })?;
        if let Some(err) = answer.get("error").filter(|e| !e.is_null()) {
            return Err(FollowError::Rpc {
                method: method.to_string(),
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
        }
        answer
            .get("result")
            .cloned()
            .ok_or_else(|| crate::error::shape(method, "no `result` in the answer"))
    }

    /// GETs `path` (joined to the base URL) as JSON; `None` on HTTP 404.
    pub fn get(&mut self, path: &str) -> Result<Option<Value>> {
        let url = format!("{}{path}", self.base);
        self.with_retries(&url, || {
            let mut req = self.agent.get(&url).set("Accept", "application/json");
            if let Some(a) = &self.auth {
                req = req.set("Authorization", a);
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
                    url: url.clone(),
                    message: format!(
                        "HTTP {code}: {}",
                        snippet(&resp.into_string().unwrap_or_default())
                    ),
                })),
                Err(e) => Attempt::Transient(e.to_string()),
            }
        })
    }
}

enum Attempt<T> {
    Done(Result<T>),
    Transient(String),
}

fn snippet(s: &str) -> String {
    s.chars().take(200).collect()
}

/// Standard base64 with padding (for the basic-auth header).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"user:pass"), "dXNlcjpwYXNz");
    }
}

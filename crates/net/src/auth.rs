//! Credentials for node RPC endpoints, and what of a URL may be logged.

use std::fmt;
use std::path::Path;

use crate::error::{NetError, Result};

/// HTTP credentials. `Debug` hides the secret; nothing in this crate prints it.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic: `Authorization: Basic base64(user:password)`.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(String),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|source| NetError::Io {
            path: path.display().to_string(),
            source,
        })
}

impl Auth {
    /// Basic credentials from a file holding `user:password` (Bitcoin Core's `.cookie`).
    pub fn basic_from_file(path: &Path) -> Result<Auth> {
        let text = read(path)?;
        let (user, password) = text.split_once(':').ok_or_else(|| NetError::Credentials {
            path: path.display().to_string(),
            message: "expected `user:password` on one line".into(),
        })?;
        Ok(Auth::Basic {
            user: user.to_string(),
            password: password.to_string(),
        })
    }

    /// A bearer token from a file (surrounding whitespace ignored).
    pub fn bearer_from_file(path: &Path) -> Result<Auth> {
        let token = read(path)?;
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(NetError::Credentials {
                path: path.display().to_string(),
                message: "expected one token without spaces".into(),
            });
        }
        Ok(Auth::Bearer(token))
    }

    /// The `Authorization` header value.
    pub fn header(&self) -> String {
        match self {
            Auth::Basic { user, password } => {
                format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
            }
            Auth::Bearer(t) => format!("Bearer {t}"),
        }
    }
}

/// `scheme://host[:port]/…`: a URL without user info, path or query, for logs and errors
/// (hosted RPC endpoints put API keys in the path or query, chat webhooks in the path).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let tail = if rest.len() > authority.len() {
        "/…"
    } else {
        ""
    };
    if scheme.is_empty() {
        format!("{host}{tail}")
    } else {
        format!("{scheme}://{host}{tail}")
    }
}

/// Standard base64 with padding (RFC 4648), for the basic-auth header.
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
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn secrets_stay_out_of_debug_and_redacted_urls() {
        let b = Auth::Basic {
            user: "rpc".into(),
            password: "hunter2".into(),
        };
        assert_eq!(format!("{b:?}"), "Basic(rpc, ***)");
        assert_eq!(b.header(), "Basic cnBjOmh1bnRlcjI=");
        assert_eq!(Auth::Bearer("t0k".into()).header(), "Bearer t0k");
        for (url, shown) in [
            (
                "https://u:p@node.example:8899/",
                "https://node.example:8899/…",
            ),
            ("https://x.quiknode.pro/SECRET/", "https://x.quiknode.pro/…"),
            (
                "https://rpc.example/?api-key=SECRET",
                "https://rpc.example/…",
            ),
            ("http://127.0.0.1:8899", "http://127.0.0.1:8899"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    #[test]
    fn credential_files() {
        let dir = std::env::temp_dir().join(format!("powermap-net-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("c");
        std::fs::write(&f, "__cookie__:abc\n").unwrap();
        assert_eq!(
            Auth::basic_from_file(&f).unwrap(),
            Auth::Basic {
                user: "__cookie__".into(),
                password: "abc".into()
            }
        );
        std::fs::write(&f, "  tok\n").unwrap();
        assert_eq!(
            Auth::bearer_from_file(&f).unwrap(),
            Auth::Bearer("tok".into())
        );
        let e = Auth::basic_from_file(&f).unwrap_err().to_string();
        assert!(e.contains("user:password") && !e.contains("tok"), "{e}");
        std::fs::write(&f, "two words").unwrap();
        assert!(Auth::bearer_from_file(&f).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

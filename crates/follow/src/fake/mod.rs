//! Local stand-ins for nodes, for tests, the SIGKILL durability check and the ingest
//! benchmark: a minimal HTTP/1.1 server on 127.0.0.1 (plain or TLS) and a Bitcoin Core
//! JSON-RPC node that answers `getblockchaininfo`, `getblockhash` and `getblock` (verbosity 2)
//! in Bitcoin Core's documented shape, from a chain the caller controls (grow it, reorganise
//! it). [`solana`] and [`cometbft`] hold the Solana and CometBFT stand-ins.
//!
//! No Bitcoin node implementation installs from the package registries here, so the
//! blocks' coinbase scripts and outputs come from real mainnet blocks
//! ([`edi_sample_coinbases`]: EDI's sample raw data).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use powermap_net::rustls;
use serde_json::{json, Value};

pub mod cometbft;
pub mod solana;

/// A request handler: `(method, path, body) → (status, JSON text)`. Status [`DROP`] closes
/// the connection without an answer (a node going away mid-request).
pub type Handler = Arc<dyn Fn(&str, &str, &[u8]) -> (u16, String) + Send + Sync>;

/// The status a [`Handler`] returns to drop the connection instead of answering.
pub const DROP: u16 = 0;

/// A tiny HTTP/1.1 server on `127.0.0.1` (keep-alive, `Content-Length` bodies only), plain or
/// over TLS. Stops when dropped.
pub struct TestServer {
    addr: std::net::SocketAddr,
    tls: bool,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    authorizations: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    /// Starts serving `handler` on a free loopback port.
    pub fn start(handler: Handler) -> std::io::Result<Self> {
        TestServer::bind("127.0.0.1:0", handler, None)
    }

    /// Starts serving `handler` over TLS (`tls`: e.g. `powermap_net::test_pki`'s) on a free
    /// loopback port.
    pub fn start_tls(handler: Handler, tls: Arc<rustls::ServerConfig>) -> std::io::Result<Self> {
        TestServer::bind("127.0.0.1:0", handler, Some(tls))
    }

    /// Starts serving on `addr` (e.g. the address of a server just stopped: a restart).
    pub fn bind(
        addr: &str,
        handler: Handler,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let is_tls = tls.is_some();
        let authorizations: Arc<Mutex<Vec<String>>> = Arc::default();
        let seen = authorizations.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let h = handler.clone();
                let stop3 = stop2.clone();
                let tls = tls.clone();
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let _ = conn.set_nodelay(true);
                    match tls {
                        None => serve_conn(conn, h, stop3, seen),
                        Some(cfg) => {
                            if let Ok(c) = rustls::ServerConnection::new(cfg) {
                                serve_conn(rustls::StreamOwned::new(c, conn), h, stop3, seen);
                            }
                        }
                    }
                });
            }
        });
        Ok(TestServer {
            addr,
            tls: is_tls,
            stop,
            accept: Some(accept),
            authorizations,
        })
    }

    /// Every `Authorization` header received so far, in order.
    pub fn authorizations(&self) -> Vec<String> {
        self.authorizations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `http://127.0.0.1:PORT` (`https://` over TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve_conn<S: Read + Write>(
    conn: S,
    handler: Handler,
    stop: Arc<AtomicBool>,
    authorizations: Arc<Mutex<Vec<String>>>,
) {
    let mut reader = BufReader::new(conn);
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            break;
        };
        let (method, path) = (method.to_string(), path.to_string());
        let mut len = 0usize;
        let mut close = false;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let lower = h.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("connection:") && lower.contains("close") {
                close = true;
            }
            if lower.starts_with("authorization:") {
                let value = h["authorization:".len()..].trim().to_string();
                authorizations
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(value);
            }
        }
        let mut body = vec![0; len.min(16 << 20)];
        if reader.read_exact(&mut body).is_err() {
            break;
        }
        let (status, text) = handler(&method, &path, &body);
        if status == DROP {
            break;
        }
        let reason = match status {
            200 => "OK",
            404 => "Not Found",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Status",
        };
        let mut out = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            text.len()
        );
        out.push_str(&text);
        let writer = reader.get_mut();
        if writer.write_all(out.as_bytes()).is_err() || writer.flush().is_err() {
            break;
        }
        if close {
            break;
        }
    }
}

/// A coinbase as Bitcoin Core shows it: script (hex) and outputs `(value in BTC, address)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Coinbase {
    /// `vin[0].coinbase`, hex.
    pub script_hex: String,
    /// `vout[*]`: value in BTC and the output's address (none for OP_RETURN and the like).
    pub outputs: Vec<(f64, Option<String>)>,
}

/// One block of a [`FakeBitcoinNode`].
#[derive(Debug, Clone, PartialEq)]
pub struct FakeBlock {
    /// Block hash (64 hex digits).
    pub hash: String,
    /// Unix time.
    pub time: i64,
    /// The coinbase.
    pub coinbase: Coinbase,
    /// EDI's `number` when the block came from EDI's sample (for checks), else `None`.
    pub edi_number: Option<String>,
}

/// The real mainnet coinbases of EDI's sample raw data (`bitcoin_raw_data.json`), one per
/// line in file order, with their block numbers and timestamps. The file is JSON Lines of
/// `{number, timestamp, identifiers (coinbase script hex), outputs [{value (satoshi),
/// addresses}]}`.
pub fn edi_sample_coinbases(raw: &str) -> Vec<(String, i64, Coinbase)> {
    raw.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            let number = v["number"].as_str().unwrap_or_default().to_string();
            let ts = v["timestamp"].as_str().unwrap_or_default();
            let time = chrono::NaiveDateTime::parse_from_str(
                ts.trim_end_matches(" UTC"),
                "%Y-%m-%d %H:%M:%S",
            )
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0);
            let outputs = v["outputs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| {
                    let sat = o["value"]
                        .as_f64()
                        .or_else(|| o["value"].as_str().and_then(|s| s.parse().ok()))
                        .unwrap_or(0.0);
                    let addr = o["addresses"]
                        .get(0)
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    (sat / 1e8, addr)
                })
                .collect();
            (
                number,
                time,
                Coinbase {
                    script_hex: v["identifiers"].as_str().unwrap_or_default().to_string(),
                    outputs,
                },
            )
        })
        .collect()
}

/// EDI's sample raw Bitcoin data, built in (13 real mainnet blocks).
pub const EDI_BITCOIN_SAMPLE: &str = include_str!(
    "../../../../tests/reference/edi-samples/input/raw_block_data/bitcoin_raw_data.json"
);

/// A deterministic hash for block `height` on fork `fork`.
pub fn fake_hash(fork: u64, height: u64) -> String {
    let mut x = fork
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(height)
        .wrapping_add(1);
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        s.push_str(&format!("{x:016x}"));
    }
    s
}

/// A chain of `n` blocks on fork `fork` from height `from`, one every 10 minutes from
/// `start_time`, cycling through the EDI sample coinbases.
pub fn synthetic_blocks(fork: u64, from: u64, n: u64, start_time: i64) -> Vec<FakeBlock> {
    let samples = edi_sample_coinbases(EDI_BITCOIN_SAMPLE);
    (from..from + n)
        .map(|h| {
            let (number, _, cb) = &samples[(h as usize + fork as usize) % samples.len()];
            FakeBlock {
                hash: fake_hash(fork, h),
                time: start_time + h as i64 * 600,
                coinbase: cb.clone(),
                edi_number: Some(number.clone()),
            }
        })
        .collect()
}

/// A Bitcoin Core JSON-RPC stand-in serving a chain (index = height) that tests can change.
pub struct FakeBitcoinNode {
    chain: Arc<Mutex<Vec<FakeBlock>>>,
    server: TestServer,
}

impl FakeBitcoinNode {
    /// Serves `blocks` (height 0 first) on a free loopback port.
    pub fn start(blocks: Vec<FakeBlock>) -> std::io::Result<Self> {
        let chain = Arc::new(Mutex::new(blocks));
        let c = chain.clone();
        let server = TestServer::start(Arc::new(move |_m, _p, body| {
            let chain = c.lock().expect("chain lock");
            bitcoin_rpc(&chain, body)
        }))?;
        Ok(FakeBitcoinNode { chain, server })
    }

    /// The RPC URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Appends blocks.
    pub fn extend(&self, blocks: Vec<FakeBlock>) {
        self.chain.lock().expect("chain lock").extend(blocks);
    }

    /// Replaces every block from `height` up with `blocks` (a reorg).
    pub fn reorg(&self, height: u64, blocks: Vec<FakeBlock>) {
        let mut c = self.chain.lock().expect("chain lock");
        c.truncate(height as usize);
        c.extend(blocks);
    }

    /// A copy of the chain.
    pub fn blocks(&self) -> Vec<FakeBlock> {
        self.chain.lock().expect("chain lock").clone()
    }
}

fn rpc_error(id: &Value, code: i64, message: &str) -> (u16, String) {
    // Bitcoin Core answers RPC errors with HTTP 500 (404 for an unknown method).
    let status = if code == -32601 { 404 } else { 500 };
    (
        status,
        json!({"result": null, "error": {"code": code, "message": message}, "id": id}).to_string(),
    )
}

fn bitcoin_rpc(chain: &[FakeBlock], body: &[u8]) -> (u16, String) {
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return rpc_error(&Value::Null, -32700, "Parse error");
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let params = req.get("params").cloned().unwrap_or(json!([]));
    let ok = |result: Value| {
        (
            200,
            json!({"result": result, "error": null, "id": id}).to_string(),
        )
    };
    match req.get("method").and_then(Value::as_str).unwrap_or("") {
        "getblockchaininfo" => {
            let tip = chain.len().saturating_sub(1);
            ok(json!({
                "chain": "main",
                "blocks": tip,
                "headers": tip,
                "bestblockhash": chain.last().map(|b| b.hash.clone()),
                "initialblockdownload": false,
                "pruned": false,
                "warnings": ""
            }))
        }
        "getblockhash" => match params.get(0).and_then(Value::as_u64) {
            Some(h) if (h as usize) < chain.len() => ok(json!(chain[h as usize].hash)),
            _ => rpc_error(&id, -8, "Block height out of range"),
        },
        "getblock" => {
            let hash = params.get(0).and_then(Value::as_str).unwrap_or("");
            let verbosity = params.get(1).and_then(Value::as_u64).unwrap_or(1);
            let Some(h) = chain.iter().position(|b| b.hash == hash) else {
                return rpc_error(&id, -5, "Block not found");
            };
            if verbosity != 2 {
                return rpc_error(&id, -8, "this stand-in serves verbosity 2 only");
            }
            ok(getblock_v2(chain, h))
        }
        _ => rpc_error(&id, -32601, "Method not found"),
    }
}

/// `getblock <hash> 2` in Bitcoin Core's shape (fields the follower reads, and the usual
/// neighbours so the answer looks like the real one).
fn getblock_v2(chain: &[FakeBlock], h: usize) -> Value {
    let b = &chain[h];
    let vout: Vec<Value> = b
        .coinbase
        .outputs
        .iter()
        .enumerate()
        .map(|(n, (value, addr))| {
            let mut spk = json!({
                "asm": "",
                "hex": "",
                "type": if addr.is_some() { "pubkeyhash" } else { "nulldata" },
            });
            if let Some(a) = addr {
                spk["address"] = json!(a);
            }
            json!({"value": value, "n": n, "scriptPubKey": spk})
        })
        .collect();
    let mut block = json!({
        "hash": b.hash,
        "confirmations": chain.len() - h,
        "height": h,
        "version": 0x2000_0000,
        "merkleroot": fake_hash(99, h as u64),
        "time": b.time,
        "mediantime": b.time,
        "nonce": 0,
        "bits": "17034219",
        "difficulty": 1.0,
        "nTx": 1,
        "tx": [{
            "txid": fake_hash(77, h as u64),
            "hash": fake_hash(77, h as u64),
            "version": 2,
            "size": 200,
            "vsize": 200,
            "weight": 800,
            "locktime": 0,
            "vin": [{"coinbase": b.coinbase.script_hex, "sequence": 4294967295u64}],
            "vout": vout,
        }],
    });
    if h > 0 {
        block["previousblockhash"] = json!(chain[h - 1].hash);
    }
    if h + 1 < chain.len() {
        block["nextblockhash"] = json!(chain[h + 1].hash);
    }
    block
}

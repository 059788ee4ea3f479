//! Bitcoin Core JSON-RPC: `getblockchaininfo`, `getblockhash`, `getblock <hash> 2`.
//!
//! The coinbase transaction (`tx[0]`) gives EDI's evidence: its `vin[0].coinbase` script as
//! the identifier text (decoded like EDI: Python `repr` of the bytes) and the first address of
//! every output with a value above zero as reward addresses (`scriptPubKey.address`, or
//! `addresses[0]` from nodes older than v22).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use powermap_attribution::{Evidence, Registry};
use powermap_edi::python_bytes_repr_of_hex;
use powermap_model::Layer;
use powermap_store::BlockRecord;
use serde_json::{json, Value};

use crate::attribute::block_observation;
use crate::chain::ChainClient;
use crate::error::{shape, FollowError, Result};
use crate::http::HttpClient;

/// A Bitcoin Core node.
pub struct BitcoinRpc {
    http: HttpClient,
    registry: Registry,
    chain: String,
    layer: Layer,
    source: String,
}

impl BitcoinRpc {
    /// A client of `http` attributing with `registry`; blocks are stored under `chain`.
    pub fn new(
        http: HttpClient,
        registry: Registry,
        chain: &str,
        layer: Layer,
        source: &str,
    ) -> Self {
        BitcoinRpc {
            http,
            registry,
            chain: chain.to_string(),
            layer,
            source: source.to_string(),
        }
    }

    /// Chain key of stored blocks.
    pub fn chain(&self) -> &str {
        &self.chain
    }
}

/// EDI's evidence from a `getblock` verbosity-2 answer (`None` when it has no coinbase).
pub fn coinbase_evidence(block: &Value, time: DateTime<Utc>) -> Result<Evidence> {
    let cb = block
        .get("tx")
        .and_then(|t| t.get(0))
        .ok_or_else(|| shape("getblock", "no tx[0] (call getblock with verbosity 2)"))?;
    let mut ev = Evidence::block(time.date_naive());
    if let Some(hex) = cb
        .get("vin")
        .and_then(|v| v.get(0))
        .and_then(|v| v.get("coinbase"))
        .and_then(Value::as_str)
    {
        ev.identifiers = Some(
            python_bytes_repr_of_hex(hex)
                .ok_or_else(|| shape("getblock", "coinbase script is not hex"))?,
        );
    }
    let mut addrs = BTreeSet::new();
    for out in cb
        .get("vout")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = out.get("value").and_then(Value::as_f64).unwrap_or(0.0);
        let spk = out.get("scriptPubKey");
        let first = spk
            .and_then(|s| s.get("address"))
            .and_then(Value::as_str)
            .or_else(|| {
                spk.and_then(|s| s.get("addresses"))
                    .and_then(|a| a.get(0))
                    .and_then(Value::as_str)
            });
        if let (Some(a), true) = (first, value > 0.0) {
            addrs.insert(a.to_string());
        }
    }
    if !addrs.is_empty() {
        ev.reward_addresses = Some(addrs.into_iter().collect());
    }
    Ok(ev)
}

fn is_out_of_range(e: &FollowError) -> bool {
    matches!(e, FollowError::Rpc { code: -8, .. })
}

impl ChainClient for BitcoinRpc {
    fn tip_height(&mut self) -> Result<u64> {
        let info = self.http.rpc("getblockchaininfo", json!([]))?;
        info.get("blocks")
            .and_then(Value::as_u64)
            .ok_or_else(|| shape("getblockchaininfo", "no `blocks`"))
    }

    fn hash_at(&mut self, height: u64) -> Result<Option<String>> {
        match self.http.rpc("getblockhash", json!([height])) {
            Ok(v) => v
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| shape("getblockhash", "expected a hash string")),
            Err(e) if is_out_of_range(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn block_at(&mut self, height: u64) -> Result<Option<BlockRecord>> {
        let Some(hash) = self.hash_at(height)? else {
            return Ok(None);
        };
        let b = self.http.rpc("getblock", json!([hash, 2]))?;
        let secs = b
            .get("time")
            .and_then(Value::as_i64)
            .ok_or_else(|| shape("getblock", "no `time`"))?;
        let time = DateTime::from_timestamp(secs, 0)
            .ok_or_else(|| shape("getblock", format!("time {secs} out of range")))?;
        let ev = coinbase_evidence(&b, time)?;
        let obs = block_observation(&self.registry, &ev, self.layer, time, height, &self.source);
        Ok(Some(BlockRecord {
            network: self.chain.clone(),
            height,
            hash: b
                .get("hash")
                .and_then(Value::as_str)
                .unwrap_or(&hash)
                .to_string(),
            parent_hash: b
                .get("previousblockhash")
                .and_then(Value::as_str)
                .map(str::to_string),
            time,
            observations: vec![obs],
        }))
    }
}

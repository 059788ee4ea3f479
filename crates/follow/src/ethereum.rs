//! Ethereum execution JSON-RPC: `eth_blockNumber`, `eth_getBlockByNumber`.
//!
//! One observation per block: subject = the fee recipient (`miner`, lowercase hex), with
//! `extraData` decoded as EDI does (UTF-8 when it is) as identifier text for attribution.

use chrono::DateTime;
use powermap_attribution::{Evidence, Registry};
use powermap_edi::ethereum_extra_data;
use powermap_model::Layer;
use powermap_store::BlockRecord;
use serde_json::{json, Value};

use crate::attribute::block_observation;
use crate::chain::ChainClient;
use crate::error::{shape, Result};
use crate::http::HttpClient;

/// An Ethereum execution node.
pub struct EthRpc {
    http: HttpClient,
    registry: Registry,
    chain: String,
    layer: Layer,
    source: String,
}

impl EthRpc {
    /// A client of `http` attributing with `registry`; blocks are stored under `chain`.
    pub fn new(
        http: HttpClient,
        registry: Registry,
        chain: &str,
        layer: Layer,
        source: &str,
    ) -> Self {
        EthRpc {
            http,
            registry,
            chain: chain.to_string(),
            layer,
            source: source.to_string(),
        }
    }

    fn block(&mut self, height: u64) -> Result<Option<Value>> {
        let b = self.http.rpc(
            "eth_getBlockByNumber",
            json!([format!("0x{height:x}"), false]),
        )?;
        Ok((!b.is_null()).then_some(b))
    }
}

fn hex_u64(v: Option<&Value>, what: &str) -> Result<u64> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| shape(what, "missing hex quantity"))?;
    u64::from_str_radix(s.trim_start_matches("0x"), 16)
        .map_err(|_| shape(what, format!("bad hex quantity `{s}`")))
}

impl ChainClient for EthRpc {
    fn tip_height(&mut self) -> Result<u64> {
        let v = self.http.rpc("eth_blockNumber", json!([]))?;
        hex_u64(Some(&v), "eth_blockNumber")
    }

    fn hash_at(&mut self, height: u64) -> Result<Option<String>> {
        Ok(self
            .block(height)?
            .and_then(|b| b.get("hash").and_then(Value::as_str).map(str::to_string)))
    }

    fn block_at(&mut self, height: u64) -> Result<Option<BlockRecord>> {
        let Some(b) = self.block(height)? else {
            return Ok(None);
        };
        let what = "eth_getBlockByNumber";
        let secs = hex_u64(b.get("timestamp"), what)?;
        let time = DateTime::from_timestamp(secs as i64, 0)
            .ok_or_else(|| shape(what, format!("timestamp {secs} out of range")))?;
        let miner = b
            .get("miner")
            .and_then(Value::as_str)
            .ok_or_else(|| shape(what, "no `miner`"))?
            .to_ascii_lowercase();
        let mut ev = Evidence::block(time.date_naive());
        ev.identifiers = b
            .get("extraData")
            .and_then(Value::as_str)
            .map(ethereum_extra_data);
        ev.reward_addresses = Some(vec![miner]);
        let obs = block_observation(&self.registry, &ev, self.layer, time, height, &self.source);
        Ok(Some(BlockRecord {
            network: self.chain.clone(),
            height,
            hash: b
                .get("hash")
                .and_then(Value::as_str)
                .ok_or_else(|| shape(what, "no `hash`"))?
                .to_string(),
            parent_hash: b
                .get("parentHash")
                .and_then(Value::as_str)
                .map(str::to_string),
            time,
            observations: vec![obs],
        }))
    }
}

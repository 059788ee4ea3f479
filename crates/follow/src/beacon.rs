//! Ethereum beacon node REST API (the standard beacon-API endpoints):
//!
//! * `GET /eth/v1/beacon/genesis` → `genesis_time` (slot times), and
//!   `GET /eth/v1/config/spec` → `SECONDS_PER_SLOT` (12 when absent);
//! * `GET /eth/v1/beacon/headers/head` → the head slot;
//! * `GET /eth/v1/beacon/headers/{slot}` → block root, parent root and `proposer_index`
//!   (404 for an empty slot);
//! * `GET /eth/v1/beacon/states/head/validators/{index}` → `withdrawal_credentials`, the
//!   observation's subject (cached per validator index).
//!
//! Slots are stored under the chain key `<network>-beacon`, so they never collide with
//! execution block numbers of the same network.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use powermap_model::{Layer, Observation};
use powermap_store::BlockRecord;
use serde_json::Value;

use crate::chain::ChainClient;
use crate::error::{shape, Result};
use crate::http::HttpClient;

/// A beacon node.
pub struct BeaconApi {
    http: HttpClient,
    network: String,
    chain: String,
    layer: Layer,
    source: String,
    genesis: Option<(i64, i64)>,
    credentials: HashMap<u64, String>,
}

impl BeaconApi {
    /// A client of `http`; observations are of `network`, blocks stored under `chain`.
    pub fn new(http: HttpClient, network: &str, chain: &str, layer: Layer, source: &str) -> Self {
        BeaconApi {
            http,
            network: network.to_string(),
            chain: chain.to_string(),
            layer,
            source: source.to_string(),
            genesis: None,
            credentials: HashMap::new(),
        }
    }

    fn slot_time(&mut self, slot: u64) -> Result<DateTime<Utc>> {
        let (genesis, per_slot) = match self.genesis {
            Some(g) => g,
            None => {
                let g = self
                    .http
                    .get("/eth/v1/beacon/genesis")?
                    .ok_or_else(|| shape("/eth/v1/beacon/genesis", "404"))?;
                let genesis = str_u64(g.pointer("/data/genesis_time"), "genesis_time")? as i64;
                let per_slot = match self.http.get("/eth/v1/config/spec")? {
                    Some(spec) => {
                        str_u64(spec.pointer("/data/SECONDS_PER_SLOT"), "SECONDS_PER_SLOT")
                            .unwrap_or(12) as i64
                    }
                    None => 12,
                };
                self.genesis = Some((genesis, per_slot));
                (genesis, per_slot)
            }
        };
        DateTime::from_timestamp(genesis + slot as i64 * per_slot, 0)
            .ok_or_else(|| shape("slot time", format!("slot {slot} out of range")))
    }

    fn header(&mut self, id: &str) -> Result<Option<Value>> {
        self.http.get(&format!("/eth/v1/beacon/headers/{id}"))
    }

    fn withdrawal_credentials(&mut self, index: u64) -> Result<String> {
        if let Some(c) = self.credentials.get(&index) {
            return Ok(c.clone());
        }
        let path = format!("/eth/v1/beacon/states/head/validators/{index}");
        let v = self
            .http
            .get(&path)?
            .ok_or_else(|| shape(&path, "validator not found (404)"))?;
        let c = v
            .pointer("/data/validator/withdrawal_credentials")
            .and_then(Value::as_str)
            .ok_or_else(|| shape(&path, "no data.validator.withdrawal_credentials"))?
            .to_string();
        self.credentials.insert(index, c.clone());
        Ok(c)
    }
}

fn str_u64(v: Option<&Value>, what: &str) -> Result<u64> {
    match v {
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| shape(what, format!("`{s}` is not a number"))),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| shape(what, "not a whole number")),
        _ => Err(shape(what, "missing")),
    }
}

impl ChainClient for BeaconApi {
    fn tip_height(&mut self) -> Result<u64> {
        let h = self
            .header("head")?
            .ok_or_else(|| shape("/eth/v1/beacon/headers/head", "404"))?;
        str_u64(h.pointer("/data/header/message/slot"), "head slot")
    }

    fn hash_at(&mut self, slot: u64) -> Result<Option<String>> {
        Ok(self.header(&slot.to_string())?.and_then(|h| {
            h.pointer("/data/root")
                .and_then(Value::as_str)
                .map(str::to_string)
        }))
    }

    fn block_at(&mut self, slot: u64) -> Result<Option<BlockRecord>> {
        let Some(h) = self.header(&slot.to_string())? else {
            return Ok(None);
        };
        let what = "/eth/v1/beacon/headers/{slot}";
        let root = h
            .pointer("/data/root")
            .and_then(Value::as_str)
            .ok_or_else(|| shape(what, "no data.root"))?
            .to_string();
        let msg = h
            .pointer("/data/header/message")
            .ok_or_else(|| shape(what, "no data.header.message"))?;
        let proposer = str_u64(msg.get("proposer_index"), "proposer_index")?;
        let parent = msg
            .get("parent_root")
            .and_then(Value::as_str)
            .map(str::to_string);
        let time = self.slot_time(slot)?;
        let subject = self.withdrawal_credentials(proposer)?;
        Ok(Some(BlockRecord {
            network: self.chain.clone(),
            height: slot,
            hash: root,
            parent_hash: parent,
            time,
            observations: vec![Observation {
                network: self.network.clone(),
                layer: self.layer,
                time,
                height: Some(slot),
                subject,
                entity: None,
                weight: 1.0,
                source: Some(self.source.clone()),
            }],
        }))
    }
}

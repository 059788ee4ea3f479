//! Streaming reader of EDI raw block data (JSON Lines, one block per line).

use std::collections::BTreeSet;
use std::io::BufRead;

use chrono::{DateTime, NaiveDateTime, Utc};
use powermap_attribution::Evidence;
use serde_json::{Map, Value};

use crate::decode::{ethereum_extra_data, python_bytes_repr_of_hex};
use crate::error::{Error, Result};
use crate::ledger::{Family, Ledger};

/// One block as EDI's parser leaves it, plus the parsed time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdiBlock {
    /// 1-based line in the raw file.
    pub line: usize,
    /// `number` exactly as written (EDI keeps it as a string, e.g. `"00000000001"`).
    pub number: String,
    /// `number` as an integer, when it is one.
    pub height: Option<u64>,
    /// `timestamp` exactly as written.
    pub timestamp: String,
    /// `timestamp` parsed (UTC).
    pub time: DateTime<Utc>,
    /// Decoded identifiers: Python `repr` of the coinbase bytes (bitcoin-like), UTF-8 extra
    /// data (Ethereum), ticker (Cardano); `None` when absent, and always for Tezos.
    pub identifiers: Option<String>,
    /// EDI's `reward_addresses` field (comma-separated), `None` when absent, null or empty.
    pub reward_addresses: Option<String>,
}

impl EdiBlock {
    /// The reward addresses as a list (split on `,`, as EDI's mapping does).
    pub fn reward_address_list(&self) -> Option<Vec<String>> {
        self.reward_addresses
            .as_ref()
            .map(|s| s.split(',').map(str::to_string).collect())
    }

    /// The evidence the attribution registry resolves.
    pub fn evidence(&self) -> Evidence {
        let mut e = Evidence::block(self.time.date_naive());
        e.identifiers = self.identifiers.clone();
        e.reward_addresses = self.reward_address_list();
        e
    }
}

/// Reads EDI raw block data line by line; yields one [`EdiBlock`] or one error per line.
///
/// Blank lines are skipped. Any malformed line gives an error naming file, line and field;
/// the reader never panics and can go on after an error.
pub struct BlockReader<R> {
    input: R,
    file: String,
    ledger: Ledger,
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> BlockReader<R> {
    /// A reader of `input`, labelled `file` in errors, for `ledger`'s format.
    pub fn new(input: R, file: impl Into<String>, ledger: Ledger) -> Self {
        BlockReader {
            input,
            file: file.into(),
            ledger,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn err(&self, field: &str, message: impl Into<String>) -> Error {
        Error::Field {
            file: self.file.clone(),
            line: self.line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn parse_line(&self, text: &str) -> Result<EdiBlock> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::Json {
            file: self.file.clone(),
            line: self.line,
            source: e,
        })?;
        let Value::Object(obj) = value else {
            return Err(self.err("(line)", "expected a JSON object"));
        };
        let number = match obj.get("number") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => {
                return Err(self.err(
                    "number",
                    format!("expected a string or integer, got {other}"),
                ))
            }
            None => return Err(self.err("number", "missing")),
        };
        let height = number.trim().parse::<u64>().ok();
        let timestamp = match obj.get("timestamp") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(self.err("timestamp", format!("expected a string, got {other}")))
            }
            None => return Err(self.err("timestamp", "missing")),
        };
        let time = parse_timestamp(&timestamp).ok_or_else(|| {
            self.err(
                "timestamp",
                format!("unrecognised time `{timestamp}` (expected e.g. `2018-02-05 04:54:34 UTC` or `2020-12-31T00:57:03`)"),
            )
        })?;
        let (identifiers, reward_addresses) = match self.ledger.family() {
            Family::BitcoinLike => {
                let ids = match self.opt_str(&obj, "identifiers")? {
                    Some(hex) => Some(python_bytes_repr_of_hex(&hex).ok_or_else(|| {
                        self.err(
                            "identifiers",
                            "not a hex string (EDI decodes the coinbase script as hex)",
                        )
                    })?),
                    None => None,
                };
                (ids, self.coinbase_addresses(&obj)?)
            }
            Family::Ethereum => (
                self.opt_str(&obj, "identifiers")?
                    .map(|s| ethereum_extra_data(&s)),
                self.opt_str(&obj, "reward_addresses")?,
            ),
            Family::Cardano => (
                self.opt_str(&obj, "identifiers")?,
                self.opt_str(&obj, "reward_addresses")?,
            ),
            Family::Tezos => (None, self.opt_str(&obj, "reward_addresses")?),
        };
        Ok(EdiBlock {
            line: self.line,
            number,
            height,
            timestamp,
            time,
            identifiers,
            reward_addresses: reward_addresses.filter(|s| !s.is_empty()),
        })
    }

    fn opt_str(&self, obj: &Map<String, Value>, field: &str) -> Result<Option<String>> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.err(field, format!("expected a string, got {other}"))),
        }
    }

    /// EDI's default parser: the first address of every output with a value > 0, as a set,
    /// joined with `,` (sorted here, as EDI's reference output shows).
    fn coinbase_addresses(&self, obj: &Map<String, Value>) -> Result<Option<String>> {
        let outputs = match obj.get("outputs") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(a)) => a,
            Some(other) => return Err(self.err("outputs", format!("expected a list, got {other}"))),
        };
        let mut set = BTreeSet::new();
        for (i, out) in outputs.iter().enumerate() {
            let Value::Object(o) = out else {
                return Err(self.err(&format!("outputs[{i}]"), "expected an object"));
            };
            let first = match o.get("addresses") {
                None | Some(Value::Null) => continue,
                Some(Value::Array(a)) if a.is_empty() => continue,
                Some(Value::Array(a)) => match &a[0] {
                    Value::String(s) => s.clone(),
                    other => {
                        return Err(self.err(
                            &format!("outputs[{i}].addresses[0]"),
                            format!("expected a string, got {other}"),
                        ))
                    }
                },
                Some(other) => {
                    return Err(self.err(
                        &format!("outputs[{i}].addresses"),
                        format!("expected a list, got {other}"),
                    ))
                }
            };
            let field = format!("outputs[{i}].value");
            let value = match o.get("value") {
                Some(v) => python_int(v)
                    .ok_or_else(|| self.err(&field, format!("expected an integer, got {v}")))?,
                None => return Err(self.err(&field, "missing")),
            };
            if value > 0 {
                set.insert(first);
            }
        }
        Ok(Some(set.into_iter().collect::<Vec<_>>().join(",")))
    }
}

/// Python's `int(v)` for a JSON value: integers, floats (truncated) and integer strings.
fn python_int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.trunc() as i128)
            }),
        Value::String(s) => s.trim().replace('_', "").parse::<i128>().ok(),
        _ => None,
    }
}

/// Parses the timestamp formats EDI data uses, as UTC.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let t = s.trim();
    let t = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t);
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(n.and_utc());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    }
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

impl<R: BufRead> Iterator for BlockReader<R> {
    type Item = Result<EdiBlock>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::Io {
                        path: self.file.clone().into(),
                        source: e,
                    }));
                }
            }
            self.line += 1;
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => return Some(Err(self.err("(line)", format!("not UTF-8: {e}")))),
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(self.parse_line(text));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ledger: Ledger, text: &str) -> Vec<Result<EdiBlock>> {
        BlockReader::new(text.as_bytes(), "raw.json", ledger).collect()
    }

    #[test]
    fn bitcoin_outputs_become_sorted_positive_addresses() {
        let line = r#"{"number":"1","timestamp":"2018-02-05 04:54:34 UTC","identifiers":"2f41","outputs":[{"addresses":["b"],"value":5},{"addresses":["a"],"value":"7"},{"addresses":["z"],"value":0},{"addresses":[],"value":3},{"addresses":null,"value":3},{"addresses":["b"],"value":1}]}"#;
        let b = read(Ledger::Bitcoin, line).remove(0).unwrap();
        assert_eq!(b.reward_addresses.as_deref(), Some("a,b"));
        assert_eq!(b.identifiers.as_deref(), Some("b'/A'"));
        assert_eq!(b.height, Some(1));
        assert_eq!(b.time.to_rfc3339(), "2018-02-05T04:54:34+00:00");
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let text = "\n{\"number\":\"1\",\"timestamp\":\"2018-02-05 04:54:34 UTC\",\"identifiers\":\"zz\"}\n{\"number\":\"2\"}\nnot json\n[1]\n{\"number\":\"3\",\"timestamp\":\"2018-02-05\",\"outputs\":[{\"addresses\":[\"a\"],\"value\":\"x\"}]}\n";
        let msgs: Vec<String> = read(Ledger::Bitcoin, text)
            .into_iter()
            .map(|r| r.unwrap_err().to_string())
            .collect();
        assert_eq!(msgs[0], "raw.json:2: field `identifiers`: not a hex string (EDI decodes the coinbase script as hex)");
        assert_eq!(msgs[1], "raw.json:3: field `timestamp`: missing");
        assert!(
            msgs[2].starts_with("raw.json:4: invalid JSON"),
            "{}",
            msgs[2]
        );
        assert_eq!(
            msgs[3],
            "raw.json:5: field `(line)`: expected a JSON object"
        );
        assert_eq!(
            msgs[4],
            "raw.json:6: field `outputs[0].value`: expected an integer, got \"x\""
        );
        assert_eq!(msgs.len(), 5);
    }

    #[test]
    fn other_families() {
        let eth = read(Ledger::Ethereum, r#"{"number":"5","timestamp":"2020-11-03 11:33:44 UTC","reward_addresses":"0xabc","identifiers":"0x657a696c2e6d65"}"#)
            .remove(0)
            .unwrap();
        assert_eq!(
            (eth.identifiers.as_deref(), eth.reward_addresses.as_deref()),
            (Some("ezil.me"), Some("0xabc"))
        );
        let ada = read(
            Ledger::Cardano,
            r#"{"number":"00000000001","identifiers":"ARRA","timestamp":"2020-12-31T06:42:00"}"#,
        )
        .remove(0)
        .unwrap();
        assert_eq!(
            (ada.identifiers.as_deref(), ada.reward_addresses, ada.height),
            (Some("ARRA"), None, Some(1))
        );
        let tz = read(Ledger::Tezos, r#"{"number":"7","timestamp":"2021-08-30 17:41:08 UTC","identifiers":"x","reward_addresses":""}"#)
            .remove(0)
            .unwrap();
        assert_eq!((tz.identifiers, tz.reward_addresses), (None, None));
    }

    #[test]
    fn timestamps() {
        for s in [
            "2018-02-05 04:54:34 UTC",
            "2018-02-05T04:54:34",
            "2018-02-05T04:54:34Z",
            "2018-02-05 04:54:34.000 UTC",
            "2018-02-05T04:54:34+00:00",
        ] {
            assert_eq!(
                parse_timestamp(s).unwrap().to_rfc3339(),
                "2018-02-05T04:54:34+00:00",
                "{s}"
            );
        }
        assert!(parse_timestamp("yesterday").is_none());
    }
}

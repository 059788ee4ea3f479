//! JSON helpers: objects read in file order, and typed field access with good errors.
//!
//! Order matters: EDI scans `identifiers/<ledger>.json` top to bottom and the first tag
//! contained in the coinbase wins, and a later legal link for the same pool overrides an
//! earlier one. Python's `json.load` keeps file order and, for a repeated key, the *last*
//! value at the *first* position; [`Ordered`] does the same without turning on serde_json's
//! workspace-wide `preserve_order` feature.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::error::{Error, Result};

/// A JSON object's entries in file order (Python `dict` semantics for repeated keys).
#[derive(Debug, Default)]
pub(crate) struct Ordered(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Ordered, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                let mut index: HashMap<String, usize> = HashMap::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    match index.get(&k) {
                        Some(&i) => entries[i].1 = v,
                        None => {
                            index.insert(k.clone(), entries.len());
                            entries.push((k, v));
                        }
                    }
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses a whole file as one JSON object, keeping entry order.
pub(crate) fn parse_object(file: &str, text: &str) -> Result<Ordered> {
    serde_json::from_str(text).map_err(|e| Error::json(file, e))
}

/// A required string field of an entry object.
pub(crate) fn str_field<'a>(file: &str, key: &str, v: &'a Value, field: &str) -> Result<&'a str> {
    match v.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Error::field(
            file,
            key,
            field,
            format!("expected a string, got {}", kind(other)),
        )),
        None => Err(Error::field(file, key, field, "missing")),
    }
}

/// An optional string field (absent or `null` → `None`).
pub(crate) fn opt_str_field(
    file: &str,
    key: &str,
    v: &Value,
    field: &str,
) -> Result<Option<String>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::field(
            file,
            key,
            field,
            format!("expected a string, got {}", kind(other)),
        )),
    }
}

/// A field that may be a string or a list of strings (EDI cluster `source`), joined by `, `.
pub(crate) fn str_or_list_field(
    file: &str,
    key: &str,
    v: &Value,
    field: &str,
) -> Result<Option<String>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                match it {
                    Value::String(s) => out.push(s.as_str()),
                    other => {
                        return Err(Error::field(
                            file,
                            key,
                            field,
                            format!("expected strings in the list, got {}", kind(other)),
                        ))
                    }
                }
            }
            Ok(Some(out.join(", ")))
        }
        Some(other) => Err(Error::field(
            file,
            key,
            field,
            format!("expected a string or a list, got {}", kind(other)),
        )),
    }
}

/// The value as an object, or a field error naming `what`.
pub(crate) fn expect_object<'a>(
    file: &str,
    key: &str,
    v: &'a Value,
    what: &str,
) -> Result<&'a serde_json::Map<String, Value>> {
    v.as_object().ok_or_else(|| {
        Error::field(
            file,
            key,
            what,
            format!("expected an object, got {}", kind(v)),
        )
    })
}

/// The value as an array, or a field error naming `what`.
pub(crate) fn expect_array<'a>(
    file: &str,
    key: &str,
    v: &'a Value,
    what: &str,
) -> Result<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| Error::field(file, key, what, format!("expected a list, got {}", kind(v))))
}

/// A short name of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_python_duplicate_semantics() {
        let o = parse_object("f", r#"{"b": 1, "a": 2, "b": 3}"#).unwrap();
        let keys: Vec<_> =
            o.0.iter()
                .map(|(k, v)| (k.as_str(), v.as_i64().unwrap()))
                .collect();
        assert_eq!(keys, [("b", 3), ("a", 2)]);
    }

    #[test]
    fn errors_carry_position() {
        let e = parse_object("x.json", "{\n \"a\": }").unwrap_err();
        assert!(e.to_string().starts_with("x.json:2:"), "{e}");
    }
}

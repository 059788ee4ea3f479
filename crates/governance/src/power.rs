//! Voting power per holder or delegate, from a CSV or JSON table, with delegations folded into
//! the delegate's power.
//!
//! CSV: a header with `holder` (or `address`, `name`) and `power` (or `votes`, `balance`);
//! optional `delegate` (when set, the row's power counts for that delegate, not the holder)
//! and `age_days` (how long the power has been held, for time-weighted voting).
//!
//! JSON: an array of objects with the same keys, or an object `{"name": power, …}`.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{GovernanceError, Result};

/// One voter: a holder voting for itself or a delegate voting for others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holder {
    /// Name or address.
    pub name: String,
    /// Power held directly.
    pub own: f64,
    /// Power delegated by others.
    pub delegated: f64,
    /// Days the power has been held (weighted by power when folded); `None` = unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<f64>,
}

impl Holder {
    /// A holder with own power only.
    pub fn new(name: impl Into<String>, power: f64) -> Self {
        Holder {
            name: name.into(),
            own: power,
            delegated: 0.0,
            age_days: None,
        }
    }

    /// Total voting power.
    pub fn power(&self) -> f64 {
        self.own + self.delegated
    }
}

/// Voting power per voter, heaviest first (ties by name), zero-power voters dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PowerTable {
    /// The voters.
    pub holders: Vec<Holder>,
}

impl PowerTable {
    /// Builds a table from holders (sorted, zeros dropped, duplicates summed).
    pub fn new(holders: impl IntoIterator<Item = Holder>) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut out: Vec<Holder> = Vec::new();
        for h in holders {
            match index.get(&h.name) {
                Some(&i) => {
                    let o = &mut out[i];
                    o.age_days = merge_age(o.age_days, o.power(), h.age_days, h.power());
                    o.own += h.own;
                    o.delegated += h.delegated;
                }
                None => {
                    index.insert(h.name.clone(), out.len());
                    out.push(h);
                }
            }
        }
        out.retain(|h| h.power() > 0.0);
        out.sort_by(|a, b| b.power().total_cmp(&a.power()).then(a.name.cmp(&b.name)));
        PowerTable { holders: out }
    }

    /// From `(name, power)` pairs.
    pub fn from_weights<S: Into<String>>(pairs: impl IntoIterator<Item = (S, f64)>) -> Self {
        Self::new(pairs.into_iter().map(|(n, w)| Holder::new(n, w)))
    }

    /// Powers, heaviest first.
    pub fn weights(&self) -> Vec<f64> {
        self.holders.iter().map(Holder::power).collect()
    }

    /// Total power.
    pub fn total(&self) -> f64 {
        self.holders.iter().map(Holder::power).sum()
    }

    /// Number of voters.
    pub fn len(&self) -> usize {
        self.holders.len()
    }

    /// True when there is no voter with power.
    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    /// Parses CSV text (see the module docs); `file` names it in errors.
    pub fn parse_csv(text: &str, file: &str) -> Result<Self> {
        let err = |line: u64, message: String| GovernanceError::Table {
            file: file.to_string(),
            line,
            message,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let find = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let name_col =
            find(&["holder", "address", "name", "voter", "delegator"]).ok_or_else(|| {
                err(
                    1,
                    "no `holder` column (also accepted: address, name, voter)".into(),
                )
            })?;
        let power_col = find(&["power", "votes", "balance", "weight"]).ok_or_else(|| {
            err(
                1,
                "no `power` column (also accepted: votes, balance, weight)".into(),
            )
        })?;
        let delegate_col = find(&["delegate", "delegatee"]);
        let age_col = find(&["age_days"]);
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, e.to_string()))?;
            let name = rec.get(name_col).unwrap_or("").to_string();
            if name.is_empty() {
                return Err(err(line, "empty holder".into()));
            }
            let power = parse_power(rec.get(power_col).unwrap_or("")).ok_or_else(|| {
                err(
                    line,
                    format!(
                        "bad power `{}` (a number ≥ 0)",
                        rec.get(power_col).unwrap_or("")
                    ),
                )
            })?;
            let delegate = delegate_col
                .and_then(|c| rec.get(c))
                .filter(|d| !d.is_empty())
                .map(str::to_string);
            let age = match age_col.and_then(|c| rec.get(c)).filter(|a| !a.is_empty()) {
                Some(a) => Some(
                    a.parse::<f64>()
                        .ok()
                        .filter(|v| *v >= 0.0)
                        .ok_or_else(|| err(line, format!("bad age_days `{a}`")))?,
                ),
                None => None,
            };
            rows.push((name, power, delegate, age));
        }
        Ok(Self::fold(rows))
    }

    /// Parses JSON text (see the module docs).
    pub fn parse_json(text: &str, file: &str) -> Result<Self> {
        let err = |message: String| GovernanceError::Table {
            file: file.to_string(),
            line: 0,
            message,
        };
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut rows = Vec::new();
        match v {
            serde_json::Value::Object(map) => {
                for (k, p) in map {
                    let w = p
                        .as_f64()
                        .filter(|w| *w >= 0.0)
                        .ok_or_else(|| err(format!("`{k}`: power must be a number ≥ 0")))?;
                    rows.push((k, w, None, None));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let get = |keys: &[&str]| keys.iter().find_map(|k| item.get(*k));
                    let name = get(&["holder", "address", "name", "voter"])
                        .and_then(|n| n.as_str())
                        .ok_or_else(|| err(format!("item {i}: no `holder` string")))?;
                    let w = get(&["power", "votes", "balance", "weight"])
                        .and_then(|p| p.as_f64().or_else(|| p.as_str().and_then(parse_power)))
                        .filter(|w| *w >= 0.0)
                        .ok_or_else(|| err(format!("item {i}: no `power` number ≥ 0")))?;
                    let delegate = get(&["delegate"])
                        .and_then(|d| d.as_str())
                        .filter(|d| !d.is_empty())
                        .map(str::to_string);
                    let age = get(&["age_days"]).and_then(|a| a.as_f64());
                    rows.push((name.to_string(), w, delegate, age));
                }
            }
            _ => {
                return Err(err(
                    "expected an array of holders or an object name → power".into(),
                ))
            }
        }
        Ok(Self::fold(rows))
    }

    /// Folds delegations: a row with a delegate counts for the delegate.
    fn fold(rows: Vec<(String, f64, Option<String>, Option<f64>)>) -> Self {
        Self::new(
            rows.into_iter()
                .map(|(name, power, delegate, age)| match delegate {
                    Some(d) if d != name => Holder {
                        name: d,
                        own: 0.0,
                        delegated: power,
                        age_days: age,
                    },
                    _ => Holder {
                        name,
                        own: power,
                        delegated: 0.0,
                        age_days: age,
                    },
                }),
        )
    }
}

fn parse_power(s: &str) -> Option<f64> {
    s.replace(['_', ','], "")
        .parse::<f64>()
        .ok()
        .filter(|v| *v >= 0.0 && v.is_finite())
}

fn merge_age(a: Option<f64>, wa: f64, b: Option<f64>, wb: f64) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) if wa + wb > 0.0 => Some((x * wa + y * wb) / (wa + wb)),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (Some(x), Some(_)) => Some(x),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_folds_delegations() {
        let t = PowerTable::parse_csv(
            "holder,power,delegate\nalice,10,\nbob,5,alice\ncarol,7,\ndave,0,\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.holders[0].name, "alice");
        assert_eq!(t.holders[0].own, 10.0);
        assert_eq!(t.holders[0].delegated, 5.0);
        assert_eq!(t.holders[1].name, "carol");
        assert!(PowerTable::parse_csv("holder,power\nx,-1\n", "t.csv").is_err());
        assert!(PowerTable::parse_csv("who,power\nx,1\n", "t.csv").is_err());
    }

    #[test]
    fn json_forms() {
        let a = PowerTable::parse_json(r#"{"a": 3, "b": 1}"#, "t.json").unwrap();
        let b = PowerTable::parse_json(
            r#"[{"holder":"a","power":2},{"holder":"c","power":1,"delegate":"a"},{"holder":"b","power":1}]"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(a.weights(), b.weights());
    }
}

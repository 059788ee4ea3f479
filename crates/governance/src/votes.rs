//! Real vote records: one row per VoteCast event (the Signal Corps Uniswap export,
//! `data/signalcorps-uniswap/`), grouped into proposals.
//!
//! Columns used: `PROPOSAL`, `SUPPORT` (`For`, `Against`, `2` or `Abstain`), `VOTER_ADDRESS`,
//! `VOTES`, `BLOCK_NUMBER`, `BLOCK_TIMESTAMP`. `PROPOSAL` is `<governor>.<id>` with
//! governor 0 = Governor Alpha, 1 = Alpha v2, 2 = Bravo, and trailing zeros lost to float
//! formatting upstream: Bravo ids have two digits, so `2.1` is Bravo #10, `2.2` is #20, `2.09`
//! is #9 (data/README.md; SOURCES section 7). Alpha ids are one digit.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{GovernanceError, Result};
use crate::power::{Holder, PowerTable};

/// How a vote was cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// For.
    For,
    /// Against.
    Against,
    /// Abstain.
    Abstain,
}

/// One vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vote {
    /// Voter address.
    pub voter: String,
    /// How.
    pub support: Support,
    /// Voting power used.
    pub votes: f64,
    /// Block number.
    pub block: u64,
    /// `YYYY-MM-DD HH:MM:SS` as the source writes it.
    pub time: String,
}

/// One proposal's votes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// The id as the source writes it (`2.1`).
    pub key: String,
    /// Governor prefix (`0`, `1`, `2`).
    pub governor: String,
    /// Proposal number within its governor (`2.1` → 10).
    pub number: u32,
    /// Readable label (`Bravo #10`).
    pub label: String,
    /// Votes, heaviest first.
    pub votes: Vec<Vote>,
}

impl Proposal {
    /// Total For, Against and Abstain.
    pub fn tally(&self) -> (f64, f64, f64) {
        let mut t = (0.0, 0.0, 0.0);
        for v in &self.votes {
            match v.support {
                Support::For => t.0 += v.votes,
                Support::Against => t.1 += v.votes,
                Support::Abstain => t.2 += v.votes,
            }
        }
        t
    }

    /// First vote's date (`YYYY-MM-DD`).
    pub fn date(&self) -> &str {
        self.votes
            .iter()
            .min_by_key(|v| v.block)
            .map_or("", |v| v.time.get(..10).unwrap_or(&v.time))
    }
}

/// Decodes `2.1` → (`2`, 10, `Bravo #10`).
pub fn decode_proposal(key: &str) -> Option<(String, u32, String)> {
    let (gov, frac) = key.split_once('.')?;
    let name = match gov {
        "0" => "Alpha",
        "1" => "Alpha v2",
        "2" => "Bravo",
        _ => "Governor",
    };
    let number: u32 = if gov == "2" {
        let mut f = frac.to_string();
        while f.len() < 2 {
            f.push('0');
        }
        f.parse().ok()?
    } else {
        frac.parse().ok()?
    };
    Some((gov.to_string(), number, format!("{name} #{number}")))
}

/// Vote records grouped by proposal, in the order the proposals opened.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct VoteRecords {
    /// Proposals, oldest first.
    pub proposals: Vec<Proposal>,
}

impl VoteRecords {
    /// Parses the CSV text; `file` names it in errors.
    pub fn parse_csv(text: &str, file: &str) -> Result<Self> {
        let err = |line: u64, message: String| GovernanceError::Table {
            file: file.to_string(),
            line,
            message,
        };
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| err(1, format!("no `{name}` column")))
        };
        let (pc, sc, vc, wc) = (
            col("PROPOSAL")?,
            col("SUPPORT")?,
            col("VOTER_ADDRESS")?,
            col("VOTES")?,
        );
        let bc = col("BLOCK_NUMBER").ok();
        let tc = col("BLOCK_TIMESTAMP").ok();
        let mut by: HashMap<String, Proposal> = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(line, e.to_string()))?;
            let key = rec.get(pc).unwrap_or("").trim().to_string();
            let support = match rec.get(sc).unwrap_or("").trim() {
                "For" | "for" | "1" => Support::For,
                "Against" | "against" | "0" => Support::Against,
                "Abstain" | "abstain" | "2" => Support::Abstain,
                s => {
                    return Err(err(
                        line,
                        format!("unknown SUPPORT `{s}` (For, Against, 2/Abstain)"),
                    ))
                }
            };
            let votes: f64 = rec
                .get(wc)
                .unwrap_or("")
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| *v >= 0.0 && v.is_finite())
                .ok_or_else(|| err(line, "bad VOTES".into()))?;
            let block = bc
                .and_then(|c| rec.get(c))
                .and_then(|b| b.trim().parse().ok())
                .unwrap_or(0);
            let time = tc.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
            let p = match by.get_mut(&key) {
                Some(p) => p,
                None => {
                    let (governor, number, label) = decode_proposal(&key).ok_or_else(|| {
                        err(
                            line,
                            format!("bad PROPOSAL `{key}` (expected <governor>.<id>)"),
                        )
                    })?;
                    by.entry(key.clone()).or_insert(Proposal {
                        key: key.clone(),
                        governor,
                        number,
                        label,
                        votes: Vec::new(),
                    })
                }
            };
            p.votes.push(Vote {
                voter: rec.get(vc).unwrap_or("").trim().to_string(),
                support,
                votes,
                block,
                time,
            });
        }
        let mut proposals: Vec<Proposal> = by.into_values().collect();
        for p in &mut proposals {
            p.votes
                .sort_by(|a, b| b.votes.total_cmp(&a.votes).then(a.voter.cmp(&b.voter)));
        }
        proposals.sort_by_key(|p| {
            (
                p.votes.iter().map(|v| v.block).min().unwrap_or(0),
                p.governor.clone(),
                p.number,
            )
        });
        Ok(VoteRecords { proposals })
    }

    /// The proposal with this key (`2.1`) or label number (`Bravo #10`, `10` for Bravo).
    pub fn find(&self, id: &str) -> Option<&Proposal> {
        self.proposals.iter().find(|p| {
            p.key == id
                || p.label.eq_ignore_ascii_case(id)
                || (p.governor == "2" && p.number.to_string() == id)
        })
    }

    /// Latest known power per voter: the votes each voter cast in the last proposal it voted
    /// on (a vote reveals the voter's power at that proposal's snapshot). `age_days` is the
    /// time from the voter's first vote to the last vote in the records (a lower bound on how
    /// long it has held power). Voters who never voted are invisible. A vote does not show how
    /// much of the power is the voter's own, so all of it is recorded as delegated.
    pub fn latest_power(&self) -> PowerTable {
        struct Seen {
            power: f64,
            last_block: u64,
            first_time: String,
        }
        let mut seen: HashMap<&str, Seen> = HashMap::new();
        let mut last_time = String::new();
        for p in &self.proposals {
            for v in &p.votes {
                if v.time > last_time {
                    last_time = v.time.clone();
                }
                let e = seen.entry(&v.voter).or_insert(Seen {
                    power: v.votes,
                    last_block: v.block,
                    first_time: v.time.clone(),
                });
                if v.block >= e.last_block {
                    e.power = v.votes;
                    e.last_block = v.block;
                }
                if v.time < e.first_time {
                    e.first_time = v.time.clone();
                }
            }
        }
        let end = day_number(&last_time);
        PowerTable::new(seen.into_iter().map(|(name, s)| Holder {
            name: name.to_string(),
            own: 0.0,
            delegated: s.power,
            age_days: match (end, day_number(&s.first_time)) {
                (Some(e), Some(f)) => Some((e - f).max(0) as f64),
                _ => None,
            },
        }))
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD…` string.
fn day_number(s: &str) -> Option<i64> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ids() {
        assert_eq!(decode_proposal("2.1").unwrap().1, 10);
        assert_eq!(decode_proposal("2.2").unwrap().1, 20);
        assert_eq!(decode_proposal("2.09").unwrap().1, 9);
        assert_eq!(decode_proposal("2.23").unwrap().2, "Bravo #23");
        assert_eq!(decode_proposal("0.3").unwrap().2, "Alpha #3");
        assert_eq!(decode_proposal("1.2").unwrap().2, "Alpha v2 #2");
        assert_eq!(day_number("1970-01-02"), Some(1));
        assert_eq!(day_number("2022-07-15 00:00:00"), Some(19_188));
    }
}

//! Exit windows: can a user who sees a hostile proposal pass still leave before it executes?
//!
//! Margin = governance path delay − exit delay, L2BEAT-style: the governance path is voting
//! delay + voting period + timelock (a user alarmed at proposal time has all of it); a user
//! alarmed only when the vote passes has the timelock alone. Negative = trapped.

use serde::Serialize;

use crate::duration::Duration;
use crate::error::{GovernanceError, Result};
use crate::rules::Rules;

/// One governance system's exit window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExitWindow {
    /// Voting delay + voting period + timelock (known parts only).
    pub governance_delay: Duration,
    /// Whether every part of the path is known.
    pub delay_complete: bool,
    /// The timelock alone (time left after the vote passes).
    pub timelock: Option<Duration>,
    /// Time a user needs to leave.
    pub exit_delay: Duration,
    /// What leaving means.
    pub exit_what: String,
    /// Seconds of governance delay minus exit delay (from proposal); negative = trapped.
    pub margin_from_proposal: i64,
    /// Seconds of timelock minus exit delay (from the vote passing).
    pub margin_from_passing: Option<i64>,
    /// Bodies that can act without the token vote's delay.
    pub bypass: Vec<String>,
}

/// The exit window of a rules file (`None` when it has no `[exit]`).
pub fn exit_window(rules: &Rules) -> Option<ExitWindow> {
    let exit = rules.exit.as_ref()?;
    let (delay, complete) = rules.governance_delay();
    let timelock = rules.timelock.as_ref().map(|t| t.value);
    Some(ExitWindow {
        governance_delay: delay,
        delay_complete: complete,
        timelock,
        exit_delay: exit.delay,
        exit_what: exit.what.clone(),
        margin_from_proposal: delay.0 as i64 - exit.delay.0 as i64,
        margin_from_passing: timelock.map(|t| t.0 as i64 - exit.delay.0 as i64),
        bypass: rules
            .veto
            .iter()
            .filter(|v| v.power.contains("upgrade"))
            .map(|v| v.body.clone())
            .collect(),
    })
}

/// One row of the L2BEAT risk summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct L2Exit {
    /// L2BEAT id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Stage.
    pub stage: String,
    /// TVL in million USD.
    pub tvl_musd: f64,
    /// The `exit_window` field as written.
    pub raw: String,
    /// The window, when the field states one (`7d`); `None` for `None` (no window).
    pub window: Option<Duration>,
    /// Whether the notes say some body can upgrade with no delay (the window does not bind it).
    pub instant_upgrade: bool,
    /// L2BEAT's note.
    pub notes: String,
}

/// Parses `l2_risk_summary_top39.csv` (columns `id, name, stage, tvl_total_usd_millions,
/// exit_window, notes`).
pub fn parse_l2beat(text: &str, file: &str) -> Result<Vec<L2Exit>> {
    let err = |line: u64, message: String| GovernanceError::Table {
        file: file.to_string(),
        line,
        message,
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let h = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .ok_or_else(|| err(1, format!("no `{n}` column")))
    };
    let (ic, nc, sc, tc, ec, oc) = (
        col("id")?,
        col("name")?,
        col("stage")?,
        col("tvl_total_usd_millions")?,
        col("exit_window")?,
        col("notes")?,
    );
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| err(line, e.to_string()))?;
        let g = |c: usize| rec.get(c).unwrap_or("").trim().to_string();
        let raw = g(ec);
        let window = if raw.eq_ignore_ascii_case("none") || raw.is_empty() {
            None
        } else {
            Some(Duration::parse(&raw).map_err(|e| err(line, e.to_string()))?)
        };
        let notes = g(oc);
        let lower = notes.to_ascii_lowercase();
        out.push(L2Exit {
            id: g(ic),
            name: g(nc),
            stage: g(sc),
            tvl_musd: g(tc).parse().unwrap_or(0.0),
            raw,
            window,
            instant_upgrade: lower.contains("no delay")
                || lower.contains("instantly upgradable")
                || lower.contains("instant upgrade")
                || lower.contains("remove the delay"),
            notes,
        });
    }
    Ok(out)
}

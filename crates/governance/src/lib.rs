//! The governance capture lab: how hard is a DAO's governance to capture, and can users leave
//! before a hostile change executes?
//!
//! ```text
//! registry/governance/<dao>.toml ─▶ Rules (every field with its source)
//! power table (CSV/JSON) ─────────▶ PowerTable ─┐
//! vote records (CSV) ─▶ VoteRecords ─▶ latest power ─┤
//!                                               ├▶ coalitions (smallest winning / blocking, by name)
//!                                               ├▶ indices (Banzhaf, Shapley–Shubik: exact DP or sampled)
//!                                               ├▶ capture cost (buy, borrow, bribe vs value at stake)
//!                                               ├▶ exit window (governance delay − exit delay)
//!                                               └▶ mechanisms (quadratic, caps, conviction, dual governance)
//! ```
//!
//! Pure: parses text, computes, returns serialisable results; no I/O. Every model's
//! assumptions are in `docs/governance.md` and in the doc comment of its module.
//!
//! ```
//! use powermap_governance::{coalition, game::{DecisionRule, Turnout}, power::PowerTable,
//!     rules::QuorumCounts};
//!
//! let table = PowerTable::from_weights([("a", 40.0), ("b", 30.0), ("c", 20.0), ("d", 10.0)]);
//! // Pass with ≥ 25 For votes and For > Against; everyone else votes Against.
//! let rule = DecisionRule { quorum: 25.0, counts: QuorumCounts::For, approval: 0.5, strict: true };
//! let win = coalition::smallest_winning(&table, &rule, Turnout::Full);
//! assert_eq!(win.size, Some(2)); // a + b = 70 > 30
//! let block = coalition::smallest_blocking(&table, &rule);
//! assert_eq!(block.size, Some(2)); // a + b vote Against: 30 For < 70 Against
//! ```

pub mod capture;
pub mod coalition;
pub mod cost;
pub mod duration;
pub mod error;
pub mod exit;
pub mod game;
pub mod indices;
pub mod mechanism;
pub mod power;
pub mod report;
pub mod rules;
pub mod svg;
pub mod votes;

pub use error::{GovernanceError, Result};

/// A fraction between 0 and 1 as an option gives it, e.g. `0.3`.
pub(crate) fn fraction(s: &str) -> std::result::Result<f64, String> {
    let bad = || format!("expected a fraction between 0 and 1, got `{s}`");
    let v: f64 = s.parse().map_err(|_| bad())?;
    if !(0.0..=1.0).contains(&v) {
        return Err(bad());
    }
    Ok(v)
}

//! What the service shows: a [`Snapshot`] of the latest analyses, findings, constraint results
//! and source health, replaced as a whole after every ingest cycle.
//!
//! A snapshot is built the same way whether the analyses come from the store (the watch
//! service) or from a one-off run (the built-in dataset in tests and `--demo`):
//! [`Snapshot::build`], with findings from the findings stage.

use chrono::{DateTime, NaiveDate, Utc};
use powermap_findings::Stage;
use powermap_model::{Analysis, Finding};
use powermap_policy::{Constraint, Report};
use serde::Serialize;

/// Health of one ingest source, as the followers and the store report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceHealth {
    /// The source's name in the config (e.g. `bitcoin-core`).
    pub name: String,
    /// Its kind (`bitcoin_rpc`, `builtin`, …).
    pub kind: String,
    /// The network it feeds.
    pub network: String,
    /// Height of the newest block stored, if any.
    pub last_block: Option<u64>,
    /// Time of that block.
    pub last_block_time: Option<DateTime<Utc>>,
    /// Seconds between the newest block's time and now (how far behind the chain we are
    /// as far as we can tell: a stalled source grows this).
    pub lag_seconds: Option<f64>,
    /// Failed polls since the service started.
    pub errors_total: u64,
    /// The last error, if the latest poll failed.
    pub last_error: Option<String>,
    /// When the source was last polled.
    pub last_poll: Option<DateTime<Utc>>,
}

/// Everything the API, the metrics and the dashboard show, as of one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// One analysis per (network, layer).
    pub analyses: Vec<Analysis>,
    /// Statistical and security findings, plus violated/pending constraints, most severe
    /// first.
    pub findings: Vec<Finding>,
    /// The policy's results, when a policy is configured.
    pub report: Option<Report>,
    /// The policy's constraints (their limits become the charts' threshold lines).
    pub constraints: Vec<Constraint>,
    /// Source health.
    pub sources: Vec<SourceHealth>,
    /// When this snapshot was built.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Snapshot {
    /// Builds a snapshot: findings as `powermap analyze` lists them, from `stage` (its
    /// security models, and its policy evaluated on `today`).
    pub fn build(
        analyses: Vec<Analysis>,
        stage: &Stage,
        today: NaiveDate,
        sources: Vec<SourceHealth>,
    ) -> Snapshot {
        let found = stage.run(&analyses, today);
        Snapshot {
            analyses,
            findings: found.findings,
            report: found.policy,
            constraints: stage
                .policy()
                .map(|p| p.constraints.clone())
                .unwrap_or_default(),
            sources,
            updated_at: Some(Utc::now()),
        }
    }

    /// The analysis of one network layer.
    pub fn analysis(&self, network: &str, layer: &str) -> Option<&Analysis> {
        self.analyses
            .iter()
            .find(|a| a.network == network && a.layer.id() == layer)
    }

    /// Networks, sorted, each once.
    pub fn networks(&self) -> Vec<&str> {
        let mut n: Vec<&str> = self.analyses.iter().map(|a| a.network.as_str()).collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

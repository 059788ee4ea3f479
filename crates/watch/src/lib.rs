//! The watch service (`powermap watch`): polls its sources into the store, brings the
//! analyses up to date, runs the findings stage (statistics, security models, the policy),
//! turns violations into alerts and publishes everything through `powermap-serve` (API,
//! `/metrics`, dashboard, webhook).
//!
//! ```text
//!  watch.toml ──Config::load──▶ Config ──plan──▶ Plan (findings stage, store, followers)
//!                                                   │
//!   every interval: Watcher::cycle ─ poll followers ─▶ Store ─▶ IncrementalAnalysis / pipeline
//!                                  ─ built-in datasets (once) ─▶ pipeline
//!                                  ─ findings stage ─▶ Snapshot ──▶ Service::update (alerts, webhook)
//! ```
//!
//! [`Config`] is the file (docs/watch.md, examples/watch.toml); [`Watcher::cycle`] is one
//! cycle, blocking; [`Watch`] binds the API and runs cycles until shut down. Alerts are kept
//! in the store when the service has one ([`StoreAlerts`]).

mod alerts;
mod config;
mod cycle;
mod error;
mod service;
mod store;

pub use alerts::StoreAlerts;
pub use config::{AlertsConfig, AnalysisConfig, Config, Plan, ServerConfig, StoreConfig};
pub use cycle::{Watcher, WindowStats};
pub use error::{Result, WatchError};
pub use service::Watch;

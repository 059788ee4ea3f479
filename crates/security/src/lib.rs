//! Security models: which share of which layer breaks which property of a network, with the
//! paper or specification that says so, and who, by name, holds that share.
//!
//! Where it sits in the flow: after metrics, beside them.
//!
//! ```text
//! Analysis (per window: Distribution) ──┐
//! registry/security-models.toml ────────┴──▶ CoalitionResult (decisive coalitions by name)
//!                                          └▶ Spof (one entity crossing a threshold alone)
//! ```
//!
//! * [`SecurityModels`] holds cited [`FailureMode`]s: network (or `*`), layer, failure mode
//!   id, exact [`Threshold`](powermap_model::Threshold), [`Boundary`](powermap_model::Boundary)
//!   (`≥` or `>` as the protocol rule implies), [`Property`] (liveness or safety), citation
//!   and reason. [`SecurityModels::builtin`] embeds `registry/security-models.toml`;
//!   [`SecurityModels::load`] lays a user's file over it (replace or add).
//! * [`SecurityModels::models_for`] picks the models for a network and layer (the most
//!   specific network id with entries for that layer wins over the `*` defaults).
//! * [`decisive_coalitions`] / [`SecurityModels::decisive_coalitions`]: per failure mode,
//!   the fewest heaviest entities that cross its threshold (via
//!   [`powermap_metrics::decisive_coalition`], exact), listed with their shares.
//! * [`single_points_of_failure`]: every entity whose share alone crosses a threshold.
//!
//! Pure: no I/O except [`SecurityModels::load`] reading the override file.
//!
//! ```
//! use powermap_model::{Distribution, Layer};
//! use powermap_security::SecurityModels;
//!
//! let models = SecurityModels::builtin();
//! // Stake-weighted client shares: one client at 35 % of stake.
//! let d = Distribution::from_weights([("prysm", 35.0), ("lighthouse", 33.0), ("teku", 32.0)])
//!     .unwrap();
//! let coalitions = models.coalitions("ethereum", Layer::Software, &d, None);
//! let halt = coalitions.iter().find(|c| c.failure_mode == "halt_finality").unwrap();
//! assert_eq!(halt.size, Some(1)); // 35 % > 1/3
//! let spofs = models.spofs("ethereum", Layer::Software, &d, None);
//! assert_eq!(spofs.len(), 1);
//! assert_eq!(spofs[0].entity, "prysm");
//! assert!(spofs[0].breaks_liveness() && !spofs[0].breaks_safety());
//! ```

mod coalition;
mod error;
mod failure_mode;
mod models;
mod parse;
mod spof;

pub use coalition::{coalition_for, decisive_coalitions, decisive_coalitions_in, CoalitionResult};
pub use error::SecurityError;
pub use failure_mode::{FailureMode, Property};
pub use models::{SecurityModels, DEFAULT_MODELS, DEFAULT_ORIGIN};
pub use spof::{single_points_of_failure, single_points_of_failure_in, Crossing, Spof};

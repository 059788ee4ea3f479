//! The multi-layer Nakamoto coefficient: the fewest organisations — of any kind: operators,
//! clients, providers (ASN, cloud), countries, relays — that together touch a threshold of
//! the stake.
//!
//! Per-layer Nakamoto coefficients count each layer alone. But one hosting provider, one
//! client team and one country can each touch many validators, and a staking pool, its cloud
//! and its client can be one organisation. The question a network has to answer is "how few
//! organisations, of whatever kind, can halt it?"; this crate answers it exactly.
//!
//! ```text
//! rows (unit, weight, kind, org, fraction) ──┐
//! Owners (kind, org) → owner (optional) ─────┴─▶ DependencyModel ──solve(Query)──▶ CrossLayerResult
//! ```
//!
//! # Model
//!
//! * A **unit** (a validator, a staking entity) has a weight and **dependencies**
//!   `(kind, organisation, fraction)`: the part `fraction` ∈ (0, 1] of its weight that depends
//!   on that organisation (1 for a Solana validator's ASN; 0.4 for the Prysm part of a
//!   staking entity running 40 % Prysm).
//! * An organisation set `C` **takes out** of unit `u` the fraction
//!   `min(1, Σ fraction(d) for d ∈ deps(u) with org(d) ∈ C)`, and controls
//!   `F(C) = Σ_u weight(u) · that`. `F` is monotone and submodular (a sum of concave functions
//!   of sums), i.e. a weighted max-coverage objective.
//! * **Weakest link.** A failure (liveness) or coercion (safety) of any one dependency takes
//!   its part of the unit offline or under control; a unit needs all its dependencies.
//! * **Fractions within one kind are disjoint parts of the unit** (40 % on Prysm and 35 % on
//!   Lighthouse are different validators), so they add up to at most 1. Across kinds the
//!   fractions are also added (then capped at 1): the parts are taken as disjoint as they can
//!   be, the pessimistic case. It is exact when fractions are 1 (Solana) or when only one
//!   kind is fractional and the others are 1 (Ethereum: operator 1, client mix).
//! * **Owners**: `(kind, name)` pairs can be declared one organisation ([`Owners`]), e.g.
//!   operator `Coinbase` and provider `Coinbase Cloud`.
//!
//! # Coefficient
//!
//! The smallest `|C|` such that `F(C) / total` crosses the [`Threshold`] under the
//! [`Boundary`] (`≥` or `>`), compared exactly as in `powermap_model`. Optionally only
//! dependencies of chosen kinds count ([`Query::kinds`]); [`DependencyModel::per_kind`] gives
//! the single-layer coefficients, which are never smaller than the multi-layer one.
//!
//! Max coverage is NP-hard; the solver is exact by branch and bound (sizes `k` from a lower
//! bound up to the greedy size; depth-first over organisations sorted by marginal gain, pruned
//! by the submodular bound `F(C) + sum of the k − |C| largest marginal gains`). Past a node
//! budget it returns the greedy coalition flagged [`Exactness::UpperBound`] with the proven
//! lower bound; never silently. Ties break by organisation name. See `docs/cross-layer.md`.
//!
//! Pure: no I/O.
//!
//! ```
//! use powermap_crosslayer::{DependencyModel, Kind, Owners, Query, Row};
//! use powermap_model::{Boundary, Threshold};
//!
//! let rows = vec![
//!     Row::new("v1", 40.0, Kind::Provider, "Hetzner", 1.0),
//!     Row::new("v1", 40.0, Kind::Client, "Jito", 1.0),
//!     Row::new("v2", 35.0, Kind::Provider, "OVH", 1.0),
//!     Row::new("v2", 35.0, Kind::Client, "Firedancer", 1.0),
//!     Row::new("v3", 25.0, Kind::Provider, "Hetzner", 1.0),
//!     Row::new("v3", 25.0, Kind::Client, "Firedancer", 1.0),
//! ];
//! let m = DependencyModel::from_rows(rows, &Owners::new()).unwrap();
//! let q = Query::new(Threshold::new(9, 10).unwrap(), Boundary::AtLeast)
//!     .noun("stake")
//!     .label("finalize anything");
//! let r = m.solve(&q);
//! assert_eq!(r.size(), Some(2));
//! assert!(r.is_exact());
//! assert_eq!(
//!     r.statement(),
//!     "2 organisations — Hetzner (provider), Firedancer (client) — together touch 100.0 % \
//!      of stake ≥ 9/10: finalize anything"
//! );
//! // Each layer alone needs both of its organisations.
//! let single: Vec<_> = m.per_kind(Threshold::new(9, 10).unwrap(), Boundary::AtLeast)
//!     .iter().map(|r| r.size()).collect();
//! assert_eq!(single, [Some(2), Some(2)]);
//! ```

mod error;
mod kind;
mod model;
mod result;
mod solve;

pub use error::CrossLayerError;
pub use kind::Kind;
pub use model::{Dependency, DependencyModel, Organisation, Owners, Row};
pub use powermap_model::{Boundary, Threshold};
pub use result::{Coalition, CrossLayerResult, Exactness, Member};
pub use solve::{Query, DEFAULT_NODE_BUDGET};

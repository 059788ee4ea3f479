//! The vocabulary every powermap stage shares, and nothing else: no I/O, no policy.
//!
//! Data flows one way through the workspace:
//!
//! ```text
//! source ──ingest──▶ Observation ──attribution──▶ AttributedObservation
//!        ──windows──▶ Distribution (one per Window) ──metrics──▶ metric values
//! ```
//!
//! ```
//! use powermap_model::{Distribution, Threshold};
//! let d = Distribution::from_weights([("a", 3.0), ("b", 1.0)]).unwrap();
//! assert_eq!(d.entries()[0].name, "a");
//! assert!(Threshold::HALF.is_reached_by(3.0, d.total(), d.is_integral()));
//! ```

mod analysis;
mod distribution;
mod error;
mod finding;
mod layer;
mod located;
mod observation;
mod threshold;
mod window;

pub use analysis::{Analysis, Provenance, WindowResult};
pub use distribution::{Distribution, Share};
pub use error::ModelError;
pub use finding::{Finding, Severity};
pub use layer::Layer;
pub use located::{line_column, Located};
pub use observation::{AttributedObservation, Attribution, Claim, Observation, Rule};
pub use threshold::{Boundary, Threshold};
pub use window::{MetricValue, Window};

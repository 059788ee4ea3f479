//! Windows: which observations each distribution summarises.
//!
//! Sits between attribution and metrics:
//! `AttributedObservation → Aggregator::add → Aggregator::distributions(spec) → [(Window, Distribution)]`.
//!
//! Observations may arrive in any order: the [`Aggregator`] folds them into weight per
//! (UTC day, entity) — memory grows with days × entities, never with the number of
//! observations — and windows are cut afterwards. Block-count windows additionally keep one
//! small record per block.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use powermap_windows::{Aggregator, Population, WindowSpec};
//! let mut agg = Aggregator::new(false);
//! agg.add(Utc.with_ymd_and_hms(2024, 1, 2, 10, 0, 0).unwrap(), None, "A", 1.0);
//! agg.add(Utc.with_ymd_and_hms(2024, 1, 1, 10, 0, 0).unwrap(), None, "B", 1.0);
//! let spec = WindowSpec::days(2, 2);
//! let out = agg.distributions(&spec, Population::Window(0)).unwrap();
//! assert_eq!(out.len(), 1);
//! assert_eq!(out[0].1.total(), 2.0);
//! ```

mod aggregator;
mod error;
mod population;
mod spec;

pub use aggregator::Aggregator;
pub use error::WindowError;
pub use population::Population;
pub use spec::{Alignment, WindowSpec};

//! Errors from window specifications.

use thiserror::Error;

/// A window specification that cannot be applied.
#[derive(Debug, Error, PartialEq)]
pub enum WindowError {
    /// Estimation window or step of zero length.
    #[error("{what} must be at least 1, got 0")]
    Zero {
        /// Which parameter.
        what: &'static str,
    },
    /// Start date after end date.
    #[error("timeframe start {start} is after its end {end}")]
    Inverted {
        /// Start date.
        start: chrono::NaiveDate,
        /// End date.
        end: chrono::NaiveDate,
    },
    /// Block windows asked of observations without heights.
    #[error("block-count windows need block heights, but {0} observations have none")]
    MissingHeights(u64),
    /// A window spec string that does not parse.
    #[error("cannot read window spec `{0}`: expected e.g. `30d`, `1000blocks`, `month`, `all`")]
    BadSpec(String),
}

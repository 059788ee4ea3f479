//! Errors raised while turning metric ids into [`Metric`](crate::Metric)s.

use thiserror::Error;

/// A metric id that does not name a metric, or names one with a bad parameter.
///
/// Both variants are bad input (a config key or CLI value), never a bug in powermap.
#[derive(Debug, Error, PartialEq)]
pub enum MetricError {
    /// The name before `=` / `>` is not a known metric.
    #[error("unknown metric `{id}`; valid metric ids are: {valid}")]
    Unknown {
        /// The id as given.
        id: String,
        /// Every accepted id form, comma-separated.
        valid: &'static str,
    },
    /// The metric is known but its parameter is missing, extra or malformed.
    #[error("bad metric id `{id}`: {reason}; valid metric ids are: {valid}")]
    BadParameter {
        /// The id as given.
        id: String,
        /// What is wrong with the parameter.
        reason: String,
        /// Every accepted id form, comma-separated.
        valid: &'static str,
    },
}

//! Errors raised by the statistics in this crate.

use thiserror::Error;

/// Why a statistic could not be computed.
///
/// Every variant is bad input (a level outside (0, 1), a series too short, weights that are
/// not counts); none signals a bug in powermap.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    /// A confidence level outside the open interval (0, 1).
    #[error("confidence level {0} is not in (0, 1)")]
    BadLevel(f64),
    /// A binomial interval was asked for weights that are not whole counts (stake, votes).
    #[error("share intervals need whole-number counts (blocks); `{entity}` has weight {weight}")]
    NotCounts {
        /// The entity whose weight is fractional.
        entity: String,
        /// Its weight.
        weight: f64,
    },
    /// `k` successes out of `n` trials with `k > n`.
    #[error("{k} out of {n} is not a proportion")]
    BadCount {
        /// Successes.
        k: u64,
        /// Trials.
        n: u64,
    },
    /// A series has fewer usable points than the method needs.
    #[error("{what} needs at least {needed} points, got {got}")]
    TooShort {
        /// The method.
        what: &'static str,
        /// Points needed.
        needed: usize,
        /// Points given.
        got: usize,
    },
    /// A value that must be finite is NaN or infinite.
    #[error("{what} must be finite, got {value}")]
    NotFinite {
        /// What the value is.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// A parameter outside its documented range.
    #[error("bad parameter `{name}`: {reason}")]
    BadParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

pub(crate) fn check_level(level: f64) -> Result<(), StatsError> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::BadLevel(level))
    }
}

//! The one error type of the simulate crate.

/// Why a series, a scenario file or an option could not be used.
///
/// Inputs name where they come from (the series' network, the scenario file and scenario);
/// [`SimulateError::Internal`] is a bug in powermap and asks for a report.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// A series is unusable: no snapshot with weight, a bad weight, dates out of order.
    #[error("series `{network}`: {message}")]
    Series {
        /// The network the series describes.
        network: String,
        /// What is wrong.
        message: String,
    },
    /// A scenario file is not valid TOML or does not have the expected shape.
    #[error("{file}: not a valid scenario file")]
    ScenarioToml {
        /// The file name as given.
        file: String,
        /// The parser's error (names line and column).
        #[source]
        source: toml::de::Error,
    },
    /// A scenario rule has a bad field.
    #[error("{at}: field `{field}`: {message}")]
    Rule {
        /// Where: file, scenario id, rule position and kind.
        at: String,
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A scenario file is well formed but inconsistent (duplicate ids, no baseline…).
    #[error("{file}: {message}")]
    Scenario {
        /// The file name as given.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An option is out of range (runs, horizon, step…).
    #[error("{name}: {message}")]
    Option {
        /// The option.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A plot could not be drawn (a bug: the SVG backend writes to memory).
    #[error("drawing the fan chart failed: {0}")]
    Plot(String),
    /// A bug in powermap: please report it.
    #[error("internal error (please report this as a bug): {0}")]
    Internal(String),
}

/// Result with [`SimulateError`].
pub type Result<T, E = SimulateError> = std::result::Result<T, E>;

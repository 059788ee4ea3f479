//! EDI's population windows: which zero-weight entities a window's distribution includes.

use std::str::FromStr;

/// Which entities that produced nothing in a window still count in its population.
///
/// This changes only metrics whose `n` counts zeros (Gini, Theil); see `docs/metrics.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// EDI's `population_windows: p`: entities with weight in any of the windows `k−p … k+p`.
    /// `Window(0)` means only the window's own producers.
    Window(u32),
    /// EDI's `population_windows: all`: every entity seen in any window of the series.
    All,
}

impl Default for Population {
    /// EDI's shipped default, `population_windows: 1`.
    fn default() -> Self {
        Population::Window(1)
    }
}

impl FromStr for Population {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "all" => Ok(Population::All),
            n => n.parse().map(Population::Window).map_err(|_| {
                format!("population windows must be a whole number or `all`, got `{s}`")
            }),
        }
    }
}

impl std::fmt::Display for Population {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Population::Window(p) => write!(f, "{p}"),
            Population::All => f.write_str("all"),
        }
    }
}

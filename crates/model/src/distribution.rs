//! Weight per entity within one window, sorted once on construction.

use std::collections::HashMap;

use serde::Serialize;

use crate::ModelError;

/// One entity's weight in a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Entity name.
    pub name: String,
    /// Its weight (blocks, stake, votes…), ≥ 0.
    pub weight: f64,
}

/// Weight per entity in one window.
///
/// Entries are sorted by weight descending, then name ascending, so every metric sees the
/// same order. Entities with weight 0 may be present: EDI's *population windows* add entities
/// that produced nothing in this window but did nearby; they count in `n` for Gini and Theil.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Distribution {
    entries: Vec<Share>,
    total: f64,
    integral: bool,
}

impl Distribution {
    /// Builds a distribution, merging repeated names and rejecting bad weights.
    pub fn from_weights<I, S>(weights: I) -> Result<Self, ModelError>
    where
        I: IntoIterator<Item = (S, f64)>,
        S: Into<String>,
    {
        let mut merged: HashMap<String, f64> = HashMap::new();
        for (name, w) in weights {
            if !w.is_finite() || w < 0.0 {
                return Err(ModelError::BadWeight(w));
            }
            *merged.entry(name.into()).or_insert(0.0) += w;
        }
        Ok(Self::from_merged(merged))
    }

    fn from_merged(merged: HashMap<String, f64>) -> Self {
        let mut entries: Vec<Share> = merged
            .into_iter()
            .map(|(name, weight)| Share { name, weight })
            .collect();
        entries.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.name.cmp(&b.name))
        });
        let total = entries.iter().map(|s| s.weight).sum();
        let integral = entries
            .iter()
            .all(|s| s.weight.fract() == 0.0 && s.weight < 9.0e15);
        Distribution {
            entries,
            total,
            integral,
        }
    }

    /// All entries, heaviest first, including zero-weight population members.
    pub fn entries(&self) -> &[Share] {
        &self.entries
    }

    /// Entries with weight > 0, heaviest first.
    pub fn producers(&self) -> &[Share] {
        let n = self.entries.iter().take_while(|s| s.weight > 0.0).count();
        &self.entries[..n]
    }

    /// Number of entries, zero-weight population members included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the distribution has no weight at all (no entries, or only zeros).
    pub fn is_empty(&self) -> bool {
        self.total == 0.0
    }

    /// Sum of all weights.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// True when every weight is a whole number small enough for exact integer arithmetic.
    pub fn is_integral(&self) -> bool {
        self.integral
    }

    /// Share of the total held by entry `i` (0 when the distribution is empty).
    pub fn share(&self, i: usize) -> f64 {
        if self.total == 0.0 {
            0.0
        } else {
            self.entries[i].weight / self.total
        }
    }

    /// Weight of the named entity (0 if absent).
    pub fn weight_of(&self, name: &str) -> f64 {
        self.entries
            .iter()
            .find(|s| s.name == name)
            .map_or(0.0, |s| s.weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_merges_and_rejects() {
        let d = Distribution::from_weights([
            ("b", 1.0),
            ("a", 1.0),
            ("c", 5.0),
            ("b", 2.0),
            ("z", 0.0),
        ])
        .unwrap();
        let names: Vec<_> = d.entries().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["c", "b", "a", "z"]);
        assert_eq!(d.producers().len(), 3);
        assert_eq!(d.total(), 9.0);
        assert!(d.is_integral());
        assert!(Distribution::from_weights([("a", -1.0)]).is_err());
        assert!(Distribution::from_weights([("a", f64::NAN)]).is_err());
        assert!(!Distribution::from_weights([("a", 0.5)])
            .unwrap()
            .is_integral());
    }
}

//! Number of entities that produced anything.

use powermap_model::{Distribution, MetricValue};

/// Number of entities with weight > 0.
///
/// * **Formula.** `|{i : w_i > 0}|`; zero-weight population members are not counted.
/// * **Boundary rule.** Strictly positive weight.
/// * **Empty input:** `Int(0)`.
/// * **Range.** `0 ≤ N ≤ len`.
/// * **EDI.** Matches `compute_total_entities`.
pub fn total_entities(d: &Distribution) -> MetricValue {
    MetricValue::Int(d.producers().len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_producers_only() {
        let d = Distribution::from_weights([("a", 2.0), ("b", 0.0), ("c", 1.0)]).unwrap();
        assert_eq!(total_entities(&d), MetricValue::Int(2));
        assert_eq!(
            total_entities(&Distribution::default()),
            MetricValue::Int(0)
        );
    }
}

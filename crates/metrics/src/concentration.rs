//! Concentration ratio of the top k producers, and the max power ratio (k = 1).

use powermap_model::{Distribution, MetricValue};

/// Share of the total held by the `k` heaviest entities.
///
/// * **Formula.** `CR_k = (w_1 + … + w_k) / W`, weights sorted descending (fewer than `k`
///   producers: all of them).
/// * **Boundary rule.** None (fixed count, no threshold).
/// * **Empty input:** `Int(0)` — EDI returns the integer `0`, printed `0`.
/// * **Range.** `1/n ≤ CR_k ≤ 1` for `k ≥ 1`; non-decreasing in `k`; `CR_k = 1` when `k ≥ n`.
/// * **EDI.** Matches `compute_concentration_ratio` bit for bit (integer sum, one division).
pub fn concentration_ratio(d: &Distribution, k: usize) -> MetricValue {
    if d.is_empty() {
        return MetricValue::Int(0);
    }
    let top: f64 = d.producers().iter().take(k).map(|s| s.weight).sum();
    MetricValue::Float(top / d.total())
}

/// Share of the total held by the single heaviest entity.
///
/// * **Formula.** `max_i w_i / W`.
/// * **Boundary rule.** None.
/// * **Empty input:** `Int(0)`, as EDI's old `compute_max_power_ratio`.
/// * **Range.** `1/n ≤ MPR ≤ 1`.
/// * **EDI.** EDI's former metric `max_power_ratio`, removed when it was generalised to
///   `concentration_ratio`; identical to `concentration_ratio=1`. powermap keeps the id.
pub fn max_power_ratio(d: &Distribution) -> MetricValue {
    concentration_ratio(d, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    #[test]
    fn top_k() {
        let d = dist(&[5.0, 3.0, 2.0, 0.0]);
        assert_eq!(concentration_ratio(&d, 1), MetricValue::Float(0.5));
        assert_eq!(concentration_ratio(&d, 3), MetricValue::Float(1.0));
        assert_eq!(concentration_ratio(&d, 9), MetricValue::Float(1.0));
        assert_eq!(max_power_ratio(&d), MetricValue::Float(0.5));
        assert_eq!(concentration_ratio(&dist(&[]), 1), MetricValue::Int(0));
    }
}

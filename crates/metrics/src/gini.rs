//! Gini coefficient over the window's population (zero-weight members included).

use powermap_model::{Distribution, MetricValue};

/// Gini coefficient of all entries, zero-weight population members included.
///
/// * **Formula.** With the `n` weights sorted ascending `x_1 ≤ … ≤ x_n` and `W = Σ x_i`:
///   `G = Σ_i (2i − n − 1)·x_i / (n·W)`.
/// * **Boundary rule.** None.
/// * **Empty input** (no weight at all): [`MetricValue::Undefined`]. One entity: `Float(0.0)`.
/// * **Range.** `0 ≤ G ≤ (n − 1)/n < 1`; each zero-weight member raises it.
/// * **EDI.** Matches `compute_gini` (numpy, after oliviaguest/gini) bit for bit: with
///   whole-number weights the numerator and `n·W` are computed exactly in integers, as numpy
///   does on its int64 array, and divided once. `n` counts population members, so EDI's
///   `population_windows` setting changes this metric (and [`theil_index`](crate::theil_index)).
pub fn gini(d: &Distribution) -> MetricValue {
    if d.is_empty() {
        return MetricValue::Undefined;
    }
    let entries = d.entries();
    let n = entries.len();
    // Entries are sorted descending, so entry j (0-based) has ascending rank i = n − j and
    // coefficient 2i − n − 1 = n − 2j − 1.
    let coef = |j: usize| n as i128 - 2 * j as i128 - 1;
    let g = if d.is_integral() {
        let num: i128 = entries
            .iter()
            .enumerate()
            .map(|(j, s)| coef(j) * s.weight as i128)
            .sum();
        let den = n as i128 * d.total() as i128;
        num as f64 / den as f64
    } else {
        let num: f64 = entries
            .iter()
            .enumerate()
            .map(|(j, s)| coef(j) as f64 * s.weight)
            .sum();
        num / (n as f64 * d.total())
    };
    MetricValue::Float(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    fn round5(v: MetricValue) -> f64 {
        (v.as_f64().unwrap() * 1e5).round() / 1e5
    }

    // Values from EDI's tests/test_metrics.py (checked there against an online calculator).
    #[test]
    fn edi_test_suite_values() {
        assert_eq!(round5(gini(&dist(&[1.0, 2.0, 3.0, 4.0, 5.0]))), 0.26667);
        let x2 = [368.0, 156.0, 20.0, 7.0, 10.0, 49.0, 22.0, 1.0];
        assert_eq!(round5(gini(&dist(&x2))), 0.67792);
        assert_eq!(round5(gini(&dist(&[1.0, 1.0, 3.0, 0.0, 0.0]))), 0.56);
        assert_eq!(gini(&dist(&[])), MetricValue::Undefined);
    }

    #[test]
    fn zero_members_count() {
        // README example: 1 block + 3 zero-block population members.
        assert_eq!(gini(&dist(&[1.0, 0.0, 0.0, 0.0])), MetricValue::Float(0.75));
        assert_eq!(gini(&dist(&[0.0, 0.0])), MetricValue::Undefined);
        let frac = gini(&dist(&[0.5, 1.5])).as_f64().unwrap();
        assert!((frac - 0.25).abs() < 1e-15);
    }
}

//! Herfindahl–Hirschman index on the 0–10 000 scale.

use powermap_model::{Distribution, MetricValue};

/// Herfindahl–Hirschman index: the sum of squared percentage shares.
///
/// * **Formula.** `HHI = Σ_i (100·w_i / W)²` over producers, on the 0–10 000 scale.
/// * **Boundary rule.** None.
/// * **Empty input:** [`MetricValue::Undefined`]. One producer: `Float(10000.0)`.
/// * **Range.** `10000/n ≤ HHI ≤ 10000`, `n` = number of producers (zero-weight members add 0).
/// * **EDI.** Matches `compute_hhi` at commit 605ebc9 bit for bit: each term is
///   `(100·w / W)²` — multiply by 100 *before* dividing — summed heaviest first. The older
///   `(w / W · 100)²` form differs in the last digit (`[2, 1]` gives `5555.555555555557`
///   in EDI's output, `5555.555555555555` the old way).
pub fn hhi(d: &Distribution) -> MetricValue {
    if d.is_empty() {
        return MetricValue::Undefined;
    }
    let total = d.total();
    let h = d
        .producers()
        .iter()
        .map(|s| {
            let pct = 100.0 * s.weight / total;
            pct * pct
        })
        .sum();
    MetricValue::Float(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    // Values from EDI's tests/test_metrics.py, plus the last-digit case from its output.
    #[test]
    fn edi_values() {
        assert_eq!(hhi(&dist(&[1.0; 10])), MetricValue::Float(1000.0));
        assert_eq!(
            hhi(&dist(&[8.0, 6.0, 3.0, 3.0])),
            MetricValue::Float(2950.0)
        );
        assert_eq!(hhi(&dist(&[2.0, 2.0])), MetricValue::Float(5000.0));
        assert_eq!(hhi(&dist(&[1.0])), MetricValue::Float(10000.0));
        assert_eq!(
            hhi(&dist(&[2.0, 1.0])),
            MetricValue::Float(5555.555555555557)
        );
        assert_eq!(
            hhi(&dist(&[2.0, 1.0, 1.0, 1.0, 1.0])),
            MetricValue::Float(2222.2222222222226)
        );
        assert_eq!(hhi(&dist(&[])), MetricValue::Undefined);
    }
}

//! Rényi entropy of the producers' shares, and entropy relative to the uniform maximum.

use powermap_model::{Distribution, MetricValue};

/// Rényi entropy of order `alpha`, in bits, over the entities with weight > 0.
///
/// * **Formula.** With `p_i = w_i / W` over producers (weight > 0):
///   `alpha = 1` (Shannon): `H = −Σ p_i·log2 p_i`;
///   `alpha = −1` (EDI's "min-entropy" key): `H = −log2 max p_i`;
///   otherwise: `H = log2(Σ p_i^alpha) / (1 − alpha)` (`alpha = 0`: Hartley, `log2 n`;
///   `alpha = 2`: collision entropy).
/// * **Boundary rule.** None (no threshold).
/// * **Empty input** (no weight): [`MetricValue::Undefined`]. One producer: `Float(0.0)`.
/// * **Range.** `0 ≤ H ≤ log2 n`, `n` = number of producers; `log2 n` exactly when uniform.
/// * **EDI.** Matches `compute_entropy` bit for bit: the same operation order (shares in
///   descending order, `log(p, 2)` computed as `ln p / ln 2`). Zero-weight population
///   members are ignored, as in EDI (they would only matter for `alpha ≤ 0`).
pub fn entropy(d: &Distribution, alpha: f64) -> MetricValue {
    let weights: Vec<f64> = d.producers().iter().map(|s| s.weight).collect();
    match raw_entropy(&weights, alpha) {
        Some(h) => MetricValue::Float(h),
        None => MetricValue::Undefined,
    }
}

/// [`entropy`] divided by its maximum for the same number of producers: a fraction in [0, 1].
///
/// * **Formula.** `H_alpha(p) / H_alpha(uniform over n)`, `n` = number of producers. The
///   maximum is computed the way EDI does, as the entropy of `n` equal weights (not as
///   `log2 n`), so the uniform case gives exactly `1.0`.
/// * **Boundary rule.** None.
/// * **Empty input:** [`MetricValue::Undefined`]. One producer: `Int(0)` — EDI catches the
///   `0 / 0` `ZeroDivisionError` and returns the integer `0`, printed `0`, not `0.0`.
/// * **Range.** `[0, 1]` (a fraction, despite the name: EDI does not multiply by 100).
/// * **EDI.** Matches `compute_entropy_percentage` bit for bit, including the int `0`.
///   `n` counts producers only: population members with weight 0 do not raise the maximum.
pub fn entropy_percentage(d: &Distribution, alpha: f64) -> MetricValue {
    let weights: Vec<f64> = d.producers().iter().map(|s| s.weight).collect();
    let Some(h) = raw_entropy(&weights, alpha) else {
        return MetricValue::Undefined;
    };
    let uniform = vec![1.0; weights.len()];
    match raw_entropy(&uniform, alpha) {
        // Python raises ZeroDivisionError for `x / 0.0`; EDI returns the int 0 then.
        Some(max) if max != 0.0 => MetricValue::Float(h / max),
        _ => MetricValue::Int(0),
    }
}

/// EDI's `compute_entropy` on positive weights given heaviest first.
fn raw_entropy(weights: &[f64], alpha: f64) -> Option<f64> {
    if weights.is_empty() {
        return None;
    }
    let total: f64 = weights.iter().sum();
    let ln2 = 2f64.ln();
    // CPython's math.log(x, 2) is log(x) / log(2); log2(x) can differ in the last bit.
    let log2 = |x: f64| x.ln() / ln2;
    if alpha == 1.0 {
        let mut h = 0.0;
        for w in weights {
            let p = w / total;
            if p > 0.0 {
                h -= p * log2(p);
            }
        }
        return Some(h);
    }
    let probs = weights.iter().map(|w| w / total);
    if alpha == -1.0 {
        let max = probs.fold(f64::NEG_INFINITY, f64::max);
        return Some(-log2(max));
    }
    let sum: f64 = probs.map(|p| p.powf(alpha)).sum();
    Some(log2(sum) / (1.0 - alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    fn round3(v: MetricValue) -> f64 {
        (v.as_f64().unwrap() * 1000.0).round() / 1000.0
    }

    // Values from EDI's tests/test_metrics.py (checked there against online calculators).
    #[test]
    fn edi_test_suite_values() {
        let d = dist(&[1.0, 2.0, 3.0]);
        assert_eq!(round3(entropy(&d, 1.0)), 1.459);
        assert_eq!(round3(entropy(&d, -1.0)), 1.0);
        assert_eq!(round3(entropy_percentage(&d, 1.0)), 0.921);
        let d = dist(&[216.0, 432.0, 288.0, 64.0]);
        assert_eq!(round3(entropy(&d, 0.0)), 2.0);
        assert_eq!(round3(entropy(&d, 2.0)), 1.642);
        assert_eq!(entropy(&dist(&[]), 1.0), MetricValue::Undefined);
    }

    #[test]
    fn single_producer_and_zero_members() {
        let d = dist(&[5.0, 0.0, 0.0]);
        assert_eq!(entropy(&d, 1.0), MetricValue::Float(0.0));
        assert_eq!(entropy_percentage(&d, 1.0), MetricValue::Int(0));
        let d = dist(&[1.0, 1.0, 0.0]);
        assert_eq!(entropy(&d, 1.0), MetricValue::Float(1.0));
        assert_eq!(entropy_percentage(&d, 1.0), MetricValue::Float(1.0));
    }
}

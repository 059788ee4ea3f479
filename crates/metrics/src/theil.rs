//! Theil index (GE(1)) over the window's population.

use powermap_model::{Distribution, MetricValue};

/// Theil T index of all entries, zero-weight population members included.
///
/// * **Formula.** With `n` entries, `μ = W / n` and `x_i = w_i / μ`:
///   `T = (1/n)·Σ_{x_i > 0} x_i·ln x_i` (natural log; `0·ln 0 = 0`).
/// * **Boundary rule.** None.
/// * **Empty input** (no weight): `Int(0)` — EDI returns the integer `0`, printed `0`.
///   One entity alone: `Float(0.0)`.
/// * **Range.** `0 ≤ T ≤ ln n`; `ln n` when one of `n` members holds everything.
/// * **EDI.** Matches `compute_theil_index` bit for bit (terms summed heaviest first, the
///   order of EDI's sorted list). `n` counts population members, so with
///   `population_windows` one block among 4 members gives `ln 4`.
pub fn theil_index(d: &Distribution) -> MetricValue {
    if d.is_empty() {
        return MetricValue::Int(0);
    }
    let n = d.len() as f64;
    let mu = d.total() / n;
    let mut t = 0.0;
    for s in d.entries() {
        let x = s.weight / mu;
        if x > 0.0 {
            t += x * x.ln();
        }
    }
    MetricValue::Float(t / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    #[test]
    fn edi_readme_cases() {
        assert_eq!(theil_index(&dist(&[])), MetricValue::Int(0));
        assert_eq!(theil_index(&dist(&[4.0])), MetricValue::Float(0.0));
        assert_eq!(
            theil_index(&dist(&[1.0, 0.0, 0.0, 0.0])),
            MetricValue::Float(1.3862943611198906)
        );
        assert_eq!(theil_index(&dist(&[3.0, 3.0])), MetricValue::Float(0.0));
    }
}

//! Nakamoto coefficient at any threshold, EDI's τ-index, and the decisive coalition behind both.

use powermap_model::{Boundary, Distribution, MetricValue, Share, Threshold};

/// The fewest heaviest entities whose combined weight reaches `t` of the total under `b`.
///
/// Returns a prefix of [`Distribution::entries`] (heaviest first). It never includes a
/// zero-weight member: the producers alone already hold the whole total. `None` when the
/// distribution has no weight, or when the threshold cannot be reached (only `> 1`, i.e.
/// `Boundary::Greater` with `t = 1`). Comparisons are exact ([`Threshold::reached`]).
pub fn decisive_coalition(d: &Distribution, t: Threshold, b: Boundary) -> Option<&[Share]> {
    if d.is_empty() {
        return None;
    }
    let (total, integral) = (d.total(), d.is_integral());
    let mut covered = 0.0;
    for (i, s) in d.entries().iter().enumerate() {
        covered += s.weight;
        if t.reached(covered, total, integral, b) {
            return Some(&d.entries()[..=i]);
        }
    }
    None
}

/// Nakamoto coefficient at threshold `t`: the size of the [`decisive_coalition`].
///
/// * **Formula.** The smallest `k` such that the `k` heaviest entities hold, together, a
///   share `≥ t` (`Boundary::AtLeast`) or `> t` (`Boundary::Greater`) of the total.
/// * **Boundary rule.** Default `≥` (EDI's: its loop runs `while covered < t`, so it stops
///   at the first `k` with `covered ≥ t`). `>` is offered as `nakamoto_coefficient>1/2`.
///   The comparison is exact: `covered·den` vs `num·W` in `u128` for whole-number weights.
/// * **Empty input:** [`MetricValue::Undefined`]; also when `t` is unreachable (`>1`).
/// * **Range.** `1 ≤ k ≤ n`, `n` = number of producers; non-decreasing in `t`; the strict
///   variant is never smaller than the `≥` one.
/// * **EDI.** `nakamoto_coefficient` (no parameter) is this at `t = 1/2`, `≥`, and matches
///   EDI's `compute_nakamoto_coefficient`. EDI accumulates float shares (`w/W`) and compares
///   with a float threshold; powermap uses exact fractions, so the two can only disagree when
///   a float partial sum lands within one rounding error of `t`. powermap extends EDI with
///   any threshold (`nakamoto_coefficient=1/3`) and the strict variant.
pub fn nakamoto(d: &Distribution, t: Threshold, b: Boundary) -> MetricValue {
    match decisive_coalition(d, t, b) {
        Some(c) => MetricValue::Int(c.len() as u64),
        None => MetricValue::Undefined,
    }
}

/// EDI's τ-decentralization index: the Nakamoto coefficient at `t` with the `≥` rule.
///
/// * **Formula.** The smallest `k` whose `k` heaviest entities hold a share `≥ t`.
/// * **Boundary rule.** `≥` only (EDI's `while power_ratio_covered < threshold`).
/// * **Empty input:** [`MetricValue::Undefined`] (EDI returns `None`).
/// * **Range.** `1 ≤ τ ≤ n`, `n` = number of producers.
/// * **EDI.** Matches `compute_tau_index`; `tau_index=0.33` means exactly 33/100. EDI's float
///   accumulation could fall short of `t = 1` by a rounding error and then fail (`max()` of
///   an empty dict); the exact comparison here cannot.
pub fn tau_index(d: &Distribution, t: Threshold) -> MetricValue {
    nakamoto(d, t, Boundary::AtLeast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(w: &[f64]) -> Distribution {
        Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
            .unwrap()
    }

    const GE: Boundary = Boundary::AtLeast;
    const GT: Boundary = Boundary::Greater;

    // Values from EDI's tests/test_metrics.py.
    #[test]
    fn edi_test_suite_values() {
        let half = Threshold::HALF;
        assert_eq!(
            nakamoto(&dist(&[1.0, 2.0, 3.0]), half, GE),
            MetricValue::Int(1)
        );
        let d = dist(&[1.0, 2.0, 3.0, 1.0, 1.0, 1.0]);
        assert_eq!(nakamoto(&d, half, GE), MetricValue::Int(2));
        assert_eq!(nakamoto(&dist(&[1.0]), half, GE), MetricValue::Int(1));
        assert_eq!(nakamoto(&dist(&[]), half, GE), MetricValue::Undefined);
    }

    #[test]
    fn ties_at_threshold() {
        let d = dist(&[1.0, 1.0]);
        assert_eq!(nakamoto(&d, Threshold::HALF, GE), MetricValue::Int(1));
        assert_eq!(nakamoto(&d, Threshold::HALF, GT), MetricValue::Int(2));
        // 1 of 3 is exactly one third: a float 1/3 would also work here, 33/100 would not tie.
        let d = dist(&[2.0, 1.0]);
        assert_eq!(nakamoto(&d, Threshold::THIRD, GE), MetricValue::Int(1));
        assert_eq!(nakamoto(&d, Threshold::TWO_THIRDS, GE), MetricValue::Int(1));
        assert_eq!(nakamoto(&d, Threshold::TWO_THIRDS, GT), MetricValue::Int(2));
        assert_eq!(
            nakamoto(&d, Threshold::new(1, 1).unwrap(), GT),
            MetricValue::Undefined
        );
    }

    #[test]
    fn coalition_skips_zero_members() {
        let d = dist(&[3.0, 0.0, 0.0]);
        let c = decisive_coalition(&d, Threshold::new(1, 1).unwrap(), GE).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(decisive_coalition(&dist(&[0.0]), Threshold::HALF, GE), None);
    }
}

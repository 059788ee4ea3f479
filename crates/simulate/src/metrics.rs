//! The metrics a forecast is made for, computed fast on a weight vector plus a dispersed
//! remainder (checked against `powermap-metrics` by property tests).
//!
//! The remainder is weight that belongs to no named entity (unattributed blocks, unlabelled
//! validators). It is read as **dispersed**: many holders, each smaller than any named entity,
//! so it never joins a decisive coalition and adds nothing to HHI. Consequences, stated in
//! every output: a Nakamoto coefficient the named entities cannot reach alone is *not
//! determined* (NaN here), and HHI is a lower bound.

use powermap_model::{Boundary, Threshold};
use serde::Serialize;

/// A metric of the forecast, with the id `powermap-metrics` uses for the same quantity
/// (serialised as that id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    /// Nakamoto coefficient at a threshold (boundary `≥`, as EDI).
    Nakamoto {
        /// The threshold.
        threshold: Threshold,
    },
    /// The largest entity's share (`max_power_ratio`).
    TopShare,
    /// Herfindahl–Hirschman index on the 0–10 000 scale.
    Hhi,
    /// The largest group's share (e.g. the largest ASN's share of stake).
    TopGroupShare {
        /// The grouping kind, e.g. `asn`.
        kind: String,
    },
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id())
    }
}

impl Metric {
    /// The three decisive thresholds, top share and HHI: what every forecast reports.
    pub fn standard() -> Vec<Metric> {
        vec![
            Metric::Nakamoto {
                threshold: Threshold::THIRD,
            },
            Metric::Nakamoto {
                threshold: Threshold::HALF,
            },
            Metric::Nakamoto {
                threshold: Threshold::TWO_THIRDS,
            },
            Metric::TopShare,
            Metric::Hhi,
        ]
    }

    /// Stable id, as in `powermap-metrics` where it exists (`nakamoto_coefficient=1/2`,
    /// `max_power_ratio`, `hhi`), `top_group_share:<kind>` otherwise.
    pub fn id(&self) -> String {
        match self {
            Metric::Nakamoto { threshold } => format!("nakamoto_coefficient={threshold}"),
            Metric::TopShare => "max_power_ratio".into(),
            Metric::Hhi => "hhi".into(),
            Metric::TopGroupShare { kind } => format!("top_group_share:{kind}"),
        }
    }

    /// Short label for tables and charts.
    pub fn label(&self) -> String {
        match self {
            Metric::Nakamoto { threshold } => format!("NC {threshold}"),
            Metric::TopShare => "top share".into(),
            Metric::Hhi => "HHI".into(),
            Metric::TopGroupShare { kind } => format!("top {kind} share"),
        }
    }

    /// True for counts (Nakamoto coefficients), printed without decimals.
    pub fn is_count(&self) -> bool {
        matches!(self, Metric::Nakamoto { .. })
    }

    /// Formats a value of this metric (`not determined` for NaN).
    pub fn format(&self, v: f64) -> String {
        if v.is_nan() {
            return "not determined".into();
        }
        match self {
            Metric::Nakamoto { .. } => format!("{v:.0}"),
            Metric::Hhi => format!("{v:.0}"),
            Metric::TopShare | Metric::TopGroupShare { .. } => format!("{:.1} %", v * 100.0),
        }
    }
}

/// Values of [`Metric::standard`] for one weight vector: NC 1/3, 1/2, 2/3 (NaN when not
/// determined), top share, HHI. Sorts a copy; for one-off use on observed snapshots.
pub fn standard_values(weights: &[f64], remainder: f64) -> [f64; 5] {
    let mut sorted: Vec<f64> = weights.iter().copied().filter(|&w| w > 0.0).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let squares = sorted.iter().map(|w| w * w).sum::<f64>();
    let total = weights.iter().sum::<f64>() + remainder;
    values_sorted(sorted.iter().copied(), total, squares)
}

/// Metrics of weights given heaviest first, with their total (remainder included) and
/// their sum of squares.
pub(crate) fn values_sorted<I: Iterator<Item = f64>>(
    desc: I,
    total: f64,
    squares: f64,
) -> [f64; 5] {
    const T: [Threshold; 3] = [Threshold::THIRD, Threshold::HALF, Threshold::TWO_THIRDS];
    let mut out = [f64::NAN; 5];
    if total <= 0.0 {
        return out;
    }
    let mut covered = 0.0;
    let mut next = 0;
    let mut top = 0.0;
    for (k, w) in desc.enumerate() {
        if k == 0 {
            top = w;
        }
        covered += w;
        while next < 3 && T[next].reached(covered, total, false, Boundary::AtLeast) {
            out[next] = (k + 1) as f64;
            next += 1;
        }
        if next == 3 {
            break;
        }
    }
    out[3] = top / total;
    out[4] = squares / (total * total) * 10_000.0;
    out
}

/// Keeps the entities sorted by weight between evaluations. Only a few entities change
/// between two checkpoints, so the view re-sorts just those ([`SortedView::touch`]) and
/// merges them back: O(n + k log k) for k changed entities.
#[derive(Debug, Clone)]
pub(crate) struct SortedView {
    order: Vec<u32>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
    kept: Vec<u32>,
}

impl SortedView {
    /// A view over the slots of `w`, sorted by weight.
    pub(crate) fn new(w: &[f64]) -> Self {
        let mut order: Vec<u32> = (0..w.len() as u32).collect();
        order.sort_by(|&a, &b| w[b as usize].total_cmp(&w[a as usize]));
        SortedView {
            order,
            dirty: Vec::new(),
            is_dirty: vec![false; w.len()],
            kept: Vec::new(),
        }
    }

    /// Marks slot `i` as changed since the last evaluation.
    #[inline]
    pub(crate) fn touch(&mut self, i: usize) {
        if i >= self.is_dirty.len() {
            self.is_dirty.resize(i + 1, false);
        }
        if !self.is_dirty[i] {
            self.is_dirty[i] = true;
            self.dirty.push(i as u32);
        }
    }

    /// The standard metrics of `w` (plus a remainder: `total` includes it). Slots changed
    /// since the last call must have been [touched](SortedView::touch); slots beyond the
    /// last call's length count as new.
    pub(crate) fn values(&mut self, w: &[f64], total: f64) -> [f64; 5] {
        for i in self.order.len()..w.len() {
            self.touch(i);
        }
        if !self.dirty.is_empty() {
            let (order, dirty, flags) = (&mut self.order, &mut self.dirty, &mut self.is_dirty);
            self.kept.clear();
            self.kept
                .extend(order.iter().copied().filter(|&i| !flags[i as usize]));
            dirty.retain(|&i| (i as usize) < w.len());
            dirty.sort_by(|&a, &b| w[b as usize].total_cmp(&w[a as usize]));
            order.clear();
            let (mut a, mut b) = (0, 0);
            while a < self.kept.len() || b < dirty.len() {
                let take_kept = b == dirty.len()
                    || (a < self.kept.len() && w[self.kept[a] as usize] >= w[dirty[b] as usize]);
                if take_kept {
                    order.push(self.kept[a]);
                    a += 1;
                } else {
                    order.push(dirty[b]);
                    b += 1;
                }
            }
            for &i in dirty.iter() {
                flags[i as usize] = false;
            }
            dirty.clear();
        }
        let squares: f64 = w.iter().map(|x| x * x).sum();
        values_sorted(self.order.iter().map(|&i| w[i as usize]), total, squares)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_metrics::{hhi, max_power_ratio, nakamoto};
    use powermap_model::Distribution;
    use proptest::prelude::*;

    fn reference(w: &[f64]) -> [f64; 5] {
        let d =
            Distribution::from_weights(w.iter().enumerate().map(|(i, &w)| (format!("e{i}"), w)))
                .unwrap();
        let nc = |t| {
            nakamoto(&d, t, Boundary::AtLeast)
                .as_f64()
                .unwrap_or(f64::NAN)
        };
        [
            nc(Threshold::THIRD),
            nc(Threshold::HALF),
            nc(Threshold::TWO_THIRDS),
            max_power_ratio(&d).as_f64().unwrap(),
            hhi(&d).as_f64().unwrap(),
        ]
    }

    fn same(a: [f64; 5], b: [f64; 5]) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * y.abs().max(1.0))
    }

    proptest! {
        #[test]
        fn fast_values_match_powermap_metrics(
            w in prop::collection::vec(0.0f64..1e6, 1..60),
            changes in prop::collection::vec(0usize..60, 0..10),
        ) {
            prop_assume!(w.iter().sum::<f64>() > 0.0);
            let fast = standard_values(&w, 0.0);
            prop_assert!(same(fast, reference(&w)), "{fast:?} vs {:?}", reference(&w));
            let mut view = SortedView::new(&w);
            let total = w.iter().sum::<f64>();
            prop_assert!(same(view.values(&w, total), fast));
            // Change some weights (touched) and re-evaluate: the merge repairs the order.
            let mut w2 = w.clone();
            for (k, i) in changes.iter().enumerate() {
                let i = i % w2.len();
                w2[i] = (k as f64) * 7.0 % 1e3;
                view.touch(i);
            }
            let t2 = w2.iter().sum::<f64>();
            prop_assume!(t2 > 0.0);
            prop_assert!(same(view.values(&w2, t2), standard_values(&w2, 0.0)));
            // New entities appended.
            w2.extend([t2, 0.0, 1.0]);
            let t3 = t2 * 2.0 + 1.0;
            prop_assert!(same(view.values(&w2, t3), standard_values(&w2, 0.0)));
        }
    }

    #[test]
    fn remainder_is_dispersed() {
        // Named entities hold 60 %: NC at 2/3 is not determined, HHI counts them only.
        let v = standard_values(&[30.0, 20.0, 10.0], 40.0);
        assert_eq!(v[0], 2.0);
        assert_eq!(v[1], 2.0);
        assert!(v[2].is_nan());
        assert!((v[3] - 0.3).abs() < 1e-12);
        assert!((v[4] - 1400.0).abs() < 1e-9);
        assert_eq!(Metric::TopShare.format(0.3), "30.0 %");
        assert_eq!(Metric::standard()[2].format(f64::NAN), "not determined");
    }
}

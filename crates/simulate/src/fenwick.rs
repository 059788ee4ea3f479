//! A Fenwick tree of non-negative weights: change one weight, read the total and draw an
//! index with probability proportional to its weight, each in O(log n). This is what makes a
//! simulation step cost O(events × log n) instead of O(entities).

/// Sum tree over `n` non-negative weights.
#[derive(Debug, Clone)]
pub(crate) struct Fenwick {
    /// 1-based implicit tree, stored 0-based: `tree[i - 1]` covers `(i − lowbit(i), i]`.
    tree: Vec<f64>,
    /// The weights themselves.
    vals: Vec<f64>,
    /// Running total (re-summed on [`Fenwick::rebuild`]).
    total: f64,
    /// The padded length, a power of two (padding slots weigh 0).
    top: usize,
}

impl Fenwick {
    /// A tree over `vals` (padded with zeros to a power of two, so [`Fenwick::find`] needs
    /// no bounds test and compiles to conditional moves instead of unpredictable branches).
    pub(crate) fn new(mut vals: Vec<f64>) -> Self {
        let top = vals.len().next_power_of_two();
        vals.resize(top, 0.0);
        let mut f = Fenwick {
            tree: vec![0.0; top],
            vals,
            total: 0.0,
            top,
        };
        f.rebuild();
        f
    }

    /// Recomputes every node from the weights (removes accumulated rounding), O(n).
    pub(crate) fn rebuild(&mut self) {
        let n = self.vals.len();
        self.tree.copy_from_slice(&self.vals);
        for i in 1..=n {
            let j = i + (i & i.wrapping_neg());
            if j <= n {
                self.tree[j - 1] += self.tree[i - 1];
            }
        }
        self.total = self.vals.iter().sum();
    }

    /// Sets weight `i` to `v ≥ 0`.
    #[inline]
    pub(crate) fn set(&mut self, i: usize, v: f64) {
        let delta = v - self.vals[i];
        if delta == 0.0 {
            return;
        }
        self.vals[i] = v;
        self.total += delta;
        let n = self.vals.len();
        let mut k = i + 1;
        while k <= n {
            self.tree[k - 1] += delta;
            k += k & k.wrapping_neg();
        }
    }

    /// Sum of all weights.
    #[inline]
    pub(crate) fn total(&self) -> f64 {
        self.total.max(0.0)
    }

    /// The index whose cumulative range contains `u` (`0 ≤ u < total`): index `i` is drawn
    /// with probability `w_i / total` when `u` is uniform. Never returns a zero weight
    /// (rounding in the tree is corrected by a local search); `None` when every weight is 0
    /// (the running total can keep a rounding residue after all weights were zeroed).
    #[inline]
    pub(crate) fn find(&self, u: f64) -> Option<usize> {
        let mut pos = 0;
        let mut rem = u;
        let mut step = self.top;
        while step > 0 {
            let t = self.tree[pos + step - 1];
            let go = t <= rem;
            pos += if go { step } else { 0 };
            rem -= if go { t } else { 0.0 };
            step >>= 1;
        }
        let i = pos.min(self.top.checked_sub(1)?);
        if self.vals[i] > 0.0 {
            return Some(i);
        }
        self.nearest_positive(i)
    }

    /// The closest index with positive weight (rounding fallback; rare).
    #[cold]
    fn nearest_positive(&self, i: usize) -> Option<usize> {
        let down = self.vals[..i].iter().rposition(|&v| v > 0.0);
        let up = self.vals[i..].iter().position(|&v| v > 0.0).map(|k| i + k);
        match (down, up) {
            (Some(d), Some(u)) if i - d <= u - i => Some(d),
            (_, Some(u)) => Some(u),
            (d, None) => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn find_matches_a_linear_scan(
            vals in prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..10.0], 1..80),
            us in prop::collection::vec(0.0f64..1.0, 1..20),
            updates in prop::collection::vec((0usize..80, 0.0f64..10.0), 0..20),
        ) {
            let mut f = Fenwick::new(vals.clone());
            let mut v = vals;
            for (i, x) in updates {
                let i = i % v.len();
                f.set(i, x);
                v[i] = x;
            }
            let total: f64 = v.iter().sum();
            prop_assert!((f.total() - total).abs() < 1e-9);
            if total == 0.0 {
                prop_assert_eq!(f.find(0.0), None);
                return Ok(());
            }
            for u in us {
                let target = u * total;
                let got = f.find(target).unwrap();
                prop_assert!(v[got] > 0.0);
                // The linear answer: first index whose cumulative sum exceeds the target.
                let mut acc = 0.0;
                let want = v.iter().position(|&w| { acc += w; acc > target }).unwrap_or(v.len() - 1);
                let lo: f64 = v[..got].iter().sum();
                prop_assert!(got == want || (lo - target).abs() < 1e-9 || (lo + v[got] - target).abs() < 1e-9,
                    "got {got}, want {want}");
            }
        }
    }
}

//! A Fenwick tree over two columns of non-negative weights per slot (the weight itself and
//! the destination propensity): change a slot, read a column's total, and draw a slot with
//! probability proportional to a column, each in O(log n). This is what makes a simulation
//! step cost O(events × log n) instead of O(entities). Both columns share one index walk,
//! so an update touches each cache line once.

/// Column of the weights (sources are drawn ∝ weight).
pub(crate) const WEIGHT: usize = 0;
/// Column of the propensities (destinations are drawn ∝ propensity).
pub(crate) const PROPENSITY: usize = 1;

/// Sum tree over `n` slots of two weights each.
#[derive(Debug, Clone)]
pub(crate) struct Fenwick {
    /// 1-based implicit tree, stored 0-based: `tree[i - 1]` covers `(i − lowbit(i), i]`.
    tree: Vec<[f64; 2]>,
    /// The weights themselves.
    vals: Vec<[f64; 2]>,
    /// Running totals (re-summed on [`Fenwick::rebuild`]).
    total: [f64; 2],
    /// The padded length, a power of two (padding slots weigh 0).
    top: usize,
}

impl Fenwick {
    /// A tree over columns `a` and `b` (equal lengths), padded with zeros to a power of two
    /// so [`Fenwick::find`] needs no bounds test and compiles to conditional moves instead of
    /// unpredictable branches.
    pub(crate) fn new(a: &[f64], b: &[f64]) -> Self {
        let top = a.len().next_power_of_two();
        let mut vals: Vec<[f64; 2]> = a.iter().zip(b).map(|(&x, &y)| [x, y]).collect();
        vals.resize(top, [0.0; 2]);
        let mut f = Fenwick {
            tree: vec![[0.0; 2]; top],
            vals,
            total: [0.0; 2],
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
                let t = self.tree[i - 1];
                self.tree[j - 1][0] += t[0];
                self.tree[j - 1][1] += t[1];
            }
        }
        self.total = [0, 1].map(|c| self.vals.iter().map(|v| v[c]).sum());
    }

    /// Replaces column `c` with `v` (one value per slot, in order) and rebuilds.
    pub(crate) fn replace(&mut self, c: usize, v: impl Iterator<Item = f64>) {
        for (slot, x) in self.vals.iter_mut().zip(v) {
            slot[c] = x;
        }
        self.rebuild();
    }

    /// Sets slot `i` to `v ≥ 0` (both columns).
    #[inline]
    pub(crate) fn set(&mut self, i: usize, v: [f64; 2]) {
        let old = self.vals[i];
        let d = [v[0] - old[0], v[1] - old[1]];
        self.vals[i] = v;
        self.total[0] += d[0];
        self.total[1] += d[1];
        let n = self.vals.len();
        let mut k = i + 1;
        while k <= n {
            let t = &mut self.tree[k - 1];
            t[0] += d[0];
            t[1] += d[1];
            k += k & k.wrapping_neg();
        }
    }

    /// Sum of column `c`.
    #[inline]
    pub(crate) fn total(&self, c: usize) -> f64 {
        self.total[c].max(0.0)
    }

    /// The slot whose cumulative range in column `c` contains `u` (`0 ≤ u < total`): slot
    /// `i` is drawn with probability `v_i / total` when `u` is uniform. Never returns a zero
    /// weight (rounding in the tree is corrected by a local search); `None` when every weight
    /// is 0 (the running total can keep a rounding residue after all weights were zeroed).
    #[inline]
    pub(crate) fn find(&self, c: usize, u: f64) -> Option<usize> {
        let mut pos = 0;
        let mut rem = u;
        let mut step = self.top;
        while step > 0 {
            let t = self.tree[pos + step - 1][c];
            let go = t <= rem;
            pos += if go { step } else { 0 };
            rem -= if go { t } else { 0.0 };
            step >>= 1;
        }
        let i = pos.min(self.top - 1);
        if self.vals[i][c] > 0.0 {
            return Some(i);
        }
        self.nearest_positive(c, i)
    }

    /// The closest slot with positive weight in column `c` (rounding fallback; rare).
    #[cold]
    fn nearest_positive(&self, c: usize, i: usize) -> Option<usize> {
        let down = self.vals[..i].iter().rposition(|v| v[c] > 0.0);
        let up = self.vals[i..]
            .iter()
            .position(|v| v[c] > 0.0)
            .map(|k| i + k);
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
            // Column 1 holds the squares of column 0, so both are checked.
            let sq: Vec<f64> = vals.iter().map(|v| v * v).collect();
            let mut f = Fenwick::new(&vals, &sq);
            let mut v = vals;
            for (i, x) in updates {
                let i = i % v.len();
                f.set(i, [x, x * x]);
                v[i] = x;
            }
            for c in [WEIGHT, PROPENSITY] {
                let col: Vec<f64> = v.iter().map(|x| if c == WEIGHT { *x } else { x * x }).collect();
                let total: f64 = col.iter().sum();
                prop_assert!((f.total(c) - total).abs() < 1e-9);
                if total == 0.0 {
                    prop_assert_eq!(f.find(c, 0.0), None);
                    continue;
                }
                for &u in &us {
                    let target = u * total;
                    let got = f.find(c, target).unwrap();
                    prop_assert!(col[got] > 0.0);
                    // The linear answer: first slot whose cumulative sum exceeds the target.
                    let mut acc = 0.0;
                    let want = col.iter().position(|&w| { acc += w; acc > target }).unwrap_or(col.len() - 1);
                    let lo: f64 = col[..got].iter().sum();
                    prop_assert!(got == want || (lo - target).abs() < 1e-9 || (lo + col[got] - target).abs() < 1e-9,
                        "column {c}: got {got}, want {want}");
                }
            }
        }
    }
}

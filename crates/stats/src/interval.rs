//! Confidence intervals for each entity's share of a block-count distribution.
//!
//! A window's blocks are a sample of the hash power behind them: with `n` blocks, an entity
//! that truly holds share `p` finds `k ~ Binomial(n, p)` of them. Its observed share `k/n`
//! is therefore uncertain, and more so in short windows. Two standard intervals:
//!
//! * **Wilson score** ([`IntervalMethod::Wilson`], the default). Inverts the score test; its
//!   coverage stays close to the nominal level for every `p` and `n`, with shorter intervals
//!   than the exact method. Brown, Cai & DasGupta (2001, *Statistical Science* 16(2),
//!   "Interval Estimation for a Binomial Proportion") recommend it over the Wald interval and
//!   over Clopper–Pearson for this trade-off. It matches R's `prop.test(k, n,
//!   correct = FALSE)` and scipy's `binomtest(k, n).proportion_ci(method = "wilson")`.
//! * **Clopper–Pearson** ([`IntervalMethod::ClopperPearson`]). Inverts two one-sided
//!   binomial tests via Beta quantiles; coverage is *at least* the nominal level for every
//!   `p`, so it is conservative (wider). Use it when a guarantee matters more than length,
//!   e.g. a constraint that must not fire on noise. Matches R's `binom.test(k, n)$conf.int`.
//!
//! Both need whole-number weights (blocks). Stake or votes are not a sample, so
//! [`share_intervals`] refuses fractional weights with [`StatsError::NotCounts`].

use serde::Serialize;

use powermap_model::Distribution;

use crate::error::check_level;
use crate::special::{beta_quantile, normal_quantile};
use crate::StatsError;

/// Which binomial interval to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Wilson score interval (default): near-nominal coverage, short.
    #[default]
    Wilson,
    /// Clopper–Pearson exact interval: coverage ≥ nominal, conservative.
    ClopperPearson,
}

impl IntervalMethod {
    /// Stable id: `wilson` or `clopper_pearson`.
    pub fn id(self) -> &'static str {
        match self {
            IntervalMethod::Wilson => "wilson",
            IntervalMethod::ClopperPearson => "clopper_pearson",
        }
    }
}

/// A point estimate with a two-sided confidence interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl Interval {
    /// True when `x` lies in `[lo, hi]`.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// One entity's share in a window with its interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareInterval {
    /// Entity name.
    pub name: String,
    /// Its block count.
    pub count: u64,
    /// Share `count / total` with its interval.
    pub share: Interval,
}

/// Interval for a proportion `k/n` at confidence `level` (e.g. 0.95).
///
/// `n = 0` gives the uninformative `[0, 1]` around 0. Bounds are clamped to [0, 1].
pub fn proportion_interval(
    k: u64,
    n: u64,
    level: f64,
    method: IntervalMethod,
) -> Result<Interval, StatsError> {
    check_level(level)?;
    if k > n {
        return Err(StatsError::BadCount { k, n });
    }
    if n == 0 {
        return Ok(Interval {
            estimate: 0.0,
            lo: 0.0,
            hi: 1.0,
        });
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let alpha = 1.0 - level;
    let (lo, hi) = match method {
        IntervalMethod::Wilson => {
            let z = normal_quantile(1.0 - alpha / 2.0);
            let z2 = z * z;
            let denom = 1.0 + z2 / nf;
            let centre = (p + z2 / (2.0 * nf)) / denom;
            let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
            // At k = 0 and k = n the score interval touches the boundary exactly.
            let lo = if k == 0 { 0.0 } else { centre - half };
            let hi = if k == n { 1.0 } else { centre + half };
            (lo, hi)
        }
        IntervalMethod::ClopperPearson => {
            let lo = if k == 0 {
                0.0
            } else {
                beta_quantile(alpha / 2.0, kf, nf - kf + 1.0)
            };
            let hi = if k == n {
                1.0
            } else {
                beta_quantile(1.0 - alpha / 2.0, kf + 1.0, nf - kf)
            };
            (lo, hi)
        }
    };
    Ok(Interval {
        estimate: p,
        lo: lo.clamp(0.0, 1.0),
        hi: hi.clamp(0.0, 1.0),
    })
}

/// Intervals for every producer's share in `d` (heaviest first; zero-weight members skipped).
///
/// Fails with [`StatsError::NotCounts`] when a weight is not a whole number.
pub fn share_intervals(
    d: &Distribution,
    level: f64,
    method: IntervalMethod,
) -> Result<Vec<ShareInterval>, StatsError> {
    check_level(level)?;
    let n = counts_total(d)?;
    d.producers()
        .iter()
        .map(|s| {
            let k = s.weight as u64;
            Ok(ShareInterval {
                name: s.name.clone(),
                count: k,
                share: proportion_interval(k, n, level, method)?,
            })
        })
        .collect()
}

/// The total of `d` as a count, or [`StatsError::NotCounts`] naming a fractional weight.
pub(crate) fn counts_total(d: &Distribution) -> Result<u64, StatsError> {
    if !d.is_integral() {
        let bad = d
            .entries()
            .iter()
            .find(|s| s.weight.fract() != 0.0 || s.weight >= 9.0e15)
            .map(|s| (s.name.clone(), s.weight))
            .unwrap_or_default();
        return Err(StatsError::NotCounts {
            entity: bad.0,
            weight: bad.1,
        });
    }
    Ok(d.total() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(k, n, wilson95, exact95, wilson99, exact99)`. The 95 % rows for 81/263, 15/148,
    /// 0/20 and 1/29 are Newcombe's (1998, *Statistics in Medicine* 17, Table II) examples,
    /// which he prints to 4 places (81/263: Wilson 0.2553–0.3662, exact 0.2527–0.3676);
    /// all digits here are scipy 1.17 `binomtest(k, n).proportion_ci(level, method)`, which
    /// agrees with R's `prop.test(correct = FALSE)` and `binom.test`.
    #[allow(clippy::type_complexity)]
    const CASES: &[(u64, u64, [f64; 2], [f64; 2], [f64; 2], [f64; 2])] = &[
        (
            81,
            263,
            [0.2552885198782742, 0.36620957698280004],
            [0.25273674558504267, 0.36762192260134746],
            [0.24013690268760768, 0.3852825023182298],
            [0.236837358165538, 0.38625832566994095],
        ),
        (
            15,
            148,
            [0.06238639953073629, 0.16048724172330803],
            [0.05784401008344801, 0.16165049034947895],
            [0.05364486961396485, 0.18326735011315254],
            [0.047744559728815486, 0.18187753153797312],
        ),
        (
            0,
            20,
            [0.0, 0.16112515805281935],
            [0.0, 0.16843347098308548],
            [0.0, 0.2491054010987534],
            [0.0, 0.23272950098858936],
        ),
        (
            1,
            29,
            [0.006113214292762667, 0.17175521879320282],
            [0.0008726468835971072, 0.17764429548841465],
            [0.0040614941968838275, 0.23825425313641302],
            [0.00017283133270564689, 0.22960030657504218],
        ),
        (
            5,
            20,
            [0.11186170140766571, 0.468700877618744],
            [0.08657146910143455, 0.49104587170795755],
            [0.08736390840107405, 0.5371887921483027],
            [0.05833393605890944, 0.5597609077584391],
        ),
        (
            20,
            20,
            [0.8388748419471808, 1.0],
            [0.8315665290169145, 1.0],
            [0.7508945989012464, 1.0],
            [0.7672704990114109, 1.0],
        ),
    ];

    fn check(got: Interval, want: [f64; 2], what: &str) {
        let ok = |a: f64, b: f64| (a - b).abs() <= 1e-12;
        assert!(
            ok(got.lo, want[0]) && ok(got.hi, want[1]),
            "{what}: got [{}, {}], want {want:?}",
            got.lo,
            got.hi
        );
    }

    #[test]
    fn matches_published_and_scipy_values() {
        use IntervalMethod::*;
        for &(k, n, w95, e95, w99, e99) in CASES {
            let at = |lvl, m| proportion_interval(k, n, lvl, m).unwrap();
            check(at(0.95, Wilson), w95, &format!("wilson95 {k}/{n}"));
            check(at(0.95, ClopperPearson), e95, &format!("exact95 {k}/{n}"));
            check(at(0.99, Wilson), w99, &format!("wilson99 {k}/{n}"));
            check(at(0.99, ClopperPearson), e99, &format!("exact99 {k}/{n}"));
        }
    }

    #[test]
    fn clopper_pearson_is_wider_than_wilson_in_the_middle() {
        let w = proportion_interval(81, 263, 0.95, IntervalMethod::Wilson).unwrap();
        let e = proportion_interval(81, 263, 0.95, IntervalMethod::ClopperPearson).unwrap();
        assert!(e.hi - e.lo > w.hi - w.lo);
        assert!(w.contains(81.0 / 263.0) && e.contains(81.0 / 263.0));
    }

    #[test]
    fn rejects_bad_input() {
        let m = IntervalMethod::Wilson;
        assert_eq!(
            proportion_interval(1, 2, 1.0, m),
            Err(StatsError::BadLevel(1.0))
        );
        assert_eq!(
            proportion_interval(3, 2, 0.95, m),
            Err(StatsError::BadCount { k: 3, n: 2 })
        );
        let stake = Distribution::from_weights([("a", 1.5), ("b", 2.0)]).unwrap();
        assert!(matches!(
            share_intervals(&stake, 0.95, m),
            Err(StatsError::NotCounts { .. })
        ));
    }

    #[test]
    fn share_intervals_per_producer() {
        let d = Distribution::from_weights([("a", 81.0), ("b", 182.0), ("z", 0.0)]).unwrap();
        let v = share_intervals(&d, 0.95, IntervalMethod::Wilson).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].name, "a");
        check(v[1].share, CASES[0].2, "a");
    }
}

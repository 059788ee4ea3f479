//! The five summaries an ABC fit matches: the trends of top share and HHI (→ alpha), how
//! much the top share moves at a long lag and how much all shares churn (→ chunk), and how
//! much weight new entities take (→ entry).

use crate::forecast::quantile;

/// Number of summaries.
pub(crate) const NS: usize = 5;

/// Summaries the fit matches, in order.
pub const SUMMARIES: [&str; NS] = [
    "top share trend (per year)",
    "HHI trend (0–1 scale, per year)",
    "ln variance per day of top-share changes, long lag",
    "ln Σ share² changes per day, adjacent snapshots",
    "ln share gained by new entities per day",
];

/// The summaries of one series of share vectors observed on `days` (day 0 first).
///
/// Trends are least-squares slopes. The top share's variance is the mean squared change per
/// day at the *long lag* (a third of the span), where short-lived fluctuations and sampling
/// noise no longer dominate; churn is the mean over adjacent snapshots of every entity's
/// squared change per day. Concentration metrics are summarised directly because they are
/// what forecasts are scored on.
pub(crate) fn summaries(days: &[u32], shares: &[(Vec<f64>, f64)]) -> [f64; NS] {
    let x: Vec<f64> = days.iter().map(|&d| d as f64).collect();
    let stats: Vec<[f64; 5]> = shares
        .iter()
        .map(|(s, rest)| crate::metrics::standard_values(s, *rest))
        .collect();
    let top: Vec<f64> = stats.iter().map(|v| v[3]).collect();
    let hhi: Vec<f64> = stats.iter().map(|v| v[4] / 10_000.0).collect();
    let get = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
    let dt = |a: usize, b: usize| (days[b] - days[a]).max(1) as f64;
    let churn = |a: usize, b: usize| {
        let (sa, sb) = (&shares[a].0, &shares[b].0);
        let mut sq = (shares[a].1 - shares[b].1).powi(2);
        let (mut born, mut died) = (0.0, 0.0);
        for i in 0..sa.len().max(sb.len()) {
            let (p, q) = (get(sa, i), get(sb, i));
            sq += (q - p).powi(2);
            if p == 0.0 && q > 0.0 {
                born += q;
            }
            if p > 0.0 && q == 0.0 {
                died += p;
            }
        }
        (sq / dt(a, b), born / dt(a, b), died / dt(a, b))
    };
    let n = shares.len();
    let adjacent: Vec<(usize, usize)> = (1..n).map(|k| (k - 1, k)).collect();
    let lag = ((days[n - 1] - days[0]) as f64 / 3.0).max(1.0);
    let long: Vec<(usize, usize)> = (0..n)
        .filter_map(|a| Some((a, (a + 1..n).find(|&b| (days[b] - days[a]) as f64 >= lag)?)))
        .collect();
    let long = if long.is_empty() {
        adjacent.clone()
    } else {
        long
    };
    let mean = |v: &mut dyn Iterator<Item = f64>| {
        let (s, c) = v.fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
        s / c.max(1) as f64
    };
    let var = |m: &[f64], pairs: &[(usize, usize)]| {
        let v = mean(&mut pairs.iter().map(|&(a, b)| (m[b] - m[a]).powi(2) / dt(a, b)));
        (v + 1e-14).ln()
    };
    let c: Vec<(f64, f64, f64)> = adjacent.iter().map(|&(a, b)| churn(a, b)).collect();
    [
        slope(&x, &top) * 365.0,
        slope(&x, &hhi) * 365.0,
        var(&top, &long),
        (mean(&mut c.iter().map(|p| p.0)) + 1e-14).ln(),
        (mean(&mut c.iter().map(|p| p.1)) + 1e-9).ln(),
    ]
}

/// Least-squares slope of `y` on `x` (0 when `x` does not vary).
pub(crate) fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// Median absolute deviation, scaled to a standard deviation under normality; falls back to
/// the standard deviation when more than half the values are equal.
pub(crate) fn mad(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.to_vec();
    s.sort_by(f64::total_cmp);
    let med = quantile(&s, 0.5);
    let mut dev: Vec<f64> = s.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let m = 1.4826 * quantile(&dev, 0.5);
    if m > 0.0 {
        return m;
    }
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_see_trends_entry_and_exit() {
        let shares = vec![
            (vec![0.5, 0.5, 0.0], 0.0),
            (vec![0.6, 0.3, 0.1], 0.0),
            (vec![0.7, 0.0, 0.3], 0.0),
        ];
        let s = summaries(&[0, 365, 730], &shares);
        assert!((s[0] - 0.1).abs() < 1e-12, "{s:?}");
        assert!(s[4] > (1e-9f64).ln());
    }

    #[test]
    fn mad_falls_back_to_the_standard_deviation() {
        assert!((mad(&[1.0, 2.0, 3.0, 4.0, 100.0]) - 1.4826).abs() < 1e-12);
        assert!(mad(&[0.0, 0.0, 0.0, 1.0]) > 0.0);
    }
}

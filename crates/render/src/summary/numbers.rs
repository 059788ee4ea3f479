//! Human-oriented number formatting for the terminal summary.

use powermap_model::MetricValue;

/// Decimals that give about four significant digits for a number of this size.
fn decimals_for(x: f64) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 3;
    }
    let mag = x.abs().log10().floor() as i32;
    (3 - mag).clamp(0, 6) as usize
}

fn is_hhi(metric: &str) -> bool {
    metric == "hhi" || metric.starts_with("hhi=")
}

/// Decimals used for a metric's value (and its change): 0 for HHI, ~4 significant otherwise.
pub(crate) fn metric_decimals(metric: &str, v: f64) -> usize {
    if is_hhi(metric) {
        0
    } else {
        decimals_for(v)
    }
}

/// A metric value: counts as integers, HHI with no decimals, other reals with ~4 significant
/// digits; `n/a` when undefined.
pub fn format_metric(metric: &str, v: MetricValue) -> String {
    match v {
        MetricValue::Undefined => "n/a".into(),
        MetricValue::Int(i) => i.to_string(),
        MetricValue::Float(f)
            if f.is_finite() && f != 0.0 && (f.abs() < 1e-4 || f.abs() >= 1e6) =>
        {
            format!("{f:.3e}")
        }
        MetricValue::Float(f) => format!("{:.*}", metric_decimals(metric, f), f),
    }
}

/// The change `now − then` of a metric, signed, at the precision `now` is shown with; `n/a`
/// when either side is undefined.
pub fn format_change(metric: &str, now: MetricValue, then: MetricValue) -> String {
    match (now, then) {
        (MetricValue::Int(a), MetricValue::Int(b)) => {
            let d = a as i128 - b as i128;
            if d == 0 {
                "0".into()
            } else {
                format!("{d:+}")
            }
        }
        _ => match (now.as_f64(), then.as_f64()) {
            (Some(a), Some(b)) => {
                let d = a - b;
                if d != 0.0 && (d.abs() >= 1e6 || a.abs() >= 1e6) {
                    return format!("{d:+.3e}");
                }
                let dec = metric_decimals(metric, a);
                let s = format!("{:+.*}", dec, d);
                // `-0.000` reads as a fall; show an unsigned zero instead.
                if s[1..].chars().all(|c| c == '0' || c == '.') {
                    s[1..].to_string()
                } else {
                    s
                }
            }
            _ => "n/a".into(),
        },
    }
}

/// A share in [0, 1] as a percentage with two decimals: `35.20%`.
pub fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// A change of share in percentage points with two decimals: `+2.31`, `0.00`.
pub fn points(delta: f64) -> String {
    let s = format!("{:+.2}", delta * 100.0);
    if s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MetricValue::*;

    #[test]
    fn sensible_precision() {
        assert_eq!(format_metric("hhi", Float(1873.4)), "1873");
        assert_eq!(format_metric("gini", Float(0.812345)), "0.8123");
        assert_eq!(format_metric("entropy=1", Float(2.87149)), "2.871");
        assert_eq!(format_metric("theil_index", Float(12.3456)), "12.35");
        assert_eq!(format_metric("nakamoto_coefficient", Int(3)), "3");
        assert_eq!(format_metric("gini", Undefined), "n/a");
        assert_eq!(format_metric("gini", Float(0.0)), "0.000");
        assert_eq!(format_metric("x", Float(0.00001234)), "1.234e-5");
        assert_eq!(format_metric("x", Float(1.5e16)), "1.500e16");
    }

    #[test]
    fn signed_changes() {
        assert_eq!(format_change("nc", Int(2), Int(4)), "-2");
        assert_eq!(format_change("nc", Int(4), Int(4)), "0");
        assert_eq!(format_change("hhi", Float(1900.0), Float(1780.2)), "+120");
        assert_eq!(format_change("gini", Float(0.8), Float(0.8)), "0.0000");
        assert_eq!(format_change("gini", Float(0.8), Undefined), "n/a");
        assert_eq!(points(-0.00001), "0.00");
        assert_eq!(points(0.0231), "+2.31");
        assert_eq!(percent(0.352), "35.20%");
    }
}

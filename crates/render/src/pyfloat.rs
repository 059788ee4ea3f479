//! Numbers formatted exactly as Python's `str()` prints them, so files diff cleanly against
//! EDI's (which come from Python's `csv` module).

use powermap_model::MetricValue;

/// Formats `x` as Python's `repr(float)` / `str(float)`: the shortest digits that round-trip,
/// fixed notation when the decimal exponent is in `[-4, 16)` (always with a `.0` when whole),
/// scientific otherwise with a signed, at least two-digit exponent.
///
/// ```
/// use powermap_render::python_float;
/// assert_eq!(python_float(1.0), "1.0");
/// assert_eq!(python_float(1e-5), "1e-05");
/// assert_eq!(python_float(1.5e16), "1.5e+16");
/// assert_eq!(python_float(5555.555555555557), "5555.555555555557");
/// ```
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` yields the same shortest round-trip digits as Python's repr.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{esign}{:02}", exp.abs());
    }
    let n = digits.len() as i32;
    let point = exp + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

/// Formats a metric value as EDI's CSV files show it: counts as integers, reals as
/// [`python_float`], undefined as the empty string (Python's `None` in a CSV cell).
pub fn edi_value(v: MetricValue) -> String {
    match v {
        MetricValue::Undefined => String::new(),
        MetricValue::Int(i) => i.to_string(),
        MetricValue::Float(f) => python_float(f),
    }
}

/// Formats a weight: whole numbers below 2^53 as integers (`12`), others as [`python_float`].
pub fn weight(w: f64) -> String {
    if w.fract() == 0.0 && w.abs() < 9.0e15 {
        format!("{}", w as i64)
    } else {
        python_float(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1.0, "1.0"),
            (1e-05, "1e-05"),
            (1.5e16, "1.5e+16"),
            (1e16, "1e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (5555.555555555557, "5555.555555555557"),
            (0.3333333333333333, "0.3333333333333333"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1.2345e-7, "1.2345e-07"),
            (123456.0, "123456.0"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1e100, "1e+100"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
            (100.5, "100.5"),
            (2.0 / 3.0, "0.6666666666666666"),
        ];
        for (x, want) in cases {
            assert_eq!(python_float(*x), *want, "python_float({x:?})");
        }
    }

    #[test]
    fn edi_values_and_weights() {
        assert_eq!(edi_value(MetricValue::Int(3)), "3");
        assert_eq!(edi_value(MetricValue::Float(3.0)), "3.0");
        assert_eq!(edi_value(MetricValue::Undefined), "");
        assert_eq!(weight(12.0), "12");
        assert_eq!(weight(0.5), "0.5");
    }

    proptest::proptest! {
        #[test]
        fn round_trips(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            let s = python_float(x);
            proptest::prop_assert_eq!(s.parse::<f64>().unwrap(), x);
        }
    }
}

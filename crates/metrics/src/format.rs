//! Printing metric values exactly as EDI's CSV files do (Python `str()`).

use powermap_model::MetricValue;

/// Formats a value as Python's `str()` would, for byte-compatible EDI CSV output.
///
/// * `Undefined` (Python `None`, which `csv.writer` writes as nothing) → `""`.
/// * `Int(3)` → `"3"`.
/// * `Float` → Python's `repr(float)`: the shortest digit string that round-trips, in
///   positional notation when the decimal exponent `e` (value = `d.ddd × 10^e`) satisfies
///   `−4 ≤ e < 16`, with `.0` appended to whole numbers (`1.0`, `10000.0`), and in scientific
///   notation otherwise with a sign and at least two exponent digits (`1e-05`, `1.5e+16`).
///   Non-finite values print as `inf`, `-inf` and `nan`.
///
/// ```
/// use powermap_metrics::edi_format;
/// use powermap_model::MetricValue;
/// assert_eq!(edi_format(MetricValue::Float(5555.555555555557)), "5555.555555555557");
/// assert_eq!(edi_format(MetricValue::Float(1e-5)), "1e-05");
/// assert_eq!(edi_format(MetricValue::Int(0)), "0");
/// assert_eq!(edi_format(MetricValue::Undefined), "");
/// ```
pub fn edi_format(v: MetricValue) -> String {
    match v {
        MetricValue::Undefined => String::new(),
        MetricValue::Int(i) => i.to_string(),
        MetricValue::Float(f) => python_float(f),
    }
}

/// Python's `repr(float)` (`float_repr_style == 'short'`), e.g. `1.0`, `1e-05`, `1.5e+16`.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` yields the same shortest round-trip digits as CPython's dtoa mode 0.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let body = if (-4..16).contains(&exp) {
        positional(&digits, exp)
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{dot}{rest}e{esign}{:02}", exp.abs())
    };
    format!("{sign}{body}")
}

/// `digits` (no leading zero) scaled so the first digit has weight `10^exp`.
fn positional(digits: &str, exp: i32) -> String {
    let int_len = exp + 1;
    if int_len <= 0 {
        let zeros = "0".repeat((-int_len) as usize);
        return format!("0.{zeros}{digits}");
    }
    let int_len = int_len as usize;
    if int_len >= digits.len() {
        let zeros = "0".repeat(int_len - digits.len());
        format!("{digits}{zeros}.0")
    } else {
        let (int, frac) = digits.split_at(int_len);
        format!("{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        edi_format(MetricValue::Float(x))
    }

    // Expected strings are CPython 3.11 `repr()` outputs.
    #[test]
    fn python_reprs() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.375, "0.375"),
            (10000.0, "10000.0"),
            (5555.555555555557, "5555.555555555557"),
            (2222.2222222222226, "2222.2222222222226"),
            (1.3862943611198906, "1.3862943611198906"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0 / 3.0, "0.6666666666666666"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (1e100, "1e+100"),
            (1e-100, "1e-100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-2.5, "-2.5"),
            (-1e-7, "-1e-07"),
            (123.456, "123.456"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for &(x, want) in cases {
            assert_eq!(f(x), want, "repr of {x:e}");
        }
    }

    #[test]
    fn ints_and_none() {
        assert_eq!(edi_format(MetricValue::Int(0)), "0");
        assert_eq!(edi_format(MetricValue::Int(3)), "3");
        assert_eq!(
            edi_format(MetricValue::Int(u64::MAX)),
            "18446744073709551615"
        );
        assert_eq!(edi_format(MetricValue::Undefined), "");
    }

    proptest::proptest! {
        #[test]
        fn python_float_round_trips(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            let s = python_float(x);
            proptest::prop_assert_eq!(s.parse::<f64>().unwrap(), x);
        }
    }
}

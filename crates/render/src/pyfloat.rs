//! Numbers formatted exactly as Python's `str()` prints them, so files diff cleanly against
//! EDI's (which come from Python's `csv` module). The formatting itself lives in
//! `powermap-metrics` ([`python_float`], [`edi_value`]); this adds weights.

pub use powermap_metrics::{edi_format as edi_value, python_float};

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
    fn weights_print_as_integers_when_whole() {
        assert_eq!(weight(12.0), "12");
        assert_eq!(weight(0.5), "0.5");
    }
}

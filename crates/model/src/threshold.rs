//! Thresholds as exact fractions, and the boundary rule used to compare against them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Whether reaching a threshold means `share ≥ t` or `share > t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    /// `share ≥ t`: EDI's rule (its τ-index loop stops once the covered share is no longer
    /// below `t`). The default, so results match EDI; also the right rule for "can block a
    /// quorum that needs more than 2/3" (holding ≥ 1/3 suffices).
    #[default]
    AtLeast,
    /// `share > t`: "strictly more than half", the rule of most Nakamoto-coefficient trackers.
    Greater,
}

impl Boundary {
    /// Stable id: `at_least` or `greater`.
    pub fn id(self) -> &'static str {
        match self {
            Boundary::AtLeast => "at_least",
            Boundary::Greater => "greater",
        }
    }
}

impl FromStr for Boundary {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "at_least" | "ge" | ">=" => Ok(Boundary::AtLeast),
            "greater" | "gt" | ">" => Ok(Boundary::Greater),
            _ => Err(format!(
                "unknown boundary `{s}` (expected at_least or greater)"
            )),
        }
    }
}

/// A threshold `num/den` in (0, 1], kept exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Threshold {
    num: u64,
    den: u64,
}

impl Threshold {
    /// One third: halts BFT finality.
    pub const THIRD: Threshold = Threshold { num: 1, den: 3 };
    /// One half: controls a PoW chain or an LMD-GHOST head.
    pub const HALF: Threshold = Threshold { num: 1, den: 2 };
    /// Two thirds: finalizes anything in BFT protocols.
    pub const TWO_THIRDS: Threshold = Threshold { num: 2, den: 3 };

    /// A threshold `num/den`; must lie in (0, 1].
    pub fn new(num: u64, den: u64) -> Result<Self, ModelError> {
        if den == 0 || num == 0 || num > den {
            return Err(ModelError::BadThreshold(format!("{num}/{den}")));
        }
        let g = gcd(num, den);
        Ok(Threshold {
            num: num / g,
            den: den / g,
        })
    }

    /// Numerator (reduced).
    pub fn num(self) -> u64 {
        self.num
    }

    /// Denominator (reduced).
    pub fn den(self) -> u64 {
        self.den
    }

    /// The threshold as a float (for display and plotting only).
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Does `part` out of `total` reach this threshold under `boundary`?
    ///
    /// With `integral` weights the comparison `part·den ⋚ num·total` is exact in `u128`;
    /// otherwise it is done in `f64` on the same cross-multiplied form.
    pub fn reached(self, part: f64, total: f64, integral: bool, boundary: Boundary) -> bool {
        if total <= 0.0 {
            return false;
        }
        let ord = if integral {
            let lhs = (part as u128) * self.den as u128;
            let rhs = (total as u128) * self.num as u128;
            lhs.cmp(&rhs)
        } else {
            let lhs = part * self.den as f64;
            let rhs = total * self.num as f64;
            lhs.total_cmp(&rhs)
        };
        match boundary {
            Boundary::AtLeast => ord.is_ge(),
            Boundary::Greater => ord.is_gt(),
        }
    }

    /// Shorthand for [`Threshold::reached`] with the default boundary (`≥`).
    pub fn is_reached_by(self, part: f64, total: f64, integral: bool) -> bool {
        self.reached(part, total, integral, Boundary::AtLeast)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl FromStr for Threshold {
    type Err = ModelError;

    /// Accepts `1/3`, `0.5`, `0.33` (read as 33/100 exactly) and `50%`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::BadThreshold(s.to_string());
        let s = s.trim();
        if let Some((n, d)) = s.split_once('/') {
            let n = n.trim().parse().map_err(|_| bad())?;
            let d = d.trim().parse().map_err(|_| bad())?;
            return Threshold::new(n, d).map_err(|_| bad());
        }
        let (digits, scale) = match s.strip_suffix('%') {
            Some(p) => (p.trim(), 100u64),
            None => (s, 1u64),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty() || frac.len() > 15 || int.len() > 3 {
            return Err(bad());
        }
        if !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let den = 10u64.pow(frac.len() as u32) * scale;
        let num: u64 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        Threshold::new(num, den).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fractions_decimals_and_percent() {
        assert_eq!("1/3".parse::<Threshold>().unwrap(), Threshold::THIRD);
        assert_eq!("0.5".parse::<Threshold>().unwrap(), Threshold::HALF);
        assert_eq!("50%".parse::<Threshold>().unwrap(), Threshold::HALF);
        assert_eq!(
            "0.33".parse::<Threshold>().unwrap(),
            Threshold::new(33, 100).unwrap()
        );
        for bad in ["0", "1.5", "x", "1/0", "", ".", "-0.5", "2/1"] {
            assert!(bad.parse::<Threshold>().is_err(), "{bad}");
        }
    }

    #[test]
    fn boundary_at_exact_tie() {
        assert!(Threshold::HALF.reached(1.0, 2.0, true, Boundary::AtLeast));
        assert!(!Threshold::HALF.reached(1.0, 2.0, true, Boundary::Greater));
        assert!(Threshold::THIRD.reached(1.0, 3.0, true, Boundary::AtLeast));
        assert!(!Threshold::THIRD.reached(1.0, 3.0, true, Boundary::Greater));
        assert!(!Threshold::HALF.reached(0.0, 0.0, true, Boundary::AtLeast));
    }
}

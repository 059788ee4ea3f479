//! The [`Metric`] enum: ids, parsing, dispatch, and the EDI / default metric sets.

use powermap_model::{Boundary, Distribution, MetricValue, Threshold};

use crate::{
    concentration_ratio, entropy, entropy_percentage, gini, hhi, max_power_ratio, nakamoto,
    tau_index, theil_index, total_entities, MetricError,
};

/// Every accepted id form, shown in parse errors and `--help`.
pub const VALID_IDS: &str = "entropy=<alpha>, entropy_percentage=<alpha>, gini, hhi, \
     nakamoto_coefficient, nakamoto_coefficient=<threshold>, nakamoto_coefficient><threshold>, \
     theil_index, concentration_ratio=<k>, tau_index=<threshold>, total_entities, \
     max_power_ratio (alpha: a number such as 1, 0, 2, -1; threshold: a fraction in (0, 1] \
     such as 1/3, 0.66 or 50%; k: an integer ≥ 1)";

/// A concentration metric and its parameters; [`Metric::compute`] applies it to a window.
///
/// Each variant's definition, boundary rule, empty-input result, range and relation to EDI
/// are documented on the function it dispatches to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Rényi entropy of order `alpha`, in bits; see [`entropy()`](crate::entropy()).
    Entropy {
        /// Order: 1 Shannon, 0 Hartley, 2 collision, −1 min-entropy (EDI's convention).
        alpha: f64,
    },
    /// Entropy as a fraction of its maximum; see [`entropy_percentage()`](crate::entropy_percentage()).
    EntropyPercentage {
        /// Order, as for [`Metric::Entropy`].
        alpha: f64,
    },
    /// Gini coefficient over the population; see [`gini()`](crate::gini()).
    Gini,
    /// Herfindahl–Hirschman index, 0–10 000; see [`hhi()`](crate::hhi()).
    Hhi,
    /// Fewest heaviest entities reaching `threshold`; see [`nakamoto()`](crate::nakamoto()).
    Nakamoto {
        /// Share to reach, exact.
        threshold: Threshold,
        /// `≥` (default, EDI's) or `>`.
        boundary: Boundary,
    },
    /// Theil index over the population; see [`theil_index()`](crate::theil_index()).
    Theil,
    /// Share of the `k` heaviest; see [`concentration_ratio()`](crate::concentration_ratio()).
    ConcentrationRatio {
        /// How many of the heaviest entities to sum.
        k: usize,
    },
    /// EDI's τ-index (Nakamoto at `threshold`, `≥`); see [`tau_index()`](crate::tau_index()).
    Tau {
        /// Share to reach, exact (`0.33` is 33/100).
        threshold: Threshold,
    },
    /// Number of entities with weight > 0; see [`total_entities()`](crate::total_entities()).
    TotalEntities,
    /// Share of the heaviest entity; see [`max_power_ratio()`](crate::max_power_ratio()).
    MaxPowerRatio,
}

impl Metric {
    /// EDI's `nakamoto_coefficient`: threshold 1/2, boundary `≥`.
    pub const NAKAMOTO: Metric = Metric::Nakamoto {
        threshold: Threshold::HALF,
        boundary: Boundary::AtLeast,
    };

    /// Stable column id; EDI's name where EDI has the metric (`entropy=1`, `tau_index=0.33`).
    ///
    /// [`Metric::parse`] inverts it: `Metric::parse(&m.id()) == Ok(m)`.
    pub fn id(&self) -> String {
        match *self {
            Metric::Entropy { alpha } => format!("entropy={}", fmt_number(alpha)),
            Metric::EntropyPercentage { alpha } => {
                format!("entropy_percentage={}", fmt_number(alpha))
            }
            Metric::Gini => "gini".into(),
            Metric::Hhi => "hhi".into(),
            Metric::Nakamoto {
                threshold,
                boundary,
            } => match boundary {
                Boundary::AtLeast if threshold == Threshold::HALF => "nakamoto_coefficient".into(),
                Boundary::AtLeast => format!("nakamoto_coefficient={threshold}"),
                Boundary::Greater => format!("nakamoto_coefficient>{threshold}"),
            },
            Metric::Theil => "theil_index".into(),
            Metric::ConcentrationRatio { k } => format!("concentration_ratio={k}"),
            Metric::Tau { threshold } => format!("tau_index={}", fmt_threshold(threshold)),
            Metric::TotalEntities => "total_entities".into(),
            Metric::MaxPowerRatio => "max_power_ratio".into(),
        }
    }

    /// Parses an id as written by [`Metric::id`], config files or the CLI.
    ///
    /// Thresholds accept `1/3`, `0.66` (exactly 66/100) and `50%`;
    /// `nakamoto_coefficient>=t` is accepted as a synonym of `nakamoto_coefficient=t`.
    pub fn parse(s: &str) -> Result<Metric, MetricError> {
        let id = s.trim();
        let (name, param) = match id.find(['=', '>']) {
            Some(i) => (&id[..i], Some(&id[i..])),
            None => (id, None),
        };
        let bad = |reason: String| MetricError::BadParameter {
            id: s.to_string(),
            reason,
            valid: VALID_IDS,
        };
        // `=value`, the only parameter form outside nakamoto_coefficient.
        let value = |p: Option<&str>, what: &str| -> Result<String, MetricError> {
            match p.and_then(|p| p.strip_prefix('=')) {
                Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
                _ => Err(bad(format!("`{name}` needs `={what}`"))),
            }
        };
        let no_param = |m: Metric| match param {
            None => Ok(m),
            Some(_) => Err(bad(format!("`{name}` takes no parameter"))),
        };
        let threshold = |v: &str| {
            v.parse::<Threshold>()
                .map_err(|e| bad(format!("threshold `{v}`: {e}")))
        };
        let alpha = |v: &str| match v.parse::<f64>() {
            Ok(a) if a.is_finite() => Ok(a),
            _ => Err(bad(format!("alpha `{v}` is not a finite number"))),
        };
        match name.trim() {
            "entropy" => Ok(Metric::Entropy {
                alpha: alpha(&value(param, "<alpha>")?)?,
            }),
            "entropy_percentage" => Ok(Metric::EntropyPercentage {
                alpha: alpha(&value(param, "<alpha>")?)?,
            }),
            "gini" => no_param(Metric::Gini),
            "hhi" => no_param(Metric::Hhi),
            "theil_index" => no_param(Metric::Theil),
            "total_entities" => no_param(Metric::TotalEntities),
            "max_power_ratio" => no_param(Metric::MaxPowerRatio),
            "nakamoto_coefficient" => {
                let Some(p) = param else {
                    return Ok(Metric::NAKAMOTO);
                };
                let (boundary, v) = if let Some(v) = p.strip_prefix(">=") {
                    (Boundary::AtLeast, v)
                } else if let Some(v) = p.strip_prefix('>') {
                    (Boundary::Greater, v)
                } else {
                    (Boundary::AtLeast, &p[1..])
                };
                Ok(Metric::Nakamoto {
                    threshold: threshold(v.trim())?,
                    boundary,
                })
            }
            "concentration_ratio" => {
                let v = value(param, "<k>")?;
                match v.parse::<usize>() {
                    Ok(k) if k >= 1 => Ok(Metric::ConcentrationRatio { k }),
                    _ => Err(bad(format!("k `{v}` must be an integer ≥ 1"))),
                }
            }
            "tau_index" => Ok(Metric::Tau {
                threshold: threshold(&value(param, "<threshold>")?)?,
            }),
            _ => Err(MetricError::Unknown {
                id: s.to_string(),
                valid: VALID_IDS,
            }),
        }
    }

    /// Applies the metric to one window's distribution.
    ///
    /// Returns `Int` or `Float` exactly where EDI's Python returns `int` or `float`, so
    /// [`edi_format`](crate::edi_format) reproduces EDI's CSV cells.
    pub fn compute(&self, d: &Distribution) -> MetricValue {
        match *self {
            Metric::Entropy { alpha } => entropy(d, alpha),
            Metric::EntropyPercentage { alpha } => entropy_percentage(d, alpha),
            Metric::Gini => gini(d),
            Metric::Hhi => hhi(d),
            Metric::Nakamoto {
                threshold,
                boundary,
            } => nakamoto(d, threshold, boundary),
            Metric::Theil => theil_index(d),
            Metric::ConcentrationRatio { k } => concentration_ratio(d, k),
            Metric::Tau { threshold } => tau_index(d, threshold),
            Metric::TotalEntities => total_entities(d),
            Metric::MaxPowerRatio => max_power_ratio(d),
        }
    }

    /// One line for `--help` and the docs.
    pub fn describe(&self) -> &'static str {
        match self {
            Metric::Entropy { .. } => {
                "Rényi entropy of order alpha of the producers' shares, in bits (alpha=1: Shannon)"
            }
            Metric::EntropyPercentage { .. } => {
                "entropy divided by its maximum log2(n) for n producers: a fraction in [0, 1]"
            }
            Metric::Gini => "Gini coefficient of the window's population, zero-weight members included",
            Metric::Hhi => "Herfindahl–Hirschman index: sum of squared percentage shares, 0–10000",
            Metric::Nakamoto { .. } => {
                "fewest heaviest entities whose combined share reaches the threshold (default ≥ 1/2)"
            }
            Metric::Theil => "Theil T index of the window's population, zero-weight members included",
            Metric::ConcentrationRatio { .. } => "combined share of the k heaviest entities",
            Metric::Tau { .. } => {
                "EDI's tau-index: fewest heaviest entities whose combined share is ≥ the threshold"
            }
            Metric::TotalEntities => "number of entities with weight > 0",
            Metric::MaxPowerRatio => "share of the heaviest entity (= concentration_ratio=1)",
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = MetricError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::parse(s)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id())
    }
}

/// EDI's configured metric set, in EDI's column order (its shipped `config.yaml`).
pub fn edi_metrics() -> Vec<Metric> {
    let t = |n, d| Threshold::new(n, d).expect("constant threshold is valid");
    vec![
        Metric::Entropy { alpha: 1.0 },
        Metric::EntropyPercentage { alpha: 1.0 },
        Metric::Gini,
        Metric::Hhi,
        Metric::NAKAMOTO,
        Metric::Theil,
        Metric::ConcentrationRatio { k: 1 },
        Metric::ConcentrationRatio { k: 3 },
        Metric::Tau {
            threshold: t(33, 100),
        },
        Metric::Tau {
            threshold: t(66, 100),
        },
        Metric::TotalEntities,
    ]
}

/// powermap's default set: [`edi_metrics`], then Nakamoto at 1/3 and 2/3, and `max_power_ratio`.
pub fn default_metrics() -> Vec<Metric> {
    let mut m = edi_metrics();
    for threshold in [Threshold::THIRD, Threshold::TWO_THIRDS] {
        m.push(Metric::Nakamoto {
            threshold,
            boundary: Boundary::AtLeast,
        });
    }
    m.push(Metric::MaxPowerRatio);
    m
}

/// A number as EDI's YAML config would spell it: `1`, `-1`, `0.5`.
fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A threshold as a decimal when it has a finite one (`0.33`, `0.5`, `1`), else `num/den`.
///
/// At most 15 decimal places, the most `Threshold`'s parser reads, so the id parses back.
fn fmt_threshold(t: Threshold) -> String {
    let (num, den) = (t.num() as u128, t.den() as u128);
    for places in 0..=15u32 {
        let scale = 10u128.pow(places);
        if scale % den == 0 {
            let scaled = num * (scale / den);
            let (int, frac) = (scaled / scale, scaled % scale);
            return if places == 0 {
                int.to_string()
            } else {
                let frac = format!("{frac:0width$}", width = places as usize);
                format!("{int}.{}", frac.trim_end_matches('0'))
            };
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut all = default_metrics();
        all.extend([
            Metric::Entropy { alpha: 0.0 },
            Metric::Entropy { alpha: 2.0 },
            Metric::Entropy { alpha: -1.0 },
            Metric::Entropy { alpha: 0.5 },
            Metric::Nakamoto {
                threshold: Threshold::HALF,
                boundary: Boundary::Greater,
            },
            Metric::Tau {
                threshold: Threshold::THIRD,
            },
            Metric::Tau {
                threshold: Threshold::new(1, 1).unwrap(),
            },
        ]);
        let mut seen = HashSet::new();
        for m in &all {
            let id = m.id();
            assert!(seen.insert(id.clone()), "duplicate id {id}");
            assert_eq!(Metric::parse(&id), Ok(*m), "{id}");
            assert!(!m.describe().is_empty());
        }
    }

    #[test]
    fn edi_ids_in_edi_order() {
        let ids: Vec<String> = edi_metrics().iter().map(Metric::id).collect();
        assert_eq!(
            ids,
            [
                "entropy=1",
                "entropy_percentage=1",
                "gini",
                "hhi",
                "nakamoto_coefficient",
                "theil_index",
                "concentration_ratio=1",
                "concentration_ratio=3",
                "tau_index=0.33",
                "tau_index=0.66",
                "total_entities",
            ]
        );
        let extra: Vec<String> = default_metrics()[ids.len()..]
            .iter()
            .map(Metric::id)
            .collect();
        assert_eq!(
            extra,
            [
                "nakamoto_coefficient=1/3",
                "nakamoto_coefficient=2/3",
                "max_power_ratio"
            ]
        );
    }

    #[test]
    fn parse_accepts_spellings() {
        let strict = |n, d| Metric::Nakamoto {
            threshold: Threshold::new(n, d).unwrap(),
            boundary: Boundary::Greater,
        };
        assert_eq!(
            Metric::parse("nakamoto_coefficient=0.5"),
            Ok(Metric::NAKAMOTO)
        );
        assert_eq!(
            Metric::parse("nakamoto_coefficient>=50%"),
            Ok(Metric::NAKAMOTO)
        );
        assert_eq!(Metric::parse("nakamoto_coefficient>1/2"), Ok(strict(1, 2)));
        assert_eq!(
            Metric::parse(" nakamoto_coefficient>0.51 "),
            Ok(strict(51, 100))
        );
        assert_eq!(
            Metric::parse("tau_index=0.33"),
            Ok(Metric::Tau {
                threshold: Threshold::new(33, 100).unwrap()
            })
        );
        assert_eq!(
            Metric::parse("entropy=-1"),
            Ok(Metric::Entropy { alpha: -1.0 })
        );
        assert_eq!(
            Metric::parse("tau_index=1/3").unwrap().id(),
            "tau_index=1/3"
        );
    }

    #[test]
    fn parse_errors_list_valid_ids() {
        for bad in [
            "ginni",
            "gini=1",
            "entropy",
            "entropy=x",
            "entropy=inf",
            "concentration_ratio",
            "concentration_ratio=0",
            "concentration_ratio=-1",
            "tau_index",
            "tau_index=1.5",
            "tau_index>0.5",
            "nakamoto_coefficient=0",
            "nakamoto_coefficient>",
            "",
        ] {
            let err = Metric::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("nakamoto_coefficient><threshold>"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn threshold_decimals() {
        let t = |n, d| fmt_threshold(Threshold::new(n, d).unwrap());
        assert_eq!(t(33, 100), "0.33");
        assert_eq!(t(1, 2), "0.5");
        assert_eq!(t(1, 1), "1");
        assert_eq!(t(1, 8), "0.125");
        assert_eq!(t(2, 3), "2/3");
    }

    /// Found by `cargo fuzz run specs` (docs/fuzzing.md): `tau_index=.00000054237464%` parsed
    /// to a threshold with 16 decimal places, which the id printed as a decimal that
    /// `Threshold`'s parser (15 places at most) rejects, breaking `parse(id()) == m`.
    #[test]
    fn tau_threshold_beyond_15_places_round_trips() {
        let m = Metric::parse("tau_index=.00000054237464%").unwrap();
        assert_eq!(m.id(), "tau_index=6779683/1250000000000000");
        assert_eq!(Metric::parse(&m.id()).unwrap(), m);
    }
}

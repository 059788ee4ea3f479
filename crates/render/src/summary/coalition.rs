//! Decisive coalitions computed straight from a distribution.

use powermap_model::{Boundary, Distribution, Threshold};

/// One member of a coalition.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Entity name.
    pub name: String,
    /// Its share of the window's total weight, in [0, 1].
    pub share: f64,
}

/// The fewest heaviest entities whose combined weight reaches a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalition {
    /// The threshold reached.
    pub threshold: Threshold,
    /// The boundary rule used (`≥` or `>`).
    pub boundary: Boundary,
    /// Members, heaviest first (ties broken by name, as the distribution orders them).
    pub members: Vec<Member>,
    /// Their combined share, in [0, 1].
    pub share: f64,
}

/// The smallest prefix of `d`'s entries (heaviest first) whose weight reaches `t` under
/// `boundary` ([`powermap_metrics::decisive_coalition`], exact for integral weights), with shares.
///
/// `None` when the distribution is empty or no prefix reaches the threshold (only possible
/// with `Boundary::Greater` and `t = 1`).
pub fn decisive_coalition(d: &Distribution, t: Threshold, boundary: Boundary) -> Option<Coalition> {
    let prefix = powermap_metrics::decisive_coalition(d, t, boundary)?;
    let members: Vec<Member> = prefix
        .iter()
        .enumerate()
        .map(|(i, s)| Member {
            name: s.name.clone(),
            share: d.share(i),
        })
        .collect();
    let part: f64 = prefix.iter().map(|s| s.weight).sum();
    Some(Coalition {
        threshold: t,
        boundary,
        members,
        share: part / d.total(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_rule_decides_ties() {
        let d = Distribution::from_weights([("a", 1.0), ("b", 1.0), ("c", 1.0)]).unwrap();
        let ge = decisive_coalition(&d, Threshold::THIRD, Boundary::AtLeast).unwrap();
        assert_eq!(ge.members.len(), 1);
        let gt = decisive_coalition(&d, Threshold::THIRD, Boundary::Greater).unwrap();
        assert_eq!(gt.members.len(), 2);
        assert_eq!(gt.members[1].name, "b");
        assert!(
            decisive_coalition(&Distribution::default(), Threshold::HALF, Boundary::AtLeast)
                .is_none()
        );
        let one = Threshold::new(1, 1).unwrap();
        assert!(decisive_coalition(&d, one, Boundary::Greater).is_none());
        assert_eq!(
            decisive_coalition(&d, one, Boundary::AtLeast)
                .unwrap()
                .members
                .len(),
            3
        );
    }
}

//! What-ifs applied between attribution and windows: "what if these entities are the same
//! owner?" ([`MergeGroup`]), without editing any registry data.
//!
//! A merge is a rename map applied to every **resolved entity** (after ownership clustering):
//! each name of a group becomes the group's merged name `A + B`. Windows and metrics then run
//! as usual, so every metric, coalition and share reflects the merged owner.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use powermap_model::Attribution;

use crate::PipelineError;

/// Entities to count as one owner, named `A + B` (names joined by ` + ` in the given order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeGroup {
    names: Vec<String>,
}

impl MergeGroup {
    /// A group of at least two distinct entity names (as the analysis names them: with
    /// ownership clustering on, owners such as `Bitmain`, not brands such as `AntPool`).
    pub fn new<I, S>(names: I) -> Result<Self, PipelineError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            let n: String = n.into();
            let n = n.trim().to_string();
            if n.is_empty() {
                continue;
            }
            if out.contains(&n) {
                return Err(PipelineError::Merge(format!("`{n}` is named twice")));
            }
            out.push(n);
        }
        if out.len() < 2 {
            return Err(PipelineError::Merge(format!(
                "a merge needs at least two entity names separated by commas, got {out:?}"
            )));
        }
        Ok(MergeGroup { names: out })
    }

    /// The entity names merged, in the given order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name of the merged entity: `A + B`.
    pub fn merged_name(&self) -> String {
        self.names.join(" + ")
    }
}

impl FromStr for MergeGroup {
    type Err = PipelineError;
    /// `A,B[,C…]`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MergeGroup::new(s.split(','))
    }
}

/// What-ifs applied to attributions before windows (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhatIf {
    /// Groups of entities counted as one owner each. A name may appear in one group only.
    pub merges: Vec<MergeGroup>,
}

impl WhatIf {
    /// No what-if at all.
    pub fn is_empty(&self) -> bool {
        self.merges.is_empty()
    }

    /// What was changed, for provenance: `merged by --merge: A + B; C + D`; empty when
    /// nothing was.
    pub fn describe(&self) -> String {
        if self.merges.is_empty() {
            return String::new();
        }
        let groups: Vec<String> = self.merges.iter().map(MergeGroup::merged_name).collect();
        format!("merged by --merge: {}", groups.join("; "))
    }

    fn validate(&self) -> Result<(), PipelineError> {
        let mut seen = BTreeSet::new();
        for g in &self.merges {
            for n in &g.names {
                if !seen.insert(n.as_str()) {
                    return Err(PipelineError::Merge(format!(
                        "`{n}` appears in two merges; list every name of one owner in a single merge (A,B,C)"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Applies a [`WhatIf`] to resolved entities during a run and remembers what it saw, so a
/// merge naming an entity that never appears can be reported with the closest names.
#[derive(Debug, Default)]
pub(crate) struct Renamer {
    /// Original entity → merged name.
    map: HashMap<String, String>,
    /// Every entity name resolved (before merging).
    entities: BTreeSet<String>,
    /// Brands that ownership clustering rolled up, with their owner (for hints).
    brands: HashMap<String, String>,
}

impl Renamer {
    pub(crate) fn new(what_if: &WhatIf) -> Result<Self, PipelineError> {
        what_if.validate()?;
        let mut map = HashMap::new();
        for g in &what_if.merges {
            let merged = g.merged_name();
            for n in &g.names {
                map.insert(n.clone(), merged.clone());
            }
        }
        Ok(Renamer {
            map,
            ..Renamer::default()
        })
    }

    /// The entity an attribution counts for after the what-ifs (its own entity, or the
    /// merged name of the group naming it).
    pub(crate) fn apply<'a>(&'a mut self, a: &'a Attribution) -> &'a str {
        if self.map.is_empty() {
            return &a.entity;
        }
        if !self.entities.contains(&a.entity) {
            self.entities.insert(a.entity.clone());
        }
        if a.brand != a.entity && !self.brands.contains_key(&a.brand) {
            self.brands.insert(a.brand.clone(), a.entity.clone());
        }
        match self.map.get(&a.entity) {
            Some(merged) => merged,
            None => &a.entity,
        }
    }

    /// Fails when a merge names an entity no observation was attributed to.
    pub(crate) fn check(&self) -> Result<(), PipelineError> {
        let mut missing: Vec<&String> = self
            .map
            .keys()
            .filter(|n| !self.entities.contains(*n))
            .collect();
        missing.sort();
        let Some(name) = missing.first() else {
            return Ok(());
        };
        let mut hint = String::new();
        if let Some(owner) = self.brands.get(*name) {
            hint.push_str(&format!(
                "; `{name}` is a brand counted under its owner `{owner}` (ownership clustering): merge `{owner}`, or analyse with clustering off"
            ));
        }
        let close = closest(name, self.entities.iter().map(String::as_str), 3);
        if !close.is_empty() {
            let close: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
            hint.push_str(&format!("; closest entity names: {}", close.join(", ")));
        }
        Err(PipelineError::MergeUnknown {
            name: name.to_string(),
            hint,
        })
    }
}

/// Up to `n` names closest to `target`: case-insensitive equality first, then containment,
/// then edit distance (at most a third of the longer name).
pub(crate) fn closest<'a>(
    target: &str,
    names: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let t = target.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let l = name.to_lowercase();
            let score = if l == t {
                0
            } else if l.contains(&t) || t.contains(&l) {
                1
            } else {
                let d = levenshtein(&l, &t);
                let limit = l.chars().count().max(t.chars().count()) / 3;
                if d > limit.max(1) {
                    return None;
                }
                1 + d
            };
            Some((score, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, s)| s).collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_and_rejects_bad_ones() {
        let g: MergeGroup = "Foundry USA, Bitmain".parse().unwrap();
        assert_eq!(g.merged_name(), "Foundry USA + Bitmain");
        assert!("Foundry USA".parse::<MergeGroup>().is_err());
        assert!("A,A".parse::<MergeGroup>().is_err());
        let w = WhatIf {
            merges: vec!["A,B".parse().unwrap(), "B,C".parse().unwrap()],
        };
        assert!(Renamer::new(&w).is_err());
    }

    #[test]
    fn closest_names_prefer_case_and_containment() {
        let names = ["Foundry USA", "F2Pool", "Bitmain", "ViaBTC"];
        assert_eq!(
            closest("foundry", names.iter().copied(), 3),
            vec!["Foundry USA"]
        );
        assert_eq!(
            closest("Bitmian", names.iter().copied(), 3),
            vec!["Bitmain"]
        );
        assert!(closest("zzz", names.iter().copied(), 3).is_empty());
    }

    fn builtin(merges: &[&str]) -> Result<crate::RunOutput, PipelineError> {
        use powermap_windows::{Alignment, WindowSpec};
        let mut registries = crate::Registries::default();
        registries.insert(
            powermap_attribution::Registry::bitcoin_builtin().unwrap(),
            "bitcoin-builtin",
        );
        let window = WindowSpec::days(30, 30).aligned(Alignment::End);
        let what_if = WhatIf {
            merges: merges.iter().map(|m| m.parse().unwrap()).collect(),
        };
        crate::run_with(
            &crate::Input::Builtin("bitcoin-pools".into()),
            &registries,
            powermap_attribution::ResolveOptions {
                clustering: true,
                unattributed: powermap_attribution::Unattributed::Bucket,
            },
            &what_if,
            crate::AnalyzeOptions {
                window,
                ..crate::AnalyzeOptions::default()
            },
            &mut |_| {},
        )
    }

    #[test]
    fn merging_the_two_largest_owners_on_builtin_data() {
        let out = builtin(&["Foundry USA,Bitmain"]).unwrap();
        let a = &out.analyses[0];
        let last = a.windows.last().unwrap();
        let nc = a.metric_index("nakamoto_coefficient").unwrap();
        assert_eq!(last.values[nc], powermap_model::MetricValue::Int(2));
        let top = &last.distribution.entries()[0];
        assert_eq!(top.name, "Foundry USA + Bitmain");
        // 1 326 + 774 of the window's 4 292 blocks.
        assert_eq!(top.weight, 2_100.0);
        assert!(a
            .provenance
            .registry
            .ends_with("; merged by --merge: Foundry USA + Bitmain"));
        assert_eq!(last.distribution.weight_of("Bitmain"), 0.0);
    }

    #[test]
    fn merging_a_brand_names_its_owner_and_close_names() {
        let err = builtin(&["Foundry USA,AntPool"]).unwrap_err().to_string();
        assert!(err.contains("no entity named `AntPool`"), "{err}");
        assert!(
            err.contains("`AntPool` is a brand counted under its owner `Bitmain`"),
            "{err}"
        );
        let err = builtin(&["Foundry,Bitmian"]).unwrap_err().to_string();
        assert!(err.contains("no entity named `Bitmian`"), "{err}");
        assert!(err.contains("closest entity names: `Bitmain`"), "{err}");
    }
}

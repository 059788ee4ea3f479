//! Units, their dependencies on organisations, and the owner map that says which
//! organisations of different kinds are one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::{CrossLayerError, Kind};

/// One dependency of a unit: the part `fraction` ∈ (0, 1] of the unit's weight that fails
/// (or is controlled) when organisation `org` of kind `kind` fails (or is coerced).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependency {
    /// What the dependency is on.
    pub kind: Kind,
    /// The organisation, as the data names it (resolved through [`Owners`] when merged).
    pub org: String,
    /// The part of the unit's weight that depends on `org`, in (0, 1].
    pub fraction: f64,
}

/// One input row: a unit with its weight and at most one dependency. A unit is the sum of
/// its rows; every row of a unit repeats the same weight. A row without a dependency just
/// declares the unit (e.g. the unlabelled remainder of stake, which no organisation can take
/// out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Unit id: a vote account, a staking entity, `unlabelled`, …
    pub unit: String,
    /// The unit's weight (stake, validators); the same in every row of the unit.
    pub weight: f64,
    /// What this row says the unit depends on, if anything.
    pub dependency: Option<Dependency>,
}

impl Row {
    /// A row saying `unit` (of `weight`) depends on `org` of `kind` for `fraction` of it.
    pub fn new(
        unit: impl Into<String>,
        weight: f64,
        kind: Kind,
        org: impl Into<String>,
        fraction: f64,
    ) -> Row {
        Row {
            unit: unit.into(),
            weight,
            dependency: Some(Dependency {
                kind,
                org: org.into(),
                fraction,
            }),
        }
    }

    /// A row declaring `unit` with `weight` and no dependency.
    pub fn bare(unit: impl Into<String>, weight: f64) -> Row {
        Row {
            unit: unit.into(),
            weight,
            dependency: None,
        }
    }
}

/// Organisation identity across kinds: `(kind, name)` pairs that belong to one owner, e.g.
/// operator `Coinbase` and provider `Coinbase Cloud` → `Coinbase`. Input data, optional;
/// unmapped organisations are their own `(kind, name)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Owners {
    map: BTreeMap<(Kind, String), String>,
}

impl Owners {
    /// No merges.
    pub fn new() -> Owners {
        Owners::default()
    }

    /// Declare that `org` of `kind` belongs to `owner`. Declaring the same owner twice is
    /// fine; a different owner for the same `(kind, org)` is an error.
    pub fn merge(
        &mut self,
        kind: Kind,
        org: impl Into<String>,
        owner: impl Into<String>,
    ) -> Result<&mut Owners, CrossLayerError> {
        let (org, owner) = (org.into(), owner.into());
        if org.is_empty() || owner.is_empty() {
            return Err(CrossLayerError::EmptyName {
                what: "organisation",
                unit: String::new(),
            });
        }
        match self.map.get(&(kind.clone(), org.clone())) {
            Some(first) if *first != owner => Err(CrossLayerError::ConflictingOwner {
                kind: kind.id().to_string(),
                org,
                first: first.clone(),
                second: owner,
            }),
            _ => {
                self.map.insert((kind, org), owner);
                Ok(self)
            }
        }
    }

    /// The owner of `org` of `kind`, if one was declared.
    pub fn owner_of(&self, kind: &Kind, org: &str) -> Option<&str> {
        self.map
            .get(&(kind.clone(), org.to_string()))
            .map(String::as_str)
    }

    /// Number of `(kind, organisation)` pairs mapped.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// No merges declared.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// One organisation after merging: a `(kind, name)` of the data, or an owner that several
/// of them were merged into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// Display name: the organisation's name, or its owner's.
    pub name: String,
    /// The kinds it acts in (sorted).
    pub kinds: Vec<Kind>,
    /// The `(kind, name)` pairs of the data it stands for (sorted); one pair when not merged.
    pub aliases: Vec<(Kind, String)>,
    /// Whether it comes from an [`Owners`] entry (its name is the owner's).
    pub merged: bool,
}

impl Organisation {
    /// `name (kind)`, or `name (kind+kind)` for an owner acting in several kinds.
    pub fn label(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(Kind::id).collect();
        format!("{} ({})", self.name, kinds.join("+"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum OrgKey {
    Plain(Kind, String),
    Owner(String),
}

/// A unit while building: id, weight, `(organisation, kind)` → summed fraction.
type RawUnit = (String, f64, BTreeMap<(OrgKey, Kind), f64>);

/// A unit after building: weight and its dependencies by organisation index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    pub(crate) id: String,
    pub(crate) weight: f64,
    /// `(organisation index, kind, fraction)`, sorted by organisation then kind; one entry per
    /// `(organisation, kind)` (fractions of repeated rows are added).
    pub(crate) deps: Vec<(usize, Kind, f64)>,
}

/// Units with weights and dependencies on organisations: the input of the multi-layer
/// Nakamoto coefficient. Build it with [`DependencyModel::from_rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyModel {
    pub(crate) units: Vec<Unit>,
    pub(crate) orgs: Vec<Organisation>,
    pub(crate) total: f64,
    /// Every weight a whole number, the total ≤ 2^53, and every fraction 1: coverage is then
    /// an exact integer in `f64` and threshold comparisons are exact.
    pub(crate) integral: bool,
}

impl DependencyModel {
    /// Build units from rows `(unit, weight, kind, org, fraction)`, merging organisations
    /// through `owners` (pass `&Owners::new()` for none).
    ///
    /// Units keep the order of their first row. Repeated `(unit, kind, org)` rows add their
    /// fractions. Errors: empty unit id or organisation, weight not finite or negative, rows
    /// of one unit with different weights, a fraction outside (0, 1], or one unit's fractions
    /// within one kind adding up to more than 1 (beyond a rounding tolerance of 1e-6).
    pub fn from_rows<I>(rows: I, owners: &Owners) -> Result<DependencyModel, CrossLayerError>
    where
        I: IntoIterator<Item = Row>,
    {
        // unit id → (index); per unit: weight and (key, kind) → fraction.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut raw: Vec<RawUnit> = Vec::new();
        let mut aliases: BTreeMap<OrgKey, BTreeSet<(Kind, String)>> = BTreeMap::new();
        for row in rows {
            if row.unit.is_empty() {
                return Err(CrossLayerError::EmptyName {
                    what: "unit id",
                    unit: row.unit,
                });
            }
            if !row.weight.is_finite() || row.weight < 0.0 {
                return Err(CrossLayerError::BadWeight {
                    unit: row.unit,
                    weight: row.weight,
                });
            }
            let i = match index.get(&row.unit) {
                Some(&i) => {
                    if raw[i].1 != row.weight {
                        return Err(CrossLayerError::InconsistentWeight {
                            unit: row.unit,
                            first: raw[i].1,
                            second: row.weight,
                        });
                    }
                    i
                }
                None => {
                    index.insert(row.unit.clone(), raw.len());
                    raw.push((row.unit.clone(), row.weight, BTreeMap::new()));
                    raw.len() - 1
                }
            };
            let Some(dep) = row.dependency else { continue };
            if dep.org.is_empty() {
                return Err(CrossLayerError::EmptyName {
                    what: "organisation",
                    unit: row.unit,
                });
            }
            if !(dep.fraction > 0.0 && dep.fraction <= 1.0) {
                return Err(CrossLayerError::BadFraction {
                    unit: row.unit,
                    kind: dep.kind.id().to_string(),
                    org: dep.org,
                    fraction: dep.fraction,
                });
            }
            let key = match owners.owner_of(&dep.kind, &dep.org) {
                Some(owner) => OrgKey::Owner(owner.to_string()),
                None => OrgKey::Plain(dep.kind.clone(), dep.org.clone()),
            };
            aliases
                .entry(key.clone())
                .or_default()
                .insert((dep.kind.clone(), dep.org));
            *raw[i].2.entry((key, dep.kind)).or_insert(0.0) += dep.fraction;
        }

        // Organisations in name order (then key), which is the tie-break order everywhere.
        let mut keys: Vec<(String, OrgKey)> = aliases
            .keys()
            .map(|k| {
                let name = match k {
                    OrgKey::Plain(_, n) | OrgKey::Owner(n) => n.clone(),
                };
                (name, k.clone())
            })
            .collect();
        keys.sort();
        let org_index: HashMap<OrgKey, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, (_, k))| (k.clone(), i))
            .collect();
        let orgs: Vec<Organisation> = keys
            .iter()
            .map(|(name, k)| {
                let al: Vec<(Kind, String)> = aliases[k].iter().cloned().collect();
                let kinds: BTreeSet<Kind> = al.iter().map(|(kind, _)| kind.clone()).collect();
                Organisation {
                    name: name.clone(),
                    kinds: kinds.into_iter().collect(),
                    aliases: al,
                    merged: matches!(k, OrgKey::Owner(_)),
                }
            })
            .collect();

        let mut units = Vec::with_capacity(raw.len());
        let mut all_ones = true;
        for (id, weight, deps) in raw {
            let mut per_kind: BTreeMap<&Kind, f64> = BTreeMap::new();
            for ((_, kind), f) in &deps {
                *per_kind.entry(kind).or_insert(0.0) += f;
            }
            if let Some((kind, &sum)) = per_kind.iter().find(|(_, &s)| s > 1.0 + 1e-6) {
                return Err(CrossLayerError::KindOverfull {
                    unit: id,
                    kind: kind.id().to_string(),
                    sum,
                });
            }
            let mut deps: Vec<(usize, Kind, f64)> = deps
                .into_iter()
                .map(|((key, kind), f)| (org_index[&key], kind, f))
                .collect();
            deps.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            all_ones &= deps.iter().all(|d| d.2 == 1.0);
            units.push(Unit { id, weight, deps });
        }
        let total: f64 = units.iter().map(|u| u.weight).sum();
        let integral = all_ones
            && total <= 9_007_199_254_740_992.0
            && units.iter().all(|u| u.weight.fract() == 0.0);
        Ok(DependencyModel {
            units,
            orgs,
            total,
            integral,
        })
    }

    /// Total weight of all units, including units without dependencies.
    pub fn total_weight(&self) -> f64 {
        self.total
    }

    /// Number of units.
    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// Units as `(id, weight)`, in input order.
    pub fn units(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.units.iter().map(|u| (u.id.as_str(), u.weight))
    }

    /// The dependencies of unit `id` as `(organisation, kind, fraction)` (fractions of one
    /// organisation in one kind added up), or `None` if there is no such unit.
    pub fn dependencies_of(&self, id: &str) -> Option<Vec<(&Organisation, &Kind, f64)>> {
        let u = self.units.iter().find(|u| u.id == id)?;
        Some(
            u.deps
                .iter()
                .map(|(o, k, f)| (&self.orgs[*o], k, *f))
                .collect(),
        )
    }

    /// All organisations (after merging), in name order; indices into this slice identify
    /// organisations in [`DependencyModel::coverage`].
    pub fn organisations(&self) -> &[Organisation] {
        &self.orgs
    }

    /// The index of the organisation that `(kind, name)` of the data belongs to (its owner's,
    /// when merged), if it occurs.
    pub fn find(&self, kind: &Kind, name: &str) -> Option<usize> {
        self.orgs.iter().position(|o| {
            o.aliases
                .iter()
                .any(|(k, n)| k == kind && n.as_str() == name)
        })
    }

    /// The kinds that occur in the data, in [`Kind`] order.
    pub fn kinds(&self) -> Vec<Kind> {
        let set: BTreeSet<&Kind> = self
            .units
            .iter()
            .flat_map(|u| u.deps.iter().map(|d| &d.1))
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Whether coverage is computed exactly (whole-number weights, total ≤ 2^53, every
    /// fraction 1); otherwise in `f64`.
    pub fn is_exact_arithmetic(&self) -> bool {
        self.integral
    }
}

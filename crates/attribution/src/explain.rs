//! Why a subject is attributed to an entity: the whole chain, and what lost.

use std::fmt;

use chrono::NaiveDate;
use powermap_model::Attribution;
use serde::{Deserialize, Serialize};

use crate::registry::{OwnershipLink, Registry, RuleSource};
use crate::resolve::{Candidate, Evidence, ResolveOptions, StepKind};
use crate::validity::Validity;

/// One link of an attribution chain: `from` → `to` by one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The rule kind.
    pub kind: StepKind,
    /// What the step starts from (the evidence, or the previous entity).
    pub from: String,
    /// The entity it leads to.
    pub to: String,
    /// Where the rule comes from.
    pub source: RuleSource,
    /// For ownership links: when the link holds.
    pub validity: Option<Validity>,
    /// For aliases: why the two names are the same.
    pub note: Option<String>,
}

/// The full story of one attribution (see [`Registry::explain`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The subject explained, as given.
    pub subject: String,
    /// The day ownership links were checked against.
    pub date: NaiveDate,
    /// The options used.
    pub options: ResolveOptions,
    /// The winning chain, evidence first, final entity last.
    pub chain: Vec<Step>,
    /// Rules that also matched but lost on precedence.
    pub lost: Vec<Candidate>,
    /// Ownership links of the brand that exist but do not hold on `date`.
    pub links_not_in_force: Vec<OwnershipLink>,
    /// The resulting attribution (`None` = excluded).
    pub attribution: Option<Attribution>,
}

impl Registry {
    /// Explains the attribution of a bare subject on `date` (see [`Evidence::subject`]).
    pub fn explain(&self, subject: &str, date: NaiveDate, opts: ResolveOptions) -> Explanation {
        self.explain_evidence(subject, &Evidence::subject(subject, date), opts)
    }

    /// Explains the attribution of any evidence; `subject` labels it in the output.
    pub fn explain_evidence(
        &self,
        subject: &str,
        ev: &Evidence,
        opts: ResolveOptions,
    ) -> Explanation {
        let mut all = self.candidates(ev, true);
        let winner = if all.is_empty() {
            None
        } else {
            Some(all.remove(0))
        };
        let attribution = self.finish(ev, winner.clone(), opts);
        let mut chain = Vec::new();
        let mut links_not_in_force = Vec::new();
        match &winner {
            Some(w) => {
                chain.push(Step {
                    kind: w.kind,
                    from: w.evidence.clone(),
                    to: w.entity.clone(),
                    source: w.source.clone(),
                    validity: None,
                    note: None,
                });
                if opts.clustering {
                    let oc = self.owner_chain(&w.entity, ev.date);
                    let mut current = w.entity.clone();
                    for (alias, link) in &oc.links {
                        if let Some(a) = alias {
                            chain.push(Step {
                                kind: StepKind::Alias,
                                from: current.clone(),
                                to: a.canonical.clone(),
                                source: a.source.clone(),
                                validity: None,
                                note: Some(a.reason.clone()),
                            });
                        }
                        chain.push(Step {
                            kind: StepKind::Ownership,
                            from: link.name.clone(),
                            to: link.owner.clone(),
                            source: link.source.clone(),
                            validity: Some(link.validity.clone()),
                            note: None,
                        });
                        current = link.owner.clone();
                    }
                    links_not_in_force = self.links_not_in_force(&current, ev.date);
                    if current != w.entity {
                        let mut earlier = self.links_not_in_force(&w.entity, ev.date);
                        earlier.append(&mut links_not_in_force);
                        links_not_in_force = earlier;
                    }
                }
            }
            None => {
                if let Some(a) = &attribution {
                    chain.push(Step {
                        kind: StepKind::Unattributed,
                        from: a.evidence.clone(),
                        to: a.entity.clone(),
                        source: RuleSource::new(
                            format!("unattributed = {}", opts.unattributed),
                            None,
                        ),
                        validity: None,
                        note: None,
                    });
                }
            }
        }
        Explanation {
            subject: subject.to_string(),
            date: ev.date,
            options: opts,
            chain,
            lost: all,
            links_not_in_force,
            attribution,
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let result = self
            .attribution
            .as_ref()
            .map_or("(excluded)".to_string(), |a| format!("{:?}", a.entity));
        writeln!(
            f,
            "{:?} on {} → {result}  (clustering {}, unattributed {})",
            self.subject,
            self.date,
            if self.options.clustering { "on" } else { "off" },
            self.options.unattributed
        )?;
        for (i, s) in self.chain.iter().enumerate() {
            let what = match s.kind {
                StepKind::Ownership => format!("{:?} → owner {:?}", s.from, s.to),
                StepKind::Alias => format!("{:?} ≡ {:?}", s.from, s.to),
                StepKind::Unattributed => format!("{} → {:?}", s.from, s.to),
                _ => format!("{} → {:?}", s.from, s.to),
            };
            write!(f, "  {}. {what}  [{}", i + 1, s.kind.id())?;
            if let Some(v) = &s.validity {
                write!(f, ", {v}")?;
            }
            write!(f, "; {}", s.source)?;
            if let Some(n) = &s.note {
                write!(f, "; {n}")?;
            }
            writeln!(f, "]")?;
        }
        if !self.lost.is_empty() {
            writeln!(f, "  lost on precedence:")?;
            for c in &self.lost {
                writeln!(
                    f,
                    "  - {} → {:?}  [{}; {}]",
                    c.evidence,
                    c.entity,
                    c.kind.id(),
                    c.source
                )?;
            }
        }
        if !self.links_not_in_force.is_empty() {
            writeln!(f, "  ownership links not in force on {}:", self.date)?;
            for l in &self.links_not_in_force {
                writeln!(
                    f,
                    "  - {:?} → owner {:?}  [{}; {}]",
                    l.name, l.owner, l.validity, l.source
                )?;
            }
        }
        Ok(())
    }
}

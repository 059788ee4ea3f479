//! The attribution ledger: for every (subject, entity, rule, source) the input produced, how
//! many observations and how much weight it decided, and when. The answer to "why is X
//! counted as Y, and for how much?" across a whole input.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use powermap_attribution::{Evidence, Registry, ResolveOptions};
use powermap_model::{Attribution, Observation};

use crate::PipelineError;
use crate::{Input, Registries};

/// One line of the attribution ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// Network of the observations.
    pub network: String,
    /// The raw subject as the source shows it.
    pub subject: String,
    /// How it was attributed (entity, brand, rule, evidence, sources).
    pub attribution: Attribution,
    /// Observations decided this way.
    pub observations: u64,
    /// Their total weight.
    pub weight: f64,
    /// First and last UTC day seen.
    pub first: NaiveDate,
    /// Last UTC day seen.
    pub last: NaiveDate,
}

/// Attributes every observation of `input` and groups identical decisions.
///
/// Excluded observations (with `Unattributed::Exclude`) are not listed. Rows are ordered by
/// network, then weight (heaviest first), then subject.
pub fn attribution_ledger(
    input: &Input,
    registries: &Registries,
    resolve: ResolveOptions,
) -> Result<Vec<LedgerRow>, PipelineError> {
    let mut rows: BTreeMap<(String, String, String, String, String), LedgerRow> = BTreeMap::new();
    let mut add = |network: &str, subject: &str, day: NaiveDate, weight: f64, a: Attribution| {
        let key = (
            network.to_string(),
            subject.to_string(),
            a.entity.clone(),
            a.source.clone(),
            a.owner_source.clone().unwrap_or_default(),
        );
        let row = rows.entry(key).or_insert_with(|| LedgerRow {
            network: network.to_string(),
            subject: subject.to_string(),
            attribution: a,
            observations: 0,
            weight: 0.0,
            first: day,
            last: day,
        });
        row.observations += 1;
        row.weight += weight;
        row.first = row.first.min(day);
        row.last = row.last.max(day);
    };
    let empty = Registry::new("");
    let mut observe = |obs: Observation| {
        let registry = registries.get(&obs.network).unwrap_or(&empty);
        if let Some(a) = registry.resolve(&Evidence::observation(&obs), resolve) {
            add(
                &obs.network,
                &obs.subject,
                obs.time.date_naive(),
                obs.weight,
                a,
            );
        }
    };
    input.each_observation(&mut observe)?;
    match input {
        Input::Edi { files, mapping } => {
            for (path, ledger) in files {
                let registry = powermap_edi::load_mapping_information(mapping, *ledger)?;
                let mapper = powermap_edi::EdiMapper::new(registry, resolve.clustering)
                    .with_unattributed(resolve.unattributed);
                let label = path.display().to_string();
                for block in powermap_edi::open_raw(path, *ledger)? {
                    if let Some(a) = mapper.map(&block?, &label) {
                        let o = &a.observation;
                        add(
                            &o.network,
                            &o.subject,
                            o.time.date_naive(),
                            o.weight,
                            a.attribution.clone(),
                        );
                    }
                }
            }
        }
        Input::Builtin(_) | Input::Observations(_) => {}
    }
    let mut out: Vec<LedgerRow> = rows.into_values().collect();
    out.sort_by(|a, b| {
        a.network
            .cmp(&b.network)
            .then(b.weight.total_cmp(&a.weight))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_attribution::Unattributed;

    #[test]
    fn builtin_ledger_names_rules_sources_and_owner_links() {
        let mut registries = Registries::default();
        registries.insert(Registry::bitcoin_builtin().unwrap(), "bitcoin-builtin");
        let resolve = ResolveOptions {
            clustering: true,
            unattributed: Unattributed::Bucket,
        };
        let rows = attribution_ledger(
            &Input::Builtin("bitcoin-pools".into()),
            &registries,
            resolve,
        )
        .unwrap();
        let total: u64 = rows.iter().map(|r| r.observations).sum();
        assert_eq!(total, 282_174);
        let antpool = rows.iter().find(|r| r.subject == "antpool").unwrap();
        assert_eq!(antpool.attribution.entity, "Bitmain");
        assert!(antpool
            .attribution
            .owner_source
            .as_deref()
            .unwrap()
            .contains("legal_links.json"));
        let unknown = rows.iter().find(|r| r.subject == "unknown").unwrap();
        assert!(unknown.attribution.rule.is_unattributed());
        assert_eq!(unknown.observations, 8_730);
    }
}

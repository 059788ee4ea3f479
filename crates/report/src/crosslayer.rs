//! The cross-layer section: joins layers on the same unit (a Solana validator, an Ethereum
//! staking entity) and asks `powermap-crosslayer` for the fewest organisations of any kind
//! that together cross each consensus failure mode (docs/cross-layer.md).

use std::path::Path;

use chrono::NaiveDate;
use powermap_crosslayer::{CrossLayerResult, DependencyModel, Kind, Owners, Query, Row};
use powermap_model::Layer;
use powermap_security::SecurityModels;
use serde::Serialize;

use crate::cell::{rule, ScoreCell, ScoreRow, Trend};
use crate::spec::CrossLayerSpec;
use crate::ReportError;

/// One query: a set of dependency kinds and one failure mode.
#[derive(Debug, Clone, Serialize)]
pub struct CrossLayerRow {
    /// The kinds whose organisations may join the coalition, e.g. `operator + provider`.
    pub kinds: String,
    /// Failure mode id (from the consensus security models).
    pub failure_mode: String,
    /// The solver's result (coalition, exactness, greedy comparison).
    pub result: CrossLayerResult,
}

/// The cross-layer result of a report.
#[derive(Debug, Clone, Serialize)]
pub struct CrossLayerReport {
    /// Which join (`solana_validators`, `ethereum_entities`).
    pub join: String,
    /// The file joined.
    pub file: String,
    /// The date of the joined data.
    pub date: NaiveDate,
    /// Units joined and their total weight.
    pub units: usize,
    /// What the weight is.
    pub noun: String,
    /// The kinds of organisation the join gives (e.g. `operator`, `client`).
    pub kinds: Vec<String>,
    /// The model's assumptions, stated for this join.
    pub assumptions: Vec<String>,
    /// Every query, all-kinds first.
    pub rows: Vec<CrossLayerRow>,
}

impl CrossLayerReport {
    /// The scorecard row: the all-kinds coefficient per failure mode.
    pub fn score_row(&self) -> ScoreRow {
        let cells = self
            .rows
            .iter()
            .filter(|r| r.kinds == ALL)
            .map(|r| ScoreCell {
                failure_mode: r.failure_mode.clone(),
                property: String::new(),
                rule: rule(r.result.boundary, r.result.threshold),
                size: r.result.size(),
                trend: Trend::Unknown,
                since: None,
                range: r.result.bounds().filter(|(lo, hi)| lo != hi),
            })
            .collect();
        ScoreRow {
            layer: "cross-layer".into(),
            title: format!(
                "All joined layers combined: {} (cross-layer)",
                self.kinds.join(", ")
            ),
            as_of: Some(self.date),
            cells,
            note: Some(format!(
                "{} units joined; see the cross-layer section for the model",
                self.units
            )),
        }
    }
}

/// Label of the query over every kind.
pub const ALL: &str = "all kinds";

/// Builds the cross-layer section for `spec`.
pub fn build(
    spec: &CrossLayerSpec,
    models: &SecurityModels,
    data_root: &Path,
) -> Result<CrossLayerReport, ReportError> {
    let path = data_root.join(&spec.file);
    if !path.exists() {
        return Err(ReportError::MissingData {
            layer: "cross-layer".into(),
            path,
        });
    }
    let source_err = |source| ReportError::Source {
        layer: "cross-layer".into(),
        source: Box::new(source),
    };
    let (rows, date, noun, assumptions, combos) = match spec.join.as_str() {
        "solana_validators" => {
            let snap = powermap_sources::solana::snapshot(&path).map_err(source_err)?;
            (
                solana_rows(&snap),
                snap.time.date_naive(),
                "stake",
                vec![
                    "Weakest link: a validator's stake counts as taken out when its operator, its client, its autonomous system or its country fails or is coerced.".to_string(),
                    "Operators are validators.app names (the vote account when unnamed); operators running several vote accounts under different names are not merged.".to_string(),
                    "A missing client, ASN or country is no dependency (the stake cannot be taken out through it), so coefficients are upper bounds where data is missing.".to_string(),
                ],
                vec![
                    vec![Kind::Operator, Kind::Provider],
                    vec![Kind::Provider, Kind::Country],
                    vec![Kind::Operator, Kind::Provider, Kind::Country],
                ],
            )
        }
        "ethereum_entities" => {
            let (rows, date) = ethereum_rows(&path).map_err(source_err)?;
            (
                rows,
                date,
                "validators",
                vec![
                    "Weakest link: an entity's validators count as taken out when the entity fails or is coerced, and the part running a client counts as taken out by a bug in that client.".to_string(),
                    "Client mixes are Rated's per-entity estimates; the parts of one entity on different clients are disjoint.".to_string(),
                    "The unlabelled remainder (solo and unidentified stake) is one unit with no known dependency: no organisation can take it out, so every coefficient here is an upper bound.".to_string(),
                ],
                vec![],
            )
        }
        other => {
            return Err(ReportError::Spec {
                file: "[crosslayer]".into(),
                message: format!(
                    "join `{other}` is not known (known: solana_validators, ethereum_entities)"
                ),
            })
        }
    };
    let model =
        DependencyModel::from_rows(rows, &Owners::new()).map_err(|e| ReportError::Layer {
            layer: "cross-layer".into(),
            message: e.to_string(),
        })?;
    let kinds = model.kinds();
    let mut sets: Vec<(String, Option<Vec<Kind>>)> = vec![(ALL.to_string(), None)];
    for k in &kinds {
        sets.push((k.id().to_string(), Some(vec![k.clone()])));
    }
    for c in combos {
        let label = c.iter().map(Kind::id).collect::<Vec<_>>().join(" + ");
        sets.push((label, Some(c)));
    }
    let mut out = Vec::new();
    for fm in models.models_for(&spec.models, Layer::Consensus) {
        for (label, set) in &sets {
            let mut q = Query::new(fm.threshold, fm.boundary)
                .label(fm.id.replace('_', " "))
                .noun(noun);
            if let Some(set) = set {
                q = q.kinds(set.iter().cloned());
            }
            out.push(CrossLayerRow {
                kinds: label.clone(),
                failure_mode: fm.id.clone(),
                result: model.solve(&q),
            });
        }
    }
    Ok(CrossLayerReport {
        join: spec.join.clone(),
        file: spec.file.clone(),
        date,
        units: model.unit_count(),
        noun: noun.to_string(),
        kinds: kinds.iter().map(|k| k.id().to_string()).collect(),
        assumptions,
        rows: out,
    })
}

/// One row per validator dependency: operator, client, ASN, country.
fn solana_rows(snap: &powermap_sources::solana::Snapshot) -> Vec<Row> {
    let mut rows = Vec::new();
    for v in &snap.validators {
        let unit = v.vote_account.as_str();
        let operator = v.name.clone().unwrap_or_else(|| v.vote_account.clone());
        rows.push(Row::new(unit, v.stake, Kind::Operator, operator, 1.0));
        let client = v.software_client.as_str();
        if !client.is_empty() && client != "Unknown" {
            rows.push(Row::new(unit, v.stake, Kind::Client, client, 1.0));
        }
        if !v.asn.is_empty() {
            rows.push(Row::new(
                unit,
                v.stake,
                Kind::Provider,
                format!("AS{}", v.asn),
                1.0,
            ));
        }
        if !v.country_code.is_empty() {
            rows.push(Row::new(
                unit,
                v.stake,
                Kind::Country,
                v.country_code.clone(),
                1.0,
            ));
        }
    }
    rows
}

/// The latest day of the staking-entity file, each entity with its client mix.
fn ethereum_rows(
    clients_path: &Path,
) -> Result<(Vec<Row>, NaiveDate), powermap_sources::SourceError> {
    let staking = powermap_sources::ethereum::staking_path_for(clients_path);
    let days = powermap_sources::ethereum::staking_days(&staking)?;
    let Some((&time, day)) = days.iter().next_back() else {
        return Ok((Vec::new(), NaiveDate::MIN));
    };
    let mut rows = Vec::new();
    for (entity, validators, _) in &day.entities {
        rows.push(Row::new(
            entity.clone(),
            *validators,
            Kind::Operator,
            entity.clone(),
            1.0,
        ));
    }
    for o in powermap_sources::ethereum::staking_entity_clients(clients_path)? {
        let o = o?;
        if o.time != time {
            continue;
        }
        let Some((entity, _)) = o.subject.split_once('/') else {
            continue;
        };
        let (Some(validators), Some(client)) = (day.validators(entity), o.entity.as_ref()) else {
            continue;
        };
        if validators > 0.0 && o.weight > 0.0 {
            let fraction = (o.weight / validators).min(1.0);
            rows.push(Row::new(entity, validators, Kind::Client, client, fraction));
        }
    }
    if day.unlabelled() > 0.0 {
        rows.push(Row::bare("unlabelled", day.unlabelled()));
    }
    Ok((rows, time.date_naive()))
}

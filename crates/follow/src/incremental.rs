//! Incremental analysis: after a poll, recompute only the windows whose result can have
//! changed, and get exactly what a full recomputation gives (property-tested).
//!
//! Windows are day windows anchored at a fixed first day (`WindowSpec::Days` with `start`
//! set and start alignment), so a window's days never move as the chain grows; the series
//! ends with the last complete window before the newest observation, as in `analyze`.
//!
//! A window must be recomputed when a window within `p` windows of it (its population
//! windows, [`Population::Window`]) contains a touched day, is new, or disappeared;
//! `Population::All` makes every window depend on every other, so any change recomputes
//! all of them. Dirty windows are recomputed in contiguous runs, each run with its
//! population neighbours, down the same road (`powermap_pipeline::Feed`) `analyze` uses.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use powermap_attribution::ResolveOptions;
use powermap_model::{Analysis, Layer, Provenance, WindowResult};
use powermap_pipeline::{AnalyzeOptions, Feed, Registries, WhatIf};
use powermap_store::{Store, TouchedDay};
use powermap_windows::{Alignment, Population, WindowSpec};

use crate::error::{FollowError, Result};

/// The windows of one (network, layer), kept up to date from the store.
#[derive(Debug, Clone)]
pub struct IncrementalAnalysis {
    network: String,
    layer: Layer,
    opts: AnalyzeOptions,
    origin: NaiveDate,
    windows: Vec<WindowResult>,
}

fn check(opts: &AnalyzeOptions) -> Result<NaiveDate> {
    match &opts.window {
        WindowSpec::Days {
            start: Some(origin),
            end: None,
            align: Alignment::Start,
            estimation,
            step,
        } if *estimation > 0 && *step > 0 => Ok(*origin),
        other => Err(FollowError::Incremental(format!(
            "incremental analysis needs day windows with a fixed first day, start-aligned and open-ended (got {})",
            other.describe()
        ))),
    }
}

fn spec_between(opts: &AnalyzeOptions, start: NaiveDate, end: NaiveDate) -> WindowSpec {
    match &opts.window {
        WindowSpec::Days {
            estimation, step, ..
        } => WindowSpec::Days {
            estimation: *estimation,
            step: *step,
            start: Some(start),
            end: Some(end),
            align: Alignment::Start,
        },
        other => other.clone(),
    }
}

/// Analyses the store's observations of each (network, layer) of `groups` on days
/// `from..=to` (open ends: all), down the pipeline's one road: attributed as the followers
/// stored them (their entity, else their subject; no registry), each subject one entity.
/// Every group gets its windows, even one without observations in the range.
pub fn analyze_store(
    store: &mut Store,
    groups: &[(String, Layer)],
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    opts: AnalyzeOptions,
    provenance: Provenance,
) -> Result<Vec<Analysis>> {
    let none = Registries::default();
    let mut feed = Feed::new(&none, ResolveOptions::default(), &WhatIf::default(), opts)
        .map_err(analysis)?
        .split_anonymous(false);
    for (network, layer) in groups {
        feed.expect(network, *layer);
        store.observations(network, *layer, from, to, &mut |obs| {
            feed.push(&(&obs).into());
            Ok(())
        })?;
    }
    Ok(feed.finish(provenance).map_err(analysis)?.analyses)
}

fn analysis(e: powermap_pipeline::PipelineError) -> FollowError {
    FollowError::Analysis(Box::new(e))
}

/// The windows of the store's observations of `start..=end`, cut over exactly that timeframe.
fn run(
    store: &mut Store,
    network: &str,
    layer: Layer,
    opts: &AnalyzeOptions,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<WindowResult>> {
    let mut o = opts.clone();
    o.window = spec_between(opts, start, end);
    o.from = None;
    o.to = None;
    let groups = [(network.to_string(), layer)];
    let out = analyze_store(
        store,
        &groups,
        (Some(start), Some(end)),
        o,
        Provenance::default(),
    )?;
    Ok(out
        .into_iter()
        .next()
        .map(|x| x.windows)
        .unwrap_or_default())
}

/// Recomputes every window from the store: the reference the incremental result must equal.
pub fn full_analysis(
    store: &mut Store,
    network: &str,
    layer: Layer,
    opts: &AnalyzeOptions,
) -> Result<Vec<WindowResult>> {
    let origin = check(opts)?;
    match store.day_range(network, layer)? {
        Some((_, last)) if last >= origin => run(store, network, layer, opts, origin, last),
        _ => Ok(Vec::new()),
    }
}

impl IncrementalAnalysis {
    /// An empty analysis of (`network`, `layer`); `opts.window` must be
    /// `WindowSpec::Days { start: Some(first day), end: None, align: Start, .. }`.
    pub fn new(network: &str, layer: Layer, opts: AnalyzeOptions) -> Result<Self> {
        let origin = check(&opts)?;
        Ok(IncrementalAnalysis {
            network: network.to_string(),
            layer,
            opts,
            origin,
            windows: Vec::new(),
        })
    }

    /// The current windows, oldest first.
    pub fn windows(&self) -> &[WindowResult] {
        &self.windows
    }

    /// The current result as an [`Analysis`].
    pub fn analysis(&self) -> Analysis {
        Analysis {
            network: self.network.clone(),
            layer: self.layer,
            clustering: self.opts.clustering,
            metrics: self.opts.metrics.iter().map(|m| m.id()).collect(),
            windows: self.windows.clone(),
            provenance: Provenance {
                window_spec: format!(
                    "{}, population windows {}",
                    self.opts.window.describe(),
                    self.opts.population
                ),
                ..Default::default()
            },
        }
    }

    /// Brings the windows up to date after the store changed on `touched` days (days of other
    /// networks or layers are ignored). Returns how many windows were recomputed.
    pub fn update(&mut self, store: &mut Store, touched: &BTreeSet<TouchedDay>) -> Result<usize> {
        let days: BTreeSet<NaiveDate> = touched
            .iter()
            .filter(|t| t.network == self.network && t.layer == self.layer)
            .map(|t| t.day)
            .collect();
        let last = store
            .day_range(&self.network, self.layer)?
            .map(|r| r.1)
            .filter(|l| *l >= self.origin);
        let new: Vec<powermap_model::Window> = match last {
            Some(l) => spec_between(&self.opts, self.origin, l).day_windows(self.origin, l),
            None => Vec::new(),
        };
        let (n, old_n) = (new.len(), self.windows.len());
        let common = n.min(old_n);
        let span = n.max(old_n);
        let touched_window = |j: usize| {
            let w = if j < n {
                &new[j]
            } else {
                &self.windows[j].window
            };
            days.range(w.start..=w.end).next().is_some()
        };
        let base: Vec<bool> = (0..span)
            .map(|j| j >= common || touched_window(j))
            .collect();
        let p = match self.opts.population {
            Population::Window(p) => p as usize,
            Population::All => span,
        };
        let dirty: Vec<bool> = (0..n)
            .map(|k| {
                let lo = k.saturating_sub(p);
                let hi = (k + p).min(span - 1);
                base[lo..=hi].iter().any(|b| *b)
            })
            .collect();
        let mut results: Vec<Option<WindowResult>> = self
            .windows
            .drain(..)
            .take(n)
            .map(Some)
            .chain(std::iter::repeat_with(|| None))
            .take(n)
            .collect();
        let mut recomputed = 0;
        let mut k = 0;
        while k < n {
            if !dirty[k] {
                k += 1;
                continue;
            }
            let a = k;
            while k < n && dirty[k] {
                k += 1;
            }
            let b = k - 1;
            let lo = a.saturating_sub(p);
            let hi = (b + p).min(n - 1);
            let part = run(
                store,
                &self.network,
                self.layer,
                &self.opts,
                new[lo].start,
                new[hi].end,
            )?;
            if part.len() != hi - lo + 1 {
                return Err(FollowError::Incremental(format!(
                    "expected {} windows from {} to {}, got {}",
                    hi - lo + 1,
                    new[lo].start,
                    new[hi].end,
                    part.len()
                )));
            }
            for (i, w) in part.into_iter().enumerate() {
                let j = lo + i;
                if (a..=b).contains(&j) {
                    results[j] = Some(w);
                    recomputed += 1;
                }
            }
        }
        self.windows = results
            .into_iter()
            .map(|w| w.ok_or_else(|| FollowError::Incremental("a window was not computed".into())))
            .collect::<Result<_>>()?;
        Ok(recomputed)
    }
}

//! The cycle: poll the followed sources into the store, bring the analyses up to date
//! (incrementally where the windows allow), run the findings stage and build the snapshot the
//! service publishes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use powermap_follow::IncrementalAnalysis;
use powermap_model::{Analysis, Layer};
use powermap_serve::{Snapshot, SourceHealth};
use powermap_store::{Store, TouchedDay};

use crate::config::Plan;
use crate::store::{
    analyze_builtin, analyze_store, incremental_options, store_health, store_provenance,
};
use crate::Result;

/// The incremental analysis of one (network, layer) of the store, and what the store held
/// for it after the last update (a change not reported by our own followers — another
/// process writing the same store — rebuilds it).
struct Tracked {
    analysis: IncrementalAnalysis,
    anchor: NaiveDate,
    seen: (u64, DateTime<Utc>, DateTime<Utc>),
}

/// Windows recomputed and reused by one cycle's store analyses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowStats {
    /// Windows computed afresh.
    pub recomputed: usize,
    /// Windows kept from the previous cycle.
    pub reused: usize,
}

/// The state between cycles: built-in analyses are computed once.
pub struct Watcher {
    plan: Plan,
    builtin: Option<(Vec<Analysis>, Vec<SourceHealth>)>,
    /// Failed polls per source since start.
    error_counts: BTreeMap<String, u64>,
    /// The error of each source's latest poll, when it failed.
    last_errors: BTreeMap<String, String>,
    /// When a followed source is next due (one still catching up is due at once).
    next_due: Option<Instant>,
    /// Incremental analyses of the store's (network, layer) pairs, kept across cycles.
    tracked: BTreeMap<(String, Layer), Tracked>,
}

impl Watcher {
    /// A watcher that has run no cycle yet.
    pub fn new(plan: Plan) -> Watcher {
        Watcher {
            plan,
            builtin: None,
            error_counts: Default::default(),
            last_errors: Default::default(),
            next_due: None,
            tracked: BTreeMap::new(),
        }
    }

    /// Brings the incremental analysis of every (network, layer) of the store up to date
    /// with the days this cycle's polls touched. A pair seen for the first time is anchored
    /// (`[analysis] anchor`, else its first day in the store) and computed whole.
    fn analyze_incremental(
        &mut self,
        store: &mut Store,
        touched: &BTreeSet<TouchedDay>,
        stats: &mut WindowStats,
    ) -> Result<Option<Vec<Analysis>>> {
        let mut out = Vec::new();
        let mut present = BTreeSet::new();
        for n in store.networks()? {
            for l in &n.layers {
                let key = (n.network.clone(), l.layer);
                let seen = (l.observations, l.first, l.last);
                let ours = touched
                    .iter()
                    .any(|t| t.network == n.network && t.layer == l.layer);
                let (fresh, anchor) = match self.tracked.get(&key) {
                    Some(t) => (!ours && t.seen != seen, t.anchor),
                    None => (true, self.plan.anchor.unwrap_or(l.first.date_naive())),
                };
                if fresh {
                    let Some(opts) = incremental_options(&self.plan.window, anchor) else {
                        return Ok(None);
                    };
                    let analysis = IncrementalAnalysis::new(&n.network, l.layer, opts)?;
                    self.tracked.insert(
                        key.clone(),
                        Tracked {
                            analysis,
                            anchor,
                            seen,
                        },
                    );
                }
                let t = self.tracked.get_mut(&key).expect("inserted above");
                let recomputed = t.analysis.update(store, touched)?;
                t.seen = seen;
                stats.recomputed += recomputed;
                stats.reused += t.analysis.windows().len() - recomputed;
                let mut a = t.analysis.analysis();
                a.provenance = store_provenance(format!(
                    "{}, start-aligned from {anchor}",
                    a.provenance.window_spec
                ));
                if !a.windows.is_empty() {
                    out.push(a);
                }
                present.insert(key);
            }
        }
        self.tracked.retain(|k, _| present.contains(k));
        Ok(Some(out))
    }

    /// When a followed source is next due (one still catching up is due at once).
    pub fn next_due(&self) -> Option<Instant> {
        self.next_due
    }

    /// One cycle: (poll), analyse, find, build the snapshot. Blocking work.
    pub fn cycle(&mut self) -> Result<(Snapshot, WindowStats)> {
        let now = Utc::now();
        let mut stats = WindowStats::default();
        let mut analyses = Vec::new();
        let mut sources = Vec::new();
        if self.builtin.is_none() && !self.plan.builtin.is_empty() {
            let mut all = Vec::new();
            let mut health = Vec::new();
            for b in &self.plan.builtin {
                let a = analyze_builtin(&b.dataset, self.plan.window.clone())?;
                for an in &a {
                    let last = an.windows.last().map(|w| w.window.end);
                    health.push(SourceHealth {
                        name: b
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("builtin-{}", b.dataset)),
                        kind: "builtin".into(),
                        network: an.network.clone(),
                        last_block: an
                            .windows
                            .last()
                            .and_then(|w| w.window.heights.map(|h| h.1)),
                        last_block_time: last
                            .and_then(|d| d.and_hms_opt(23, 59, 59))
                            .map(|t| t.and_utc()),
                        lag_seconds: None,
                        errors_total: 0,
                        last_error: None,
                        last_poll: Some(now),
                    });
                }
                all.extend(a);
            }
            self.builtin = Some((all, health));
        }
        if let Some((a, h)) = &self.builtin {
            analyses.extend(a.iter().cloned());
            sources.extend(h.iter().cloned());
        }
        if let Some(store) = &self.plan.store {
            let store = store.clone();
            let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
            let mut touched = BTreeSet::new();
            if let Some(f) = &mut self.plan.follower {
                let report = f.poll_due(&mut store, Instant::now())?;
                touched = report.touched();
                for r in &report.sources {
                    tracing::info!(
                        source = %r.source,
                        tip = r.tip,
                        cursor = r.cursor,
                        blocks = r.applied.blocks_inserted,
                        reorg_from = r.reorg_from,
                        error = r.error.as_deref().unwrap_or(""),
                        millis = r.duration.as_millis() as u64,
                        "poll"
                    );
                    match &r.error {
                        Some(e) => {
                            self.last_errors.insert(r.source.clone(), e.clone());
                        }
                        None => {
                            self.last_errors.remove(&r.source);
                        }
                    }
                }
                for (name, n) in f.error_counts() {
                    self.error_counts.insert(name, n);
                }
                self.next_due = f.next_due();
            }
            // With followers in this process, the windows of followed data are start-aligned
            // from a fixed anchor and updated incrementally from the touched days; without
            // (a store written by others) or with month/block windows, recomputed in full.
            let incremental = if self.plan.follower.is_some() {
                self.analyze_incremental(&mut store, &touched, &mut stats)?
            } else {
                None
            };
            let store_analyses = match incremental {
                Some(a) => a,
                None => {
                    let a = analyze_store(&mut store, &self.plan.window)?;
                    stats = WindowStats {
                        recomputed: a.iter().map(|a| a.windows.len()).sum(),
                        reused: 0,
                    };
                    a
                }
            };
            analyses.extend(store_analyses);
            let mut health = store_health(&mut store, now)?;
            if let Some(f) = &self.plan.follower {
                // Every configured source has a row, polled or not yet.
                for name in f.names() {
                    if !health.iter().any(|h| h.name == name) {
                        health.push(SourceHealth {
                            name,
                            kind: "follower".into(),
                            network: String::new(),
                            last_block: None,
                            last_block_time: None,
                            lag_seconds: None,
                            errors_total: 0,
                            last_error: None,
                            last_poll: None,
                        });
                    }
                }
            }
            for h in &mut health {
                if h.network.is_empty() {
                    if let Some((_, n)) = self
                        .plan
                        .follower_networks
                        .iter()
                        .find(|(name, _)| *name == h.name)
                    {
                        h.network = n.clone();
                    }
                }
                h.errors_total = self.error_counts.get(&h.name).copied().unwrap_or(0);
                h.last_error = self.last_errors.get(&h.name).cloned();
            }
            sources.extend(health);
        }
        let snapshot = Snapshot::build(analyses, &self.plan.stage, now.date_naive(), sources);
        Ok((snapshot, stats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use powermap_windows::WindowSpec;

    fn obs_file(rows: &[(NaiveDate, &str)]) -> String {
        let mut csv = String::from("network,layer,time,subject,weight\n");
        for (day, subject) in rows {
            csv.push_str(&format!("cosmos,consensus,{day}T12:00:00Z,{subject},1\n"));
        }
        csv
    }

    /// Two cycles over a `dir` source: the second drops observations on one recent day; only
    /// the windows that depend on that day are recomputed (the window holding it and, with the
    /// default population of one window on each side, its neighbour), and the result equals a
    /// full recomputation.
    #[test]
    fn watch_updates_only_the_touched_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch.toml");
        std::fs::write(
            &path,
            format!(
                r#"
window = "7d"

[store]
url = "sqlite:{db}"

[[source]]
kind = "dir"
path = "drop"
poll_interval = "0s"
"#,
                db = dir.path().join("w.db").display()
            ),
        )
        .unwrap();
        let cfg = crate::Config::load(&path).unwrap();
        let drop = dir.path().join("drop");
        std::fs::create_dir_all(&drop).unwrap();
        let day0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let day = |i: u64| day0 + chrono::Days::new(i);
        // 35 days, 7-day windows: five windows, Jan 1–7, …, Jan 29 – Feb 4.
        let subjects = ["a", "b", "c", "d"];
        let rows: Vec<(NaiveDate, &str)> = (0..35)
            .flat_map(|i| (0..3).map(move |k| (day(i), subjects[(i as usize + k) % 4])))
            .collect();
        std::fs::write(drop.join("1.csv"), obs_file(&rows)).unwrap();

        let mut w = Watcher::new(cfg.plan().unwrap());
        let (snap, first) = w.cycle().unwrap();
        let windows = snap.analyses[0].windows.len();
        assert_eq!(windows, 5, "{:?}", snap.analyses[0].windows);
        assert_eq!(
            first,
            WindowStats {
                recomputed: 5,
                reused: 0
            }
        );
        assert_eq!(snap.analyses[0].windows[0].window.start, day0);
        let before = snap.analyses[0].windows.clone();

        // One more day of `a` on Feb 2 (in the last window).
        std::fs::write(
            drop.join("2.csv"),
            obs_file(&[(day(32), "a"), (day(32), "a"), (day(32), "a")]),
        )
        .unwrap();
        let (snap, second) = w.cycle().unwrap();
        assert_eq!(
            second,
            WindowStats {
                recomputed: 2,
                reused: 3
            }
        );
        let a = snap
            .analyses
            .iter()
            .find(|a| a.network == "cosmos")
            .unwrap();
        let opts = incremental_options(&WindowSpec::days(7, 7), day0).unwrap();
        let store = w.plan.store.clone().unwrap();
        let full = powermap_follow::full_analysis(
            &mut store.lock().unwrap(),
            "cosmos",
            Layer::Consensus,
            &opts,
        )
        .unwrap();
        assert_eq!(a.windows, full);
        // The new day changed the last window; the first three are the ones kept.
        assert_ne!(a.windows[4], before[4]);
        assert_eq!(a.windows[..3], before[..3]);
        let tracked = &w.tracked[&("cosmos".to_string(), Layer::Consensus)];
        assert_eq!(tracked.analysis.windows(), &full[..]);

        // A cycle with nothing new recomputes nothing.
        let (_, third) = w.cycle().unwrap();
        assert_eq!(
            third,
            WindowStats {
                recomputed: 0,
                reused: 5
            }
        );
    }
}

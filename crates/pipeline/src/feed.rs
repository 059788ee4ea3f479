//! The one road from observations to analyses: each observation is attributed (its entity,
//! else its subject — [`Claim`] — through its network's registry), what-ifs are applied, and
//! it is pushed into the [`Analyzer`].
//!
//! Every input takes this road: the files, built-in datasets and EDI raw data [`run`](crate::run)
//! reads, the adapters of `powermap-sources` (reports), and the watch service's store. A
//! network without a registry keeps the entities its source named; the rest of its weight is
//! unattributed.

use chrono::Datelike;
use powermap_attribution::{Evidence, Registry, ResolveOptions, Unattributed, UNKNOWN_SLUG};
use powermap_ingest::{ObservationRef, ReadRef};
use powermap_model::{
    Analysis, AttributedObservation, Attribution, Claim, Layer, Provenance, Rule,
};
use rustc_hash::FxHashMap;

use crate::analyzer::DayRanges;
use crate::whatif::Renamer;
use crate::{
    AnalyzeOptions, Analyzer, AttributionStats, EntityId, GroupId, PipelineError, Registries,
    WhatIf,
};

/// The result of a run: analyses plus how attribution went.
#[derive(Debug)]
pub struct RunOutput {
    /// One analysis per (network, layer).
    pub analyses: Vec<Analysis>,
    /// Which rules attributed how much.
    pub stats: AttributionStats,
}

/// Observations in, analyses out: attribution, what-ifs and the analyzer, fed one
/// observation at a time.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use powermap_attribution::ResolveOptions;
/// use powermap_model::{Layer, Observation};
/// use powermap_pipeline::{AnalyzeOptions, Feed, Registries, WhatIf};
/// use powermap_windows::WindowSpec;
///
/// let (registries, what_if) = (Registries::default(), WhatIf::default());
/// let opts = AnalyzeOptions { window: WindowSpec::days(1, 1), ..Default::default() };
/// let mut feed = Feed::new(&registries, ResolveOptions::default(), &what_if, opts).unwrap();
/// let obs = Observation {
///     network: "cosmos".into(),
///     layer: Layer::Consensus,
///     time: Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap(),
///     height: None,
///     subject: "valoper1…".into(),
///     entity: Some("Figment".into()),
///     weight: 5.0,
///     source: None,
/// };
/// feed.push(&(&obs).into());
/// let out = feed.finish(Default::default()).unwrap();
/// assert_eq!(out.analyses[0].windows[0].distribution.entries()[0].name, "Figment");
/// ```
pub struct Feed<'a> {
    ctx: Attributor<'a>,
    /// Whether anonymous observations are each their own entity (see [`Feed::push`]).
    split_anonymous: bool,
    memo: AttributionMemo,
    analyzer: Analyzer,
}

/// What the feed attributes with.
struct Attributor<'a> {
    registries: &'a Registries,
    /// The registry of networks without one: keeps pre-attributed entities only.
    empty: Registry,
    resolve: ResolveOptions,
    renamer: Renamer,
    /// Anonymous observations split so far (names those without a height).
    anonymous: u64,
}

impl<'a> Feed<'a> {
    /// A feed attributing with `registries` under `resolve`, applying `what_if`, into an
    /// analyzer with `opts`. Fails when a what-if is invalid.
    pub fn new(
        registries: &'a Registries,
        resolve: ResolveOptions,
        what_if: &WhatIf,
        opts: AnalyzeOptions,
    ) -> Result<Feed<'a>, PipelineError> {
        Ok(Feed {
            ctx: Attributor {
                registries,
                empty: Registry::new(""),
                resolve,
                renamer: Renamer::new(what_if)?,
                anonymous: 0,
            },
            split_anonymous: true,
            memo: AttributionMemo::default(),
            analyzer: Analyzer::new(opts),
        })
    }

    /// With `false`, a subject that names nobody (`unknown`) stays one entity, as its source
    /// named it, whatever the treatment: for data whose reader gives that bucket its own
    /// treatment (a report layer's adapter) or that was attributed before it was stored (the
    /// watch service's store). Default `true`.
    pub fn split_anonymous(mut self, split: bool) -> Self {
        self.split_anonymous = split;
        self
    }

    /// Attributes one observation and adds it (or counts it as excluded).
    ///
    /// With [`Unattributed::Separate`], an unattributed observation whose subject names
    /// nobody ([`UNKNOWN_SLUG`]) counts as its own entity, `unknown (block <height>)`.
    pub fn push(&mut self, obs: &ObservationRef<'_>) {
        let resolved = self.memo.resolve(obs, &mut self.ctx, &mut self.analyzer);
        self.add(obs.time, obs.height, obs.weight, resolved);
    }

    /// Adds an observation its source already attributed (EDI raw data, attributed with the
    /// block's evidence by its mapping); `None` when the attribution excluded it.
    pub fn push_attributed(&mut self, a: Option<&AttributedObservation>) {
        let Some(AttributedObservation {
            observation: o,
            attribution,
        }) = a
        else {
            return self.analyzer.exclude();
        };
        let group = self.analyzer.group(&o.network, o.layer);
        let entity = self.analyzer.entity(self.ctx.renamer.apply(attribution));
        let anonymous = is_anonymous(attribution);
        self.add(
            o.time,
            o.height,
            o.weight,
            Some((group, entity, attribution.rule, anonymous)),
        );
    }

    fn add(
        &mut self,
        time: chrono::DateTime<chrono::Utc>,
        height: Option<u64>,
        weight: f64,
        resolved: Option<(GroupId, EntityId, Rule, bool)>,
    ) {
        match resolved {
            Some((group, entity, rule, anonymous)) => {
                let entity = if anonymous && self.split_anonymous {
                    self.ctx.anonymous += 1;
                    self.analyzer
                        .entity(&anonymous_entity(height, self.ctx.anonymous))
                } else {
                    entity
                };
                self.analyzer
                    .push_id(group, time, height, weight, entity, rule)
            }
            None => self.analyzer.exclude(),
        }
    }

    /// Attributes and adds every observation of `reader`; `progress` is told the number
    /// read so far (every 64 Ki rows, and at the end).
    ///
    /// Rows are borrowed from the reader and attribution is memoised, so the loop allocates
    /// nothing per observation once each (network, subject or label, month) has been seen
    /// (except anonymous observations under `separate`, each its own entity).
    pub fn read<R: ReadRef>(
        &mut self,
        mut reader: R,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), PipelineError> {
        // Dictionary keys are the reader's own: a new reader starts a new memo.
        self.memo = AttributionMemo::default();
        let mut n = 0u64;
        while let Some(obs) = reader.next_ref() {
            self.push(&obs?);
            n += 1;
            if n.is_multiple_of(65_536) {
                progress(n);
            }
        }
        progress(n);
        Ok(())
    }

    /// Makes sure (`network`, `layer`) is analysed, with (empty) windows over the timeframe
    /// even when no observation of it arrives.
    pub fn expect(&mut self, network: &str, layer: Layer) {
        self.analyzer.group(network, layer);
    }

    /// Which rules attributed how much so far.
    pub fn stats(&self) -> &AttributionStats {
        self.analyzer.stats()
    }

    /// Fails when a what-if names an entity no observation was attributed to.
    pub(crate) fn check_merges(&self) -> Result<(), PipelineError> {
        self.ctx.renamer.check()
    }

    /// The first and last day of each (network, layer) so far.
    pub(crate) fn day_ranges(&self) -> DayRanges {
        self.analyzer.group_day_ranges()
    }

    /// Cuts each listed (network, layer)'s windows over the given days.
    pub(crate) fn pin_timeframes(&mut self, pins: DayRanges) {
        self.analyzer.pin_timeframes(pins);
    }

    /// Cuts windows and computes metrics (see [`Analyzer::finish`]).
    pub fn finish(self, provenance: Provenance) -> Result<RunOutput, PipelineError> {
        self.check_merges()?;
        let stats = self.analyzer.stats().clone();
        Ok(RunOutput {
            analyses: self.analyzer.finish(provenance)?,
            stats,
        })
    }
}

/// An unattributed observation that names nobody: each one counts as its own entity under
/// [`Unattributed::Separate`].
pub(crate) fn is_anonymous(a: &Attribution) -> bool {
    a.rule == Rule::Unattributed && a.entity == UNKNOWN_SLUG
}

/// The entity of one anonymous observation under [`Unattributed::Separate`].
pub(crate) fn anonymous_entity(height: Option<u64>, n: u64) -> String {
    match height {
        Some(h) => format!("{UNKNOWN_SLUG} (block {h})"),
        None => format!("{UNKNOWN_SLUG} (observation {n})"),
    }
}

/// Entity, rule and whether the observation is anonymous (see [`is_anonymous`]), or `None`
/// when attribution excluded the observation.
type Resolved = Option<(EntityId, Rule, bool)>;

/// The resolution of one key, by month (`year * 12 + month0`), latest-seen last.
type Months = Vec<(i32, Resolved)>;

/// Memoised attribution, keyed network → subject or label → month.
///
/// An attribution depends only on the network, the subject (or the pre-attributed label)
/// and the month: ownership links are month-granular (EDI's `YYYY-MM` validity). So one
/// resolution per (network, key, month) is exact, and keeps the hot loop free of rule scans.
/// The maps are nested and keyed by `String`, so a hit is probed with the borrowed `&str`
/// (`String: Borrow<str>`) and allocates nothing. Rows from a Parquet dictionary carry the
/// value's [`DictKey`](powermap_ingest::DictKey); a key seen before skips the text lookup.
#[derive(Default)]
struct AttributionMemo {
    networks: Vec<NetworkMemo>,
    /// Index in `networks` by name.
    index: FxHashMap<String, usize>,
    /// The network of the previous observation: inputs rarely switch, and comparing the
    /// name is cheaper than hashing it.
    last: usize,
    /// Resolutions by month, one list per (network, label or subject) seen.
    months: Vec<Months>,
    /// By dictionary key (labels, then subjects): the dictionary, the network and the index
    /// in `months` it was last resolved to.
    by_key: [Vec<Option<(u32, u32, u32)>>; 2],
}

#[derive(Default)]
struct NetworkMemo {
    name: String,
    /// Observations with a pre-attributed entity, by that label: index in `months`.
    labels: FxHashMap<String, u32>,
    /// Observations without one, by subject: index in `months`.
    subjects: FxHashMap<String, u32>,
    /// The analyzer group of each layer with an attributed observation (a group whose
    /// observations are all excluded is never created).
    groups: Vec<(Layer, GroupId)>,
}

impl AttributionMemo {
    fn resolve(
        &mut self,
        obs: &ObservationRef<'_>,
        ctx: &mut Attributor<'_>,
        analyzer: &mut Analyzer,
    ) -> Option<(GroupId, EntityId, Rule, bool)> {
        let same = self
            .networks
            .get(self.last)
            .is_some_and(|n| n.name == obs.network);
        if !same {
            self.last = match self.index.get(obs.network) {
                Some(&i) => i,
                None => {
                    self.networks.push(NetworkMemo {
                        name: obs.network.to_owned(),
                        ..NetworkMemo::default()
                    });
                    let i = self.networks.len() - 1;
                    self.index.insert(obs.network.to_owned(), i);
                    i
                }
            };
        }
        let net = &mut self.networks[self.last];
        let network = self.last as u32;
        let (map, key, dict_key, by_key) = match obs.claim() {
            Claim::Entity(label) => (&mut net.labels, label, obs.entity_key, &mut self.by_key[0]),
            Claim::Subject(subject) => (
                &mut net.subjects,
                subject,
                obs.subject_key,
                &mut self.by_key[1],
            ),
        };
        let known = dict_key.and_then(|k| {
            let (d, n, slot) = (*by_key.get(k.key as usize)?)?;
            (d == k.dictionary && n == network).then_some(slot)
        });
        let slot = match known {
            Some(slot) => slot,
            None => {
                let slot = match map.get(key) {
                    Some(&slot) => slot,
                    None => {
                        let slot = self.months.len() as u32;
                        self.months.push(Months::new());
                        map.insert(key.to_owned(), slot);
                        slot
                    }
                };
                if let Some(k) = dict_key {
                    let i = k.key as usize;
                    if by_key.len() <= i {
                        by_key.resize(i + 1, None);
                    }
                    by_key[i] = Some((k.dictionary, network, slot));
                }
                slot
            }
        };
        let months = &mut self.months[slot as usize];
        let date = obs.time.naive_utc().date();
        let month = date.year() * 12 + date.month0() as i32;
        let resolved = match months.iter().rev().find(|(m, _)| *m == month) {
            Some(&(_, r)) => r,
            None => {
                // A miss: resolve the owned observation, exactly as without the memo.
                let registry = ctx.registries.get(obs.network).unwrap_or(&ctx.empty);
                let split = ctx.resolve.unattributed == Unattributed::Separate;
                let r = registry
                    .resolve(&Evidence::observation(&obs.to_owned()), ctx.resolve)
                    .map(|a| {
                        let anonymous = split && is_anonymous(&a);
                        let entity = analyzer.entity(ctx.renamer.apply(&a));
                        (entity, a.rule, anonymous)
                    });
                months.push((month, r));
                r
            }
        };
        let (entity, rule, anonymous) = resolved?;
        let group = match net.groups.iter().find(|(l, _)| *l == obs.layer) {
            Some(&(_, g)) => g,
            None => {
                let g = analyzer.group(obs.network, obs.layer);
                net.groups.push((obs.layer, g));
                g
            }
        };
        Some((group, entity, rule, anonymous))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use powermap_attribution::Unattributed;
    use powermap_ingest::IngestError;
    use powermap_model::Observation;
    use powermap_windows::{Population, WindowSpec};
    use proptest::prelude::*;

    use super::*;
    use crate::Registries;

    /// Lends observations from memory, with dictionary keys as a Parquet file would have
    /// them: a new pair of dictionaries (subject, entity) every `every` rows.
    struct Lend {
        rows: std::vec::IntoIter<Observation>,
        current: Option<Observation>,
        every: usize,
        n: usize,
        dictionaries: [Vec<String>; 2],
    }

    impl Lend {
        fn new(rows: Vec<Observation>, every: usize) -> Self {
            Lend {
                rows: rows.into_iter(),
                current: None,
                every,
                n: 0,
                dictionaries: Default::default(),
            }
        }

        fn key(&mut self, column: usize, text: &str) -> powermap_ingest::DictKey {
            let dict = &mut self.dictionaries[column];
            let key = dict.iter().position(|t| t == text).unwrap_or_else(|| {
                dict.push(text.to_string());
                dict.len() - 1
            });
            powermap_ingest::DictKey {
                dictionary: (self.n / self.every * 2 + column) as u32,
                key: key as u32,
            }
        }
    }

    impl ReadRef for Lend {
        fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
            let o = self.rows.next()?;
            if self.every > 0 && self.n.is_multiple_of(self.every) {
                self.dictionaries = Default::default();
            }
            let keys = (self.every > 0).then(|| {
                let s = self.key(0, &o.subject);
                let e = o.entity.as_deref().map(|e| self.key(1, e));
                (s, e)
            });
            self.n += 1;
            self.current = Some(o);
            let o = self.current.as_ref()?;
            let mut r = ObservationRef::from(o);
            if let Some((s, e)) = keys {
                r.subject_key = Some(s);
                r.entity_key = e;
            }
            Some(Ok(r))
        }
    }

    fn observation() -> impl Strategy<Value = Observation> {
        let subjects = vec![
            "foundryusa",
            "antpool",
            "f2pool",
            "btccom",
            "poolin",
            "viabtc",
            "unknown",
            "AntPool",
            "/ViaBTC/",
            "pool-x",
            "pool-y",
        ];
        let labels = vec![
            "Foundry USA",
            "AntPool",
            "BTC.com",
            "Poolin",
            "org-a",
            "unknown",
        ];
        (
            prop::sample::select(vec!["bitcoin", "other"]),
            prop::sample::select(vec![Layer::Consensus, Layer::Infrastructure]),
            // 2019-06 … 2024-06, so months and EDI's dated ownership links vary.
            1_559_347_200i64..1_717_200_000,
            prop::sample::select(subjects),
            prop::option::weighted(0.3, prop::sample::select(labels)),
            prop::sample::select(vec![0.0, 1.0, 2.5]),
            prop::option::of(Just("src")),
        )
            .prop_map(|(network, layer, secs, subject, entity, weight, source)| {
                Observation {
                    network: network.into(),
                    layer,
                    time: DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default(),
                    height: Some(secs as u64 / 600),
                    subject: subject.into(),
                    entity: entity.map(Into::into),
                    weight,
                    source: source.map(Into::into),
                }
            })
    }

    fn options() -> AnalyzeOptions {
        AnalyzeOptions {
            window: WindowSpec::days(30, 7),
            population: Population::Window(1),
            ..AnalyzeOptions::default()
        }
    }

    /// Subjects that name nobody: each observation its own entity by default (EDI's
    /// `separate`), one entity as the source named it with `split_anonymous(false)`; entities
    /// the source named stay as they are either way.
    #[test]
    fn anonymous_subjects_split_or_kept() {
        let at = |h: u64| DateTime::<Utc>::from_timestamp(1_700_000_000 + h as i64, 0).unwrap();
        let obs = |h: u64, subject: &str, entity: Option<&str>| Observation {
            network: "sui".into(),
            layer: Layer::Infrastructure,
            time: at(h),
            height: Some(h),
            subject: subject.into(),
            entity: entity.map(Into::into),
            weight: 1.0,
            source: None,
        };
        let rows = [
            obs(1, "unknown", None),
            obs(2, "unknown", None),
            obs(3, "aws", Some("Amazon")),
        ];
        let names = |split: bool| {
            let (registries, what_if) = (Registries::default(), WhatIf::default());
            let opts = AnalyzeOptions {
                window: WindowSpec::Snapshot {
                    start: None,
                    end: None,
                },
                ..AnalyzeOptions::default()
            };
            let mut feed = Feed::new(&registries, ResolveOptions::default(), &what_if, opts)
                .unwrap()
                .split_anonymous(split);
            for o in &rows {
                feed.push(&o.into());
            }
            let out = feed.finish(Provenance::default()).unwrap();
            let mut names: Vec<String> = out.analyses[0].windows[0]
                .distribution
                .entries()
                .iter()
                .map(|e| e.name.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            names(true),
            ["Amazon", "unknown (block 1)", "unknown (block 2)"]
        );
        assert_eq!(names(false), ["Amazon", "unknown"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The memoised, borrowed path gives exactly what resolving each owned observation
        /// afresh and pushing it by name gives.
        #[test]
        fn memoised_feed_equals_uncached(
            obs in prop::collection::vec(observation(), 1..400),
            clustering in any::<bool>(),
            unattributed in prop::sample::select(vec![
                Unattributed::Separate,
                Unattributed::Bucket,
                Unattributed::Exclude,
            ]),
            // 0: no dictionary keys (text lookups only).
            every in prop::sample::select(vec![0usize, 1, 7, 1000]),
        ) {
            let mut registries = Registries::default();
            registries.insert(Registry::bitcoin_builtin().unwrap(), "bitcoin-builtin");
            let empty = Registry::new("");
            let resolve = ResolveOptions { clustering, unattributed };

            let what_if = WhatIf::default();
            let mut fast = Feed::new(&registries, resolve, &what_if, options()).unwrap();
            let reader = Lend::new(obs.clone(), every);
            fast.read(reader, &mut |_| {}).unwrap();

            let mut slow = Analyzer::new(options());
            let mut n = 0;
            for o in &obs {
                let registry = registries.get(&o.network).unwrap_or(&empty);
                match registry.resolve_observation(o, resolve) {
                    Some(a) => {
                        let entity = if is_anonymous(&a) {
                            n += 1;
                            anonymous_entity(o.height, n)
                        } else {
                            a.entity.clone()
                        };
                        slow.push(
                            &o.network, o.layer, o.time, o.height, o.weight, &entity, a.rule,
                        )
                    }
                    None => slow.exclude(),
                }
            }
            prop_assert_eq!(fast.stats(), slow.stats());
            let fast = fast.finish(Provenance::default()).unwrap().analyses;
            let slow = slow.finish(Provenance::default()).unwrap();
            prop_assert_eq!(fast, slow);
        }
    }
}

//! Deterministic synthetic observations for benchmarks (`powermap bench`).
//!
//! Subjects follow a Zipf law (rank `k` has weight `1/k^s`, `s` = 1.1 by default) over 200
//! pools, so a few pools dominate as in real block data; times rise evenly over five years with
//! jitter. The same [`SynthConfig`] always yields the same observations, on every platform:
//! the generator is a SplitMix64 stream (`rand_xoshiro`, whose output is the algorithm's and
//! value-stable), not a general-purpose RNG whose output may change between releases.
//!
//! ```
//! use powermap_ingest::synth::{generate, SynthConfig};
//! let config = SynthConfig { rows: 3, ..Default::default() };
//! let a: Vec<_> = generate(&config).collect();
//! assert_eq!(a, generate(&config).collect::<Vec<_>>());
//! assert_eq!(a.len(), 3);
//! ```

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use powermap_model::{Layer, Observation};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

use crate::{write_file_as, Format, IngestError};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// Number of observations.
    pub rows: u64,
    /// Seed of the pseudo-random stream.
    pub seed: u64,
    /// Number of distinct subjects (pools).
    pub subjects: usize,
    /// Zipf exponent `s`.
    pub zipf_s: f64,
    /// Time of the first observation.
    pub start: DateTime<Utc>,
    /// Time span covered by all observations.
    pub span: TimeDelta,
}

impl Default for SynthConfig {
    /// One million observations over 200 subjects, Zipf 1.1, 2020-01-01 plus five years.
    fn default() -> Self {
        SynthConfig {
            rows: 1_000_000,
            seed: 42,
            subjects: 200,
            zipf_s: 1.1,
            start: DateTime::from_timestamp(1_577_836_800, 0).unwrap_or_default(),
            span: TimeDelta::days(5 * 365 + 1),
        }
    }
}

/// A uniform float in `[0, 1)` from 53 random bits.
fn next_f64(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The stream of synthetic observations (see [`generate`]).
#[derive(Debug, Clone)]
pub struct Synth {
    rng: SplitMix64,
    /// Cumulative Zipf probabilities by rank.
    cdf: Vec<f64>,
    subjects: Vec<String>,
    entities: Vec<Option<String>>,
    start_nanos: i64,
    step_nanos: f64,
    next: u64,
    rows: u64,
}

/// Generates `config.rows` observations: network `synthnet`, layer consensus, one per block
/// (height = index), weight 1, subject `pool-NNN` (rank NNN), and for four pools in five an
/// entity `org-NNN` that owns two consecutive ranks.
pub fn generate(config: &SynthConfig) -> Synth {
    let n = config.subjects.max(1);
    let mut cdf: Vec<f64> = (1..=n)
        .map(|k| (k as f64).powf(-config.zipf_s))
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect();
    let total = cdf.last().copied().unwrap_or(1.0);
    cdf.iter_mut().for_each(|c| *c /= total);
    let subjects = (0..n).map(|k| format!("pool-{k:03}")).collect();
    let entities = (0..n)
        .map(|k| (k % 5 != 4).then(|| format!("org-{:03}", k / 2)))
        .collect();
    let span = config.span.num_nanoseconds().unwrap_or(i64::MAX) as f64;
    Synth {
        rng: SplitMix64::seed_from_u64(config.seed),
        cdf,
        subjects,
        entities,
        start_nanos: config.start.timestamp_nanos_opt().unwrap_or(0),
        step_nanos: span / config.rows.max(1) as f64,
        next: 0,
        rows: config.rows,
    }
}

impl Iterator for Synth {
    type Item = Observation;

    fn next(&mut self) -> Option<Observation> {
        if self.next >= self.rows {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let u = next_f64(&mut self.rng);
        let k = self
            .cdf
            .partition_point(|c| *c <= u)
            .min(self.cdf.len() - 1);
        // Evenly spaced slots, each observation at a random second within its slot.
        let jitter = next_f64(&mut self.rng) * self.step_nanos;
        let offset = (i as f64 * self.step_nanos + jitter) as i64;
        let nanos = self.start_nanos.saturating_add(offset);
        let time = DateTime::from_timestamp_nanos(nanos - nanos.rem_euclid(1_000_000_000));
        Some(Observation {
            network: "synthnet".to_owned(),
            layer: Layer::Consensus,
            time,
            height: Some(i),
            subject: self.subjects[k].clone(),
            entity: self.entities[k].clone(),
            weight: 1.0,
            source: Some("synth".to_owned()),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.rows - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// Generates observations straight into a file (atomically, in bounded memory). Returns the
/// number written.
pub fn write(
    path: impl AsRef<Path>,
    format: Format,
    config: &SynthConfig,
) -> Result<u64, IngestError> {
    write_file_as(path, format, generate(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 1234567 from the reference C implementation.
        let mut r = SplitMix64::seed_from_u64(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn deterministic_ordered_and_skewed() {
        let config = SynthConfig {
            rows: 20_000,
            ..Default::default()
        };
        let obs: Vec<_> = generate(&config).collect();
        assert_eq!(obs, generate(&config).collect::<Vec<_>>());
        assert!(obs.windows(2).all(|w| w[0].time <= w[1].time));
        assert!(obs[0].time >= config.start);
        assert!(obs.last().unwrap().time < config.start + config.span);
        let top = obs.iter().filter(|o| o.subject == "pool-000").count();
        let tail = obs.iter().filter(|o| o.subject == "pool-199").count();
        // Zipf(1.1) over 200 ranks: rank 1 holds about 20%, rank 200 about 0.06%.
        assert!((3_000..5_000).contains(&top), "{top}");
        assert!(tail < 60, "{tail}");
        let other = generate(&SynthConfig { seed: 7, ..config });
        assert_ne!(obs, other.collect::<Vec<_>>());
    }
}

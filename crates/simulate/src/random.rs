//! Random draws on top of `powermap-stats`' SplitMix64: one independent, reproducible stream
//! per (seed, purpose, run), so results do not depend on the number of threads.

use powermap_stats::SplitMix64;

/// A seeded stream of uniform and normal draws.
#[derive(Debug, Clone)]
pub(crate) struct Rng(SplitMix64);

impl Rng {
    /// The stream for run `run` of purpose `stream` under `seed`. Seeds are mixed through
    /// SplitMix64 first, so neighbouring runs do not get overlapping sequences.
    pub(crate) fn for_run(seed: u64, stream: u64, run: u64) -> Self {
        let mut mix = SplitMix64::new(seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let a = mix.next_u64();
        let mut mix = SplitMix64::new(a ^ run.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Rng(SplitMix64::new(mix.next_u64()))
    }

    /// Uniform in [0, 1).
    #[inline]
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`).
    #[inline]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }

    /// `floor(x)` plus one with probability `frac(x)`: a count with mean `x ≥ 0`.
    #[inline]
    pub(crate) fn count(&mut self, x: f64) -> u32 {
        let base = x.floor();
        base as u32 + u32::from(self.uniform() < x - base)
    }

    /// A standard normal draw (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = (0..4)
            .map({
                let mut r = Rng::for_run(7, 1, 0);
                move |_| r.uniform()
            })
            .collect();
        let b: Vec<f64> = (0..4)
            .map({
                let mut r = Rng::for_run(7, 1, 0);
                move |_| r.uniform()
            })
            .collect();
        let c: Vec<f64> = (0..4)
            .map({
                let mut r = Rng::for_run(7, 1, 1);
                move |_| r.uniform()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn count_and_normal_have_the_right_moments() {
        let mut r = Rng::for_run(1, 2, 3);
        let n = 200_000;
        let mean_count = (0..n).map(|_| r.count(2.3) as f64).sum::<f64>() / n as f64;
        assert!((mean_count - 2.3).abs() < 0.01, "{mean_count}");
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance.
        assert!(m.abs() < 0.012 && (v - 1.0).abs() < 0.016, "{m} {v}");
    }
}

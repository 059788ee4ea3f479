//! A small hand-built pair of analyses shared by the integration tests.

use chrono::NaiveDate;
use powermap_model::{
    Analysis, Distribution, Layer, MetricValue, Provenance, Window, WindowResult,
};

pub const METRICS: [&str; 11] = [
    "entropy=1",
    "gini",
    "hhi",
    "nakamoto_coefficient",
    "nakamoto_coefficient=1/3",
    "nakamoto_coefficient=2/3",
    "theil_index",
    "concentration_ratio=1",
    "tau_index=0.33",
    "total_entities",
    "max_power_ratio",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn hhi(d: &Distribution) -> f64 {
    (0..d.len()).map(|i| (d.share(i) * 100.0).powi(2)).sum()
}

fn entropy(d: &Distribution) -> f64 {
    (0..d.len())
        .map(|i| d.share(i))
        .filter(|p| *p > 0.0)
        .map(|p| -p * p.log2())
        .sum()
}

/// Bitcoin: five 30-day windows, eight entities, shares drifting towards the top pool.
pub fn bitcoin() -> Analysis {
    use MetricValue::*;
    let base: [(&str, f64); 8] = [
        ("Foundry USA", 30.0),
        ("AntPool", 20.0),
        ("ViaBTC", 12.0),
        ("F2Pool", 11.0),
        ("Binance Pool", 9.0),
        ("MARA Pool", 8.0),
        ("Luxor", 6.0),
        ("SBI Crypto", 4.0),
    ];
    let starts = [
        date(2024, 1, 1),
        date(2024, 1, 31),
        date(2024, 3, 1),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ];
    let windows = starts
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let k = k as f64;
            let d = Distribution::from_weights(base.iter().enumerate().map(|(i, (n, w))| {
                let w = match i {
                    0 => w + 4.0 * k,
                    1 => w - k,
                    7 => (w - k).max(0.0),
                    _ => *w,
                };
                (*n, w * 10.0)
            }))
            .unwrap();
            let window = Window::days(*s, *s + chrono::Duration::days(29));
            let values = vec![
                Float(entropy(&d)),
                Float(0.3 + 0.02 * k),
                Float(hhi(&d)),
                Int(if k >= 3.0 { 2 } else { 3 }),
                Int(if k >= 2.0 { 1 } else { 2 }),
                Int(5),
                match k as u32 {
                    0 => Float(5555.555555555557),
                    4 => Undefined,
                    _ => Float(0.1 * (k + 1.0)),
                },
                Float(d.share(0)),
                Int(2),
                Int(d.producers().len() as u64),
                Float(d.share(0)),
            ];
            WindowResult {
                window,
                distribution: d,
                values,
            }
        })
        .collect();
    Analysis {
        network: "bitcoin".into(),
        layer: Layer::Consensus,
        clustering: true,
        metrics: METRICS.iter().map(|s| s.to_string()).collect(),
        windows,
        provenance: Provenance {
            dataset: "builtin:bitcoin-sample".into(),
            window_spec: "30d every 30d, population 1".into(),
            registry: "powermap-registry 2026.1".into(),
            unattributed: "separate".into(),
        },
    }
}

/// Ethereum: two block-count windows, two metrics, one of them not in bitcoin's list.
pub fn ethereum() -> Analysis {
    use MetricValue::*;
    let mk = |start: NaiveDate, h: (u64, u64), w: &[(&str, f64)], vals: Vec<MetricValue>| {
        let mut window = Window::days(start, start + chrono::Duration::days(29));
        window.heights = Some(h);
        WindowResult {
            window,
            distribution: Distribution::from_weights(w.iter().copied()).unwrap(),
            values: vals,
        }
    };
    Analysis {
        network: "ethereum".into(),
        layer: Layer::Consensus,
        clustering: false,
        metrics: vec!["gini".into(), "entropy=2".into()],
        windows: vec![
            mk(
                date(2024, 3, 31),
                (19_500_000, 19_714_999),
                &[
                    ("Lido", 0.25),
                    ("Coinbase", 0.125),
                    ("solo \"home\", staker", 0.0),
                ],
                vec![Float(0.1), Float(1e-05)],
            ),
            mk(
                date(2024, 4, 30),
                (19_715_000, 19_929_999),
                &[("Lido", 0.3), ("Coinbase", 0.1)],
                vec![Undefined, Float(1.5e16)],
            ),
        ],
        provenance: Provenance {
            dataset: "fixture".into(),
            window_spec: "215000 blocks".into(),
            registry: "none".into(),
            unattributed: "unknown".into(),
        },
    }
}

pub fn both() -> Vec<Analysis> {
    vec![bitcoin(), ethereum()]
}

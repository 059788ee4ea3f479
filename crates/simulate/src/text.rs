//! The study as readable text: data and coverage, "if nobody acts" probabilities, the fitted
//! model with its backtest, and the mechanism comparison — with every warning up front.

use std::fmt::Write as _;

use crate::backtest::Verdict;
use crate::study::{Event, Outcome, ScenarioOutcome};
use crate::{Metric, Study};

impl Study {
    /// The study as text.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let s = &self.series;
        let m = &s.meta;
        let _ = writeln!(
            o,
            "powermap simulate · {} · {} by {}",
            m.network,
            m.measure.id(),
            m.entity
        );
        let _ = writeln!(
            o,
            "  data        {} … {}, {} snapshots, {} entities in the last; weight = {}",
            s.from, s.to, s.snapshots, s.entities, m.unit
        );
        let _ = writeln!(o, "  coverage    {}", m.coverage);
        let _ = writeln!(o, "  source      {}", m.source);
        let opts = &self.options;
        let _ = writeln!(
            o,
            "  simulated   {} → {} ({} days), {} paths per scenario, checkpoints every {} days, seed {}",
            s.to, self.horizon, opts.horizon_days, opts.runs, opts.step_days, opts.seed
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(o, "\nRead first");
            for w in &self.warnings {
                let _ = writeln!(o, "  ! {w}");
            }
        }
        self.nobody_acts(&mut o);
        self.model(&mut o);
        self.backtest_text(&mut o);
        self.comparison(&mut o);
        o
    }

    fn nobody_acts(&self, o: &mut String) {
        let b = self.baseline();
        let _ = writeln!(o, "\nIf nobody acts: {}", b.description);
        let now: Vec<String> = b
            .at_horizon
            .iter()
            .map(|x| format!("{} {}", x.metric.label(), x.metric.format(x.now)))
            .collect();
        let _ = writeln!(o, "  now ({}): {}", self.series.to, now.join(", "));
        let mut k = 0;
        while k < b.events.len() {
            let e = &b.events[k];
            let same: Vec<&Event> = b.events[k..]
                .iter()
                .take_while(|x| x.metric == e.metric && x.cmp == e.cmp && x.value == e.value)
                .collect();
            k += same.len();
            let by: Vec<String> = same
                .iter()
                .map(|x| format!("{} by {}", pct(x.probability), x.by))
                .collect();
            let und = same.last().map_or(0.0, |x| x.undetermined);
            let und = if und > 0.0 {
                format!("  (not determined in {} of paths at the end)", pct(und))
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "  P({} {} {}): {}{und}",
                e.metric.label(),
                e.cmp.symbol(),
                value(&e.metric, e.value),
                by.join(", ")
            );
        }
        let _ = writeln!(o, "  at {} (median, 80 % and 95 % of paths):", self.horizon);
        for x in &b.at_horizon {
            let _ = writeln!(o, "    {:<18} {}", x.metric.label(), interval(x));
        }
    }

    fn model(&self, o: &mut String) {
        let f = &self.fit;
        let _ = writeln!(o, "\nModel: {}", f.method);
        let _ = writeln!(
            o,
            "  fitted on {} … {} ({} snapshots), {} simulations in 4 rounds keeping {} each; 95 % posterior intervals",
            f.from, f.to, f.snapshots, f.sims, f.accepted
        );
        for p in &f.params {
            let _ = writeln!(
                o,
                "  {:<14} {:>10} ({} – {})  {}",
                p.name,
                num(p.median),
                num(p.lo),
                num(p.hi),
                p.meaning
            );
        }
        let _ = writeln!(
            o,
            "  fit check (data vs accepted simulations, 2.5 % / 50 % / 97.5 %):"
        );
        for c in &f.checks {
            let flag = if c.observed < c.simulated[0] || c.observed > c.simulated[2] {
                "  ← not reproduced"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "    {:<48} {:>10}   {} / {} / {}{flag}",
                c.name,
                num(c.observed),
                num(c.simulated[0]),
                num(c.simulated[1]),
                num(c.simulated[2])
            );
        }
        let _ = writeln!(
            o,
            "  delegation follows yield with elasticity β = {} ({})",
            num(self.yield_elasticity.0),
            self.yield_elasticity.1
        );
    }

    fn backtest_text(&self, o: &mut String) {
        let b = &self.backtest;
        if !b.possible {
            let _ = writeln!(
                o,
                "\nBacktest: not possible — {}",
                b.reason.as_deref().unwrap_or("")
            );
            return;
        }
        let origins: Vec<String> = b.origins.iter().map(|d| d.to_string()).collect();
        let _ = writeln!(
            o,
            "\nBacktest (origins {}; realised snapshots up to {} days ahead; CRPS lower is better)",
            origins.join(", "),
            self.options.backtest.max_horizon_days
        );
        let _ = writeln!(
            o,
            "  {:<12} {:>5} {:>8} {:>11} {:>11} {:>11} {:>9} {:>9}  verdict",
            "metric",
            "cases",
            "horizon",
            "CRPS model",
            "last value",
            "random walk",
            "cover 80",
            "cover 95"
        );
        for s in &b.scores {
            let verdict = match &s.verdict {
                Verdict::Beats => "beats both baselines".to_string(),
                Verdict::Ties => "ties the best baseline".to_string(),
                Verdict::Loses { to } => format!("LOSES to {}", to.join(", ")),
            };
            let _ = writeln!(
                o,
                "  {:<12} {:>5} {:>7.0}d {:>11} {:>11} {:>11} {:>8.0}% {:>8.0}%  {verdict}",
                s.metric.label(),
                s.cases,
                s.mean_horizon_days,
                num(s.crps_model),
                num(s.crps_last_value),
                num(s.crps_random_walk),
                s.coverage80 * 100.0,
                s.coverage95 * 100.0
            );
        }
        for (m, why) in &b.unscored {
            let _ = writeln!(o, "  {m:<12} not scored: {why}");
        }
    }

    fn comparison(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "\nMechanisms at {} (median, 80 % interval in brackets)",
            self.horizon
        );
        let metrics: Vec<&Metric> = self
            .baseline()
            .at_horizon
            .iter()
            .map(|x| &x.metric)
            .collect();
        let mut head = format!("  {:<26}", "scenario");
        for m in &metrics {
            let _ = write!(head, " {:>16}", m.label());
        }
        let _ = writeln!(o, "{head}  cost");
        for sc in &self.scenarios {
            let mut line = format!("  {:<26}", truncate(&sc.id, 26));
            for x in &sc.at_horizon {
                let _ = write!(line, " {:>16}", short_interval(x));
            }
            let _ = writeln!(o, "{line}  {}", cost(sc));
        }
        let warn = !self.warnings.is_empty();
        if warn {
            let _ = writeln!(o, "  ! these come from the model above; read its warnings (\"Read first\") before using them");
        }
        let _ = writeln!(o, "\nScenarios and the source of every rule");
        for sc in &self.scenarios {
            let _ = writeln!(o, "  {} — {}", sc.id, sc.title);
            if !sc.description.is_empty() {
                let _ = writeln!(o, "      {}", sc.description);
            }
            for r in &sc.rules {
                let from = r.from.map(|d| format!(" from {d}")).unwrap_or_default();
                let _ = writeln!(o, "      · {}{from}: {}", r.mechanism.kind(), r.source);
            }
        }
    }
}

fn cost(sc: &ScenarioOutcome) -> String {
    let c = &sc.cost;
    let mut parts = Vec::new();
    if c.top_yield_loss > 0.0005 {
        parts.push(format!("top-3 yield −{:.1} %", c.top_yield_loss * 100.0));
    }
    if c.redirected > 0.0005 {
        parts.push(format!("{:.1} % of stake redirected", c.redirected * 100.0));
    }
    if c.removed > 0.0005 {
        parts.push(format!("{:.1} % removed", c.removed * 100.0));
    }
    if c.migrations > 0.05 {
        parts.push(format!("{:.1} migrations a path", c.migrations));
    }
    for r in &sc.rules {
        if let crate::Mechanism::ExitFriction { turnover_factor } = r.mechanism {
            parts.push(format!("turnover ×{turnover_factor}"));
        }
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

fn value(m: &Metric, v: f64) -> String {
    match m {
        Metric::Nakamoto { .. } => format!("{v:.0}"),
        Metric::Hhi => format!("{v:.0}"),
        _ => format!("{:.1} %", v * 100.0),
    }
}

fn pct(p: f64) -> String {
    if p == 0.0 {
        "0 %".into()
    } else if p < 0.01 {
        "< 1 %".into()
    } else if p > 0.99 && p < 1.0 {
        "> 99 %".into()
    } else {
        format!("{:.0} %", p * 100.0)
    }
}

fn interval(x: &Outcome) -> String {
    if x.median.is_nan() {
        return "not determined in every path".into();
    }
    let f = |v| x.metric.format(v);
    let und = if x.undetermined > 0.0 {
        format!("; not determined in {} of paths", pct(x.undetermined))
    } else {
        String::new()
    };
    format!(
        "median {} (80 %: {} – {}; 95 %: {} – {}){und}; now {}",
        f(x.median),
        f(x.p80[0]),
        f(x.p80[1]),
        f(x.p95[0]),
        f(x.p95[1]),
        f(x.now)
    )
}

fn short_interval(x: &Outcome) -> String {
    if x.median.is_nan() {
        return "not determined".into();
    }
    let f = |v: f64| match x.metric {
        Metric::Nakamoto { .. } | Metric::Hhi => format!("{v:.0}"),
        _ => format!("{:.0}%", v * 100.0),
    };
    format!("{} [{}–{}]", f(x.median), f(x.p80[0]), f(x.p80[1]))
}

fn num(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

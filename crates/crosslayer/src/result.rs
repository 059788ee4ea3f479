//! What a solve returns, and the one-line statement a person can act on.

use powermap_model::{Boundary, Threshold};
use serde::Serialize;

use crate::Kind;

/// One organisation of a coalition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Index into [`DependencyModel::organisations`](crate::DependencyModel::organisations).
    pub organisation: usize,
    /// Organisation name (the owner's, when merged).
    pub name: String,
    /// The kinds it acts in, among the kinds counted.
    pub kinds: Vec<Kind>,
    /// The `(kind, name)` pairs of the data it stands for, among the kinds counted.
    pub aliases: Vec<(Kind, String)>,
    /// Share of total weight it takes out alone.
    pub standalone: f64,
    /// Share it adds to the members listed before it (members are listed so that each adds
    /// the most; the marginals add up to the coalition's share).
    pub marginal: f64,
    /// Share only it takes out: the coalition's share minus the share without it.
    pub unique: f64,
}

impl Member {
    /// `name (kind)` or `name (kind+kind)`.
    pub fn label(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(Kind::id).collect();
        format!("{} ({})", self.name, kinds.join("+"))
    }
}

/// A set of organisations and the share of total weight they take out together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coalition {
    /// Members, each adding the most to the ones before it (ties by name).
    pub members: Vec<Member>,
    /// Combined share of total weight: Σ weight · min(1, Σ fractions) / total.
    pub share: f64,
}

impl Coalition {
    /// Number of members.
    pub fn size(&self) -> usize {
        self.members.len()
    }

    /// Member indices into
    /// [`DependencyModel::organisations`](crate::DependencyModel::organisations), in listing
    /// order (pass them to [`DependencyModel::coverage`](crate::DependencyModel::coverage)).
    pub fn organisations(&self) -> Vec<usize> {
        self.members.iter().map(|m| m.organisation).collect()
    }

    /// Member names, in listing order.
    pub fn names(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.name.as_str()).collect()
    }
}

/// Whether the coalition is a proven minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Exactness {
    /// The coalition is minimal: no smaller set of organisations crosses the threshold
    /// (or, with no coalition, none at all does).
    Exact,
    /// The node budget ran out: the coalition is the greedy one, an upper bound; the
    /// coefficient is at least `lower` (every smaller size was refuted).
    UpperBound {
        /// Proven lower bound on the coefficient.
        lower: usize,
    },
}

/// The multi-layer Nakamoto coefficient for one threshold and one set of kinds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossLayerResult {
    /// Threshold crossed, exact.
    pub threshold: Threshold,
    /// `≥` or `>`.
    pub boundary: Boundary,
    /// The kinds of dependency counted.
    pub kinds: Vec<Kind>,
    /// What crossing breaks (from the query), for the statement.
    pub label: Option<String>,
    /// What the weight is (`stake`, `validators`, `weight`).
    pub noun: String,
    /// Total weight of all units, including units no organisation touches.
    pub total_weight: f64,
    /// Number of units.
    pub units: usize,
    /// Number of organisations with at least one dependency of the counted kinds.
    pub organisations: usize,
    /// Share every organisation together takes out (the most any coalition can).
    pub max_share: f64,
    /// The smallest coalition found; `None` when the threshold cannot be reached.
    pub coalition: Option<Coalition>,
    /// Exact, or an upper bound with a lower bound.
    pub exactness: Exactness,
    /// The greedy coalition, for comparison (`None` when unreachable).
    pub greedy: Option<Coalition>,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
}

impl CrossLayerResult {
    /// The coefficient (the coalition's size): exact when [`Self::is_exact`], otherwise an
    /// upper bound. `None` when the threshold cannot be reached.
    pub fn size(&self) -> Option<usize> {
        self.coalition.as_ref().map(Coalition::size)
    }

    /// Whether [`Self::size`] is proven minimal.
    pub fn is_exact(&self) -> bool {
        self.exactness == Exactness::Exact
    }

    /// `(lower, upper)` bounds on the coefficient (equal when exact); `None` when
    /// unreachable.
    pub fn bounds(&self) -> Option<(usize, usize)> {
        let n = self.size()?;
        Some(match self.exactness {
            Exactness::Exact => (n, n),
            Exactness::UpperBound { lower } => (lower, n),
        })
    }

    /// Share of total weight the coalition takes out (0 when unreachable).
    pub fn share(&self) -> f64 {
        self.coalition.as_ref().map_or(0.0, |c| c.share)
    }

    /// The greedy coalition's size (an upper bound, for comparison).
    pub fn greedy_size(&self) -> Option<usize> {
        self.greedy.as_ref().map(Coalition::size)
    }

    /// One line, e.g. `3 organisations — Hetzner (provider), JitoLabs (client), DE
    /// (country) — together touch 72.1 % of stake ≥ 1/3: halt finality`. Flags a bounded
    /// result: `… (upper bound: exact search stopped after 200000 nodes; coefficient 3 to 5)`.
    pub fn statement(&self) -> String {
        let op = match self.boundary {
            Boundary::AtLeast => "≥",
            Boundary::Greater => ">",
        };
        let label = self
            .label
            .as_deref()
            .map(|l| format!(": {l}"))
            .unwrap_or_default();
        let Some(c) = &self.coalition else {
            let kinds: Vec<&str> = self.kinds.iter().map(Kind::id).collect();
            return format!(
                "no set of organisations ({}) touches {} {op} {}{label}: all together touch {:.1} %",
                kinds.join(", "),
                self.noun,
                self.threshold,
                self.max_share * 100.0
            );
        };
        let names: Vec<String> = c.members.iter().map(Member::label).collect();
        let (noun, verb) = if c.size() == 1 {
            ("organisation", "alone touches")
        } else {
            ("organisations", "together touch")
        };
        let mut s = format!(
            "{} {noun} — {} — {verb} {:.1} % of {} {op} {}{label}",
            c.size(),
            names.join(", "),
            c.share * 100.0,
            self.noun,
            self.threshold,
        );
        if let Exactness::UpperBound { lower } = self.exactness {
            let nodes = if self.nodes == 1 { "node" } else { "nodes" };
            s.push_str(&format!(
                " (upper bound: exact search stopped after {} {nodes}; coefficient {lower} to {})",
                self.nodes,
                c.size()
            ));
        }
        s
    }
}

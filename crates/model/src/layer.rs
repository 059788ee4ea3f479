//! The layers of a network at which power is measured.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A layer of a network. Ids are stable snake_case strings shared by files, flags and APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Block production and stake.
    Consensus,
    /// Hosting organisation, ASN, cloud.
    Infrastructure,
    /// Client implementations and code authorship.
    Software,
    /// Countries.
    Geography,
    /// Voting power, proposal authorship, approval rights.
    Governance,
    /// Token holdings.
    Wealth,
}

impl Layer {
    /// Every layer, in a stable order.
    pub const ALL: [Layer; 6] = [
        Layer::Consensus,
        Layer::Infrastructure,
        Layer::Software,
        Layer::Geography,
        Layer::Governance,
        Layer::Wealth,
    ];

    /// The stable id of this layer.
    pub fn id(self) -> &'static str {
        match self {
            Layer::Consensus => "consensus",
            Layer::Infrastructure => "infrastructure",
            Layer::Software => "software",
            Layer::Geography => "geography",
            Layer::Governance => "governance",
            Layer::Wealth => "wealth",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Layer {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layer::ALL
            .into_iter()
            .find(|l| l.id() == s)
            .ok_or_else(|| ModelError::UnknownLayer(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for l in Layer::ALL {
            assert!(seen.insert(l.id()));
            assert_eq!(l.id().parse::<Layer>().unwrap(), l);
        }
        assert!("Consensus".parse::<Layer>().is_err());
    }
}

//! What a dependency is on: an operator, a client, a provider, a country, a relay, …

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::CrossLayerError;

/// The kind of organisation a unit depends on.
///
/// Five kinds have names; any other (e.g. `"builder"`, `"custodian"`) is [`Kind::Other`],
/// lowercased. Ordered as listed (then `Other` by name), which fixes the order of kinds in
/// results.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Who runs the unit: a Solana validator's operator (its name, or its vote account when
    /// unnamed), an Ethereum staking entity (Lido, Coinbase, …).
    Operator,
    /// The client implementation it runs (JitoLabs, Firedancer; Prysm, Lighthouse, …).
    Client,
    /// Infrastructure: hosting organisation, cloud, ASN.
    Provider,
    /// The jurisdiction the unit runs in (ISO country code).
    Country,
    /// An MEV relay (Ethereum) the unit's blocks depend on.
    Relay,
    /// Any other kind, by its lowercased id.
    Other(String),
}

impl Kind {
    /// Stable lowercase id: `operator`, `client`, `provider`, `country`, `relay`, or the
    /// id of an [`Kind::Other`].
    pub fn id(&self) -> &str {
        match self {
            Kind::Operator => "operator",
            Kind::Client => "client",
            Kind::Provider => "provider",
            Kind::Country => "country",
            Kind::Relay => "relay",
            Kind::Other(s) => s,
        }
    }

    /// The five named kinds, in order.
    pub const NAMED: [Kind; 5] = [
        Kind::Operator,
        Kind::Client,
        Kind::Provider,
        Kind::Country,
        Kind::Relay,
    ];
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Kind {
    type Err = CrossLayerError;

    /// Case-insensitive. Aliases: `entity`, `pool` → operator; `software` → client; `asn`,
    /// `cloud`, `hosting`, `infrastructure` → provider; `geography` → country; `relays` →
    /// relay. Anything else non-empty (letters, digits, `_`, `-`) is [`Kind::Other`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = s.trim().to_ascii_lowercase();
        Ok(match id.as_str() {
            "operator" | "entity" | "pool" => Kind::Operator,
            "client" | "software" => Kind::Client,
            "provider" | "asn" | "cloud" | "hosting" | "infrastructure" => Kind::Provider,
            "country" | "geography" => Kind::Country,
            "relay" | "relays" => Kind::Relay,
            _ if !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                Kind::Other(id)
            }
            _ => return Err(CrossLayerError::BadKind(s.to_string())),
        })
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aliases_and_others() {
        assert_eq!("ASN".parse::<Kind>().unwrap(), Kind::Provider);
        assert_eq!("software".parse::<Kind>().unwrap(), Kind::Client);
        assert_eq!(
            "Builder".parse::<Kind>().unwrap(),
            Kind::Other("builder".into())
        );
        assert!("".parse::<Kind>().is_err());
        assert!("a b".parse::<Kind>().is_err());
        for k in Kind::NAMED {
            assert_eq!(k.id().parse::<Kind>().unwrap(), k);
        }
        assert!(Kind::Operator < Kind::Relay && Kind::Relay < Kind::Other("a".into()));
    }
}

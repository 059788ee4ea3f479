//! The ledgers EDI reads, grouped by how their raw data looks.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// How a ledger's raw block data is shaped (which EDI parser and mapping apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `identifiers` = coinbase script hex, `outputs[].addresses` (EDI `default_parser`).
    BitcoinLike,
    /// `reward_addresses` = miner, `identifiers` = extra-data hex (EDI `ethereum_parser`).
    Ethereum,
    /// `identifiers` = pool ticker, `reward_addresses` = pool hash (EDI `CardanoMapping`).
    Cardano,
    /// `reward_addresses` = baker; no identifiers (EDI `TezosMapping`).
    Tezos,
}

/// An EDI ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ledger {
    /// Bitcoin.
    Bitcoin,
    /// Bitcoin Cash.
    BitcoinCash,
    /// Dogecoin.
    Dogecoin,
    /// Litecoin.
    Litecoin,
    /// Zcash.
    Zcash,
    /// Ethereum.
    Ethereum,
    /// Cardano.
    Cardano,
    /// Tezos.
    Tezos,
}

impl Ledger {
    /// Every ledger, in a stable order.
    pub const ALL: [Ledger; 8] = [
        Ledger::Bitcoin,
        Ledger::BitcoinCash,
        Ledger::Dogecoin,
        Ledger::Litecoin,
        Ledger::Zcash,
        Ledger::Ethereum,
        Ledger::Cardano,
        Ledger::Tezos,
    ];

    /// EDI's name for the ledger (also powermap's network id).
    pub fn id(self) -> &'static str {
        match self {
            Ledger::Bitcoin => "bitcoin",
            Ledger::BitcoinCash => "bitcoin_cash",
            Ledger::Dogecoin => "dogecoin",
            Ledger::Litecoin => "litecoin",
            Ledger::Zcash => "zcash",
            Ledger::Ethereum => "ethereum",
            Ledger::Cardano => "cardano",
            Ledger::Tezos => "tezos",
        }
    }

    /// The shape of its raw data.
    pub fn family(self) -> Family {
        match self {
            Ledger::Ethereum => Family::Ethereum,
            Ledger::Cardano => Family::Cardano,
            Ledger::Tezos => Family::Tezos,
            _ => Family::BitcoinLike,
        }
    }
}

impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Ledger {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ledger::ALL
            .into_iter()
            .find(|l| l.id() == s)
            .ok_or_else(|| Error::UnknownLedger(s.to_string()))
    }
}

//! Reads the Edinburgh Decentralisation Index (EDI, "consensus-decentralization") formats.
//!
//! An ingestion adapter: EDI raw block data (JSON Lines) → [`EdiBlock`] → attributed
//! observations, with EDI's `mapping_information/` loaded into a
//! [`powermap_attribution::Registry`]. Where we differ from EDI is listed in `docs/edi.md`.
//!
//! ```text
//! <ledger>_raw_data.json ──BlockReader──▶ EdiBlock ──EdiMapper(Registry)──▶ AttributedObservation
//! mapping_information/ ──load_mapping_information──▶ Registry
//! ```
//!
//! ```
//! use powermap_edi::{BlockReader, EdiMapper, Ledger};
//! use powermap_attribution::Registry;
//! let raw = r#"{"number":"1","timestamp":"2021-08-30 00:36:18 UTC","reward_addresses":"tz1abc"}"#;
//! let mapper = EdiMapper::new(Registry::new("tezos"), true);
//! for block in BlockReader::new(raw.as_bytes(), "tezos_raw_data.json", Ledger::Tezos) {
//!     let obs = mapper.map(&block.unwrap(), "tezos_raw_data.json").unwrap();
//!     assert_eq!(obs.attribution.entity, "tz1abc");
//! }
//! ```

mod decode;
mod error;
mod ledger;
mod loader;
mod mapper;
mod reader;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub use decode::{ethereum_extra_data, python_bytes_repr, python_bytes_repr_of_hex};
pub use error::{Error, Result};
pub use ledger::{Family, Ledger};
pub use loader::{load_mapping_information, CARDANO_NO_ADDRESS_ENTITY};
pub use mapper::{edi_mapping_method, EdiMapper};
pub use reader::{parse_timestamp, BlockReader, EdiBlock};

/// Opens `<path>` as raw block data of `ledger` (file label = the file name).
pub fn open_raw(path: &Path, ledger: Ledger) -> Result<BlockReader<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(BlockReader::new(BufReader::new(file), label, ledger))
}

/// Reads a whole raw file and sorts the blocks by time (stable), as EDI's parsers do for
/// every ledger but Ethereum; we sort Ethereum too (see `docs/edi.md`).
pub fn read_sorted(path: &Path, ledger: Ledger) -> Result<Vec<EdiBlock>> {
    let mut blocks = open_raw(path, ledger)?.collect::<Result<Vec<_>>>()?;
    blocks.sort_by_key(|b| b.time);
    Ok(blocks)
}

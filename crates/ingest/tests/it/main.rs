//! Integration tests of powermap-ingest: one binary, one module per concern.

mod borrowed;
mod errors;
mod fuzz;
mod parquet_types;
mod roundtrip;
mod strategies;

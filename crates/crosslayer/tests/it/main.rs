//! Integration tests of powermap-crosslayer: real Solana and Ethereum data, worked
//! examples, properties.

mod data;
mod ethereum;
mod examples;
mod properties;
mod solana;

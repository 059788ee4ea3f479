//! Integration tests of powermap-security, one binary.

mod coalitions;
mod models;
mod properties;

//! Integration tests of powermap-attribution (one binary: examples, properties, built-in).

mod builtin;
mod properties;
mod resolution;

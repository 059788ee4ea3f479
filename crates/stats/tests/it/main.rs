//! Integration tests: the statistics on the built-in Bitcoin data.

mod bitcoin;

//! Integration tests of the real `powermap` binary, run in temporary directories; one test
//! binary for the crate.

mod analyze;
mod capture;
mod check;
mod cli_docs;
mod import;
mod report;
mod simulate;
mod util;
mod watch;
mod whatif;

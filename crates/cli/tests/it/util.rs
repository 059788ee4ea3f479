//! Helpers shared by the integration tests: run the real binary, read its output, find
//! repository files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `powermap` with `args` in `dir`.
pub fn powermap(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_powermap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// `(stdout, stderr)` as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An absolute path to `examples/<name>`.
pub fn example(name: &str) -> String {
    repo()
        .join("examples")
        .join(name)
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

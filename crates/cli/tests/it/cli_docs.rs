//! `docs/cli.md` is generated from `--help`; this test fails when they drift.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test -p powermap-cli --test it cli_docs`.

use std::path::Path;
use std::process::Command;

const PAGES: &[&[&str]] = &[
    &[],
    &["analyze"],
    &["drift"],
    &["check"],
    &["entities", "list"],
    &["entities", "explain"],
    &["import"],
    &["report"],
    &["capture"],
    &["simulate"],
    &["watch"],
    &["datasets"],
    &["bench"],
];

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_powermap"))
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("binary runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cli_reference_matches_help() {
    let mut doc = String::from(
        "# Command-line reference\n\nGenerated from `--help` by `crates/cli/tests/it/cli_docs.rs`; \
         do not edit by hand (`UPDATE_GOLDEN=1 cargo test -p powermap-cli --test it cli_docs`).\n",
    );
    for args in PAGES {
        let title = if args.is_empty() {
            "powermap".to_string()
        } else {
            format!("powermap {}", args.join(" "))
        };
        doc.push_str(&format!("\n## `{title}`\n\n```text\n{}```\n", help(args)));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/cli.md is out of date with --help; run UPDATE_GOLDEN=1 cargo test -p powermap-cli --test it cli_docs"
    );
}

//! A directory of dropped observation files (the open format: CSV, JSON Lines, Parquet).
//!
//! Each poll takes the files directly in the directory, in name order. A file is read
//! whole; if every record is valid it is stored in one transaction keyed by its SHA-256
//! digest (the same content twice ingests once) and then moved to `ingested/`; a file with
//! invalid records is moved to `failed/` with a `<name>.error.txt` listing the problems, and
//! nothing of it is stored. A crash between the commit and the move is harmless: the next
//! poll finds the digest stored, skips the content and moves the file.

use std::fs;
use std::path::{Path, PathBuf};

use powermap_ingest::{read_file, Format};
use powermap_store::{ApplyReport, Batch, FileRecord, Store};
use sha2::{Digest, Sha256};

use crate::error::{FollowError, Result};

/// Subdirectory for ingested files.
pub const INGESTED: &str = "ingested";
/// Subdirectory for rejected files.
pub const FAILED: &str = "failed";

/// What one poll of a directory did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirPoll {
    /// Files stored (or found already stored) and moved to `ingested/`.
    pub ingested: Vec<String>,
    /// Files moved to `failed/`, with the first problem.
    pub failed: Vec<(String, String)>,
    /// Store effects, summed.
    pub applied: ApplyReport,
}

/// `sha256:<hex>` of a file's bytes.
pub fn file_digest(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> FollowError {
    FollowError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn move_into(path: &Path, sub: &str, digest: &str) -> Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new(".")).join(sub);
    fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut target = dir.join(&name);
    if target.exists() {
        let short = digest.trim_start_matches("sha256:");
        target = dir.join(format!("{}-{name}", &short[..12.min(short.len())]));
    }
    fs::rename(path, &target).map_err(|e| io_err(path, e))?;
    Ok(target)
}

/// One poll of directory `dir` into `store` under source name `source`.
pub fn poll_dir(dir: &Path, store: &mut Store, source: &str) -> Result<DirPoll> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && Format::from_path(p).is_ok())
        .collect();
    files.sort();
    let mut out = DirPoll::default();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let bytes = fs::read(&path).map_err(|e| io_err(&path, e))?;
        let digest = file_digest(&bytes);
        let mut observations = Vec::new();
        let mut problems = Vec::new();
        match read_file(&path) {
            Ok(reader) => {
                for r in reader {
                    match r {
                        Ok(o) => observations.push(o),
                        Err(e) => problems.push(e.to_string()),
                    }
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
        if !problems.is_empty() {
            let target = move_into(&path, FAILED, &digest)?;
            let report = target.with_file_name(format!(
                "{}.error.txt",
                target.file_name().unwrap_or_default().to_string_lossy()
            ));
            fs::write(&report, problems.join("\n") + "\n").map_err(|e| io_err(&report, e))?;
            out.failed.push((name, problems.swap_remove(0)));
            continue;
        }
        let rep = store.apply(Batch {
            source: source.to_string(),
            files: vec![FileRecord {
                digest: digest.clone(),
                name: name.clone(),
                observations,
            }],
            cursor: Some(name.clone()),
            ..Default::default()
        })?;
        move_into(&path, INGESTED, &digest)?;
        out.applied.files_inserted += rep.files_inserted;
        out.applied.files_skipped += rep.files_skipped;
        out.applied.observations_inserted += rep.observations_inserted;
        out.applied.touched.extend(rep.touched);
        out.ingested.push(name);
    }
    Ok(out)
}

//! Atomic file replacement: readers see the old file or the new one, never half of one.

use std::fs::{self, File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::IngestError;

/// Writes `path` atomically: `write` fills a temporary file in the same directory, which is
/// flushed, fsynced and renamed over `path`; on Unix the directory is fsynced too.
///
/// If `write` fails (or panics) the temporary file is removed and `path` is untouched.
/// Errors of the file handling itself reach the caller through `E: From<IngestError>`, so
/// other crates can use their own error type.
///
/// ```
/// # fn main() -> Result<(), powermap_ingest::IngestError> {
/// use std::io::Write;
/// let dir = std::env::temp_dir().join(format!("powermap-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("hello.txt");
/// powermap_ingest::atomic_write(&path, |w| {
///     w.write_all(b"hello\n").map_err(|e| powermap_ingest::IngestError::io(&path, e))
/// })?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(())
/// # }
/// ```
pub fn atomic_write<T, E, F>(path: impl AsRef<Path>, write: F) -> Result<T, E>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<T, E>,
    E: From<IngestError>,
{
    let path = path.as_ref();
    let io = |e| E::from(IngestError::io(path, e));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    let (file, tmp) = create_temp(dir, &name.to_string_lossy()).map_err(io)?;
    let guard = TempGuard(Some(tmp));
    let mut w = BufWriter::with_capacity(256 * 1024, file);
    let value = write(&mut w)?;
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    let tmp = guard.disarm();
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    sync_dir(dir).map_err(io)?;
    Ok(value)
}

fn create_temp(dir: &Path, name: &str) -> std::io::Result<(File, PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Removes the temporary file unless the write got as far as the rename.
struct TempGuard(Option<PathBuf>);

impl TempGuard {
    fn disarm(mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Makes the rename durable (the directory entry is data too).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn replaces_whole_file_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let r: Result<(), IngestError> = atomic_write(&path, |w| {
            w.write_all(b"partial").unwrap();
            Err(IngestError::Internal("boom".into()))
        });
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        atomic_write::<_, IngestError, _>(&path, |w| {
            w.write_all(b"new").map_err(|e| IngestError::io(&path, e))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files were left behind");
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.txt");
        let r: Result<(), IngestError> = atomic_write(&path, |_| Ok(()));
        assert!(matches!(r, Err(IngestError::Io { .. })), "{r:?}");
    }
}

//! Writing a file under a temporary name and renaming it once complete, so that a file
//! with its final name is never partial.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::PackageError;

/// Writes `path` through `write`, which receives a buffered writer to a temporary file
/// `.<name>.partial` in the same folder. The data is flushed and synced to disk before
/// the rename. On any error the temporary file is removed and `path` is left untouched.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T, PackageError>,
) -> Result<T, PackageError> {
    let temporary = temporary_path(path);
    let file = File::create(&temporary)
        .map_err(|error| PackageError::io("creating", &temporary, error))?;
    let result = finish(path, &temporary, file, write);
    if result.is_err() {
        // The caller needs the original error, so a failed cleanup is ignored.
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

fn finish<T>(
    path: &Path,
    temporary: &Path,
    file: File,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T, PackageError>,
) -> Result<T, PackageError> {
    let mut writer = BufWriter::new(file);
    let value = write(&mut writer)?;
    writer
        .flush()
        .map_err(|error| PackageError::io("writing", temporary, error))?;
    let file = writer
        .into_inner()
        .map_err(|error| PackageError::io("writing", temporary, error.into_error()))?;
    file.sync_all()
        .map_err(|error| PackageError::io("syncing", temporary, error))?;
    std::fs::rename(temporary, path)
        .map_err(|error| PackageError::io("renaming into place", path, error))?;
    Ok(value)
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_write_is_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomically(&path, |writer| {
            writer
                .write_all(b"done")
                .map_err(|error| PackageError::io("writing", "out.txt", error))
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"done");
        assert!(!dir.path().join(".out.txt.partial").exists());
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let result: Result<(), PackageError> = write_atomically(&path, |writer| {
            writer.write_all(b"half").unwrap();
            Err(PackageError::NoRecipients)
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn failed_write_keeps_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, b"previous").unwrap();
        let result: Result<(), PackageError> =
            write_atomically(&path, |_| Err(PackageError::NoRecipients));
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
    }
}

//! Files written under a temporary name and renamed when complete, so a
//! crash never leaves a half-written file under the final name.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::SynthError;

/// A file being written as `.<name>.<process id>.partial` in the folder of
/// its final path, so concurrent runs into one folder never share a partial
/// file. Dropping it without [`StagedFile::commit`] removes the partial file.
pub(crate) struct StagedFile {
    partial_path: PathBuf,
    final_path: PathBuf,
    committed: bool,
}

impl StagedFile {
    /// Creates (or truncates) the partial file for `file_name` in `folder`.
    pub(crate) fn create(folder: &Path, file_name: &str) -> Result<(StagedFile, File), SynthError> {
        let final_path = folder.join(file_name);
        let partial_path = folder.join(format!(".{file_name}.{}.partial", std::process::id()));
        let file = File::create(&partial_path).map_err(|source| SynthError::Write {
            path: partial_path.clone(),
            source,
        })?;
        let staged = StagedFile {
            partial_path,
            final_path,
            committed: false,
        };
        Ok((staged, file))
    }

    /// Returns the final path, for error messages.
    pub(crate) fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Flushes `file` to disk and renames the partial file to the final name.
    pub(crate) fn commit(mut self, file: File) -> Result<(), SynthError> {
        file.sync_all().map_err(|source| SynthError::Write {
            path: self.partial_path.clone(),
            source,
        })?;
        drop(file);
        fs::rename(&self.partial_path, &self.final_path).map_err(|source| SynthError::Write {
            path: self.final_path.clone(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            // The partial file may not exist any more; nothing else to do then.
            let _ = fs::remove_file(&self.partial_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn commit_renames_to_final_name() {
        let folder = tempfile::tempdir().unwrap();
        let (staged, mut file) = StagedFile::create(folder.path(), "a.csv").unwrap();
        file.write_all(b"x\n").unwrap();
        let partial = folder
            .path()
            .join(format!(".a.csv.{}.partial", std::process::id()));
        assert!(partial.exists());
        assert!(!folder.path().join("a.csv").exists());

        staged.commit(file).unwrap();
        assert!(!partial.exists());
        assert_eq!(fs::read(folder.path().join("a.csv")).unwrap(), b"x\n");
    }

    #[test]
    fn drop_without_commit_removes_partial_file() {
        let folder = tempfile::tempdir().unwrap();
        let (staged, file) = StagedFile::create(folder.path(), "b.csv").unwrap();
        drop(file);
        drop(staged);
        let leftovers = fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(leftovers, 0);
    }
}

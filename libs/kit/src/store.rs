//! The work store: a folder shared by the pipeline services, where large data
//! lives while messages carry only references to it (claim check).
//!
//! Objects are written under a temporary name and renamed when complete, so a
//! reader never sees half an object and a crashed writer leaves no object.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use hap_contracts::events::ObjectRef;
use sha2::{Digest, Sha256};

/// A local folder used as an object store.
#[derive(Clone, Debug)]
pub struct WorkStore {
    root: PathBuf,
}

impl WorkStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WorkStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Returns the path of `key`, rejecting keys that would leave the root.
    pub fn path(&self, key: &str) -> io::Result<PathBuf> {
        let relative = Path::new(key);
        let safe = !key.is_empty()
            && relative
                .components()
                .all(|component| matches!(component, Component::Normal(_)));
        if !safe {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("object key `{key}` must be a relative path without `..`"),
            ));
        }
        Ok(self.root.join(relative))
    }

    /// Writes an object through `write`, then renames it into place, and
    /// returns its reference with size and SHA-256.
    pub fn put_with(
        &self,
        key: &str,
        write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
    ) -> io::Result<ObjectRef> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4()));
        let result = (|| {
            let mut file = io::BufWriter::new(fs::File::create(&temporary)?);
            write(&mut file)?;
            file.into_inner()
                .map_err(|error| error.into_error())?
                .sync_all()?;
            fs::rename(&temporary, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result?;
        self.describe(key)
    }

    /// Writes a whole object from memory.
    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<ObjectRef> {
        self.put_with(key, |out| out.write_all(bytes))
    }

    /// Reads an object and checks it against its reference.
    pub fn get(&self, object: &ObjectRef) -> io::Result<Vec<u8>> {
        let bytes = fs::read(self.path(&object.key)?)?;
        let digest = hex(&Sha256::digest(&bytes));
        if digest != object.sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "object `{}` has SHA-256 {digest}, but its reference says {}; the store was changed after writing",
                    object.key, object.sha256
                ),
            ));
        }
        Ok(bytes)
    }

    /// Computes the reference of an existing object.
    pub fn describe(&self, key: &str) -> io::Result<ObjectRef> {
        let mut file = fs::File::open(self.path(key)?)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 64 * 1024];
        let mut bytes = 0u64;
        loop {
            let read = file.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            bytes += read as u64;
        }
        Ok(ObjectRef {
            key: key.to_owned(),
            sha256: hex(&hasher.finalize()),
            bytes,
        })
    }
}

/// Lowercase hex of a byte slice.
pub fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_then_get_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = WorkStore::new(dir.path());
        let object = store.put("a/b/data.bin", b"hello").unwrap();
        assert_eq!(object.bytes, 5);
        assert_eq!(store.get(&object).unwrap(), b"hello");
    }

    #[test]
    fn changed_object_detected() {
        let dir = tempfile::tempdir().unwrap();
        let store = WorkStore::new(dir.path());
        let object = store.put("x", b"hello").unwrap();
        fs::write(dir.path().join("x"), b"jello").unwrap();
        assert!(store.get(&object).is_err());
    }

    #[test]
    fn key_outside_root_rejected() {
        let store = WorkStore::new("/tmp/store");
        assert!(store.path("../etc/passwd").is_err());
        assert!(store.path("/etc/passwd").is_err());
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = WorkStore::new(dir.path());
        let result = store.put_with("y", |_| Err(io::Error::other("disk full")));
        assert!(result.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

//! `manifest.json`: the size and SHA-256 of every other file in the package.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::PackageError;
use crate::atomic_file::write_atomically;
use crate::digest::{Sha256Digest, hash_file};
use crate::file_name::{MANIFEST_FILE, check_plain_file_name};

/// Contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub application_id: String,
    pub title: String,
    /// Every file of the package except `manifest.json` itself, sorted by name.
    pub files: Vec<ManifestEntry>,
}

/// One file of the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// File name inside the package folder.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    pub sha256: Sha256Digest,
}

/// Writes `manifest` as pretty-printed JSON with a trailing newline.
pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), PackageError> {
    let mut bytes =
        serde_json::to_vec_pretty(manifest).map_err(|source| PackageError::Serialise {
            file: MANIFEST_FILE.to_string(),
            source,
        })?;
    bytes.push(b'\n');
    let path = dir.join(MANIFEST_FILE);
    write_atomically(&path, |writer| {
        std::io::Write::write_all(writer, &bytes)
            .map_err(|error| PackageError::io("writing", &path, error))
    })
}

/// Reads `manifest.json` in `dir`, then recomputes the size and SHA-256 of each listed
/// file, in manifest order.
///
/// Returns the manifest when every file matches. Otherwise the error names the first
/// file that is missing, has another size, or has another digest. Files in `dir` that
/// the manifest does not list are not checked.
pub fn verify_manifest(dir: &Path) -> Result<Manifest, PackageError> {
    let manifest = read_manifest(dir)?;
    for entry in &manifest.files {
        verify_entry(dir, entry)?;
    }
    Ok(manifest)
}

fn read_manifest(dir: &Path) -> Result<Manifest, PackageError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|error| PackageError::io("reading", &path, error))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|source| PackageError::InvalidManifest { path, source })?;
    for entry in &manifest.files {
        if check_plain_file_name(&entry.name).is_err() || entry.name == MANIFEST_FILE {
            return Err(PackageError::UnsafeFileName {
                name: entry.name.clone(),
            });
        }
    }
    Ok(manifest)
}

fn verify_entry(dir: &Path, entry: &ManifestEntry) -> Result<(), PackageError> {
    let path = dir.join(&entry.name);
    let (size, digest) = match hash_file(&path) {
        Ok(measured) => measured,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(PackageError::FileMissing {
                file: entry.name.clone(),
            });
        }
        Err(error) => return Err(PackageError::io("reading", path, error)),
    };
    if size != entry.size {
        return Err(PackageError::SizeMismatch {
            file: entry.name.clone(),
            expected: entry.size,
            found: size,
        });
    }
    if digest != entry.sha256 {
        return Err(PackageError::HashMismatch {
            file: entry.name.clone(),
            expected: entry.sha256.to_string(),
            found: digest.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut entries = Vec::new();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
            entries.push(ManifestEntry {
                name: (*name).to_string(),
                size: content.len() as u64,
                sha256: Sha256Digest::of(content),
            });
        }
        let manifest = Manifest {
            application_id: "APP-1".into(),
            title: "Study".into(),
            files: entries,
        };
        write_manifest(dir.path(), &manifest).unwrap();
        dir
    }

    #[test]
    fn intact_package_verifies() {
        let dir = package_with(&[("a.txt", b"alpha"), ("b.txt", b"beta")]);
        let manifest = verify_manifest(dir.path()).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert_eq!(manifest.files[1].size, 4);
    }

    #[test]
    fn changed_byte_named() {
        let dir = package_with(&[("a.txt", b"alpha"), ("b.txt", b"beta")]);
        std::fs::write(dir.path().join("b.txt"), b"bETA").unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(&error, PackageError::HashMismatch { file, .. } if file == "b.txt"));
    }

    #[test]
    fn first_mismatch_reported() {
        let dir = package_with(&[("a.txt", b"alpha"), ("b.txt", b"beta")]);
        std::fs::write(dir.path().join("a.txt"), b"ALPHA").unwrap();
        std::fs::write(dir.path().join("b.txt"), b"BETA").unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(&error, PackageError::HashMismatch { file, .. } if file == "a.txt"));
    }

    #[test]
    fn truncation_named() {
        let dir = package_with(&[("a.txt", b"alpha")]);
        std::fs::write(dir.path().join("a.txt"), b"alp").unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(
            error,
            PackageError::SizeMismatch {
                expected: 5,
                found: 3,
                ..
            }
        ));
    }

    #[test]
    fn missing_file_named() {
        let dir = package_with(&[("a.txt", b"alpha")]);
        std::fs::remove_file(dir.path().join("a.txt")).unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(&error, PackageError::FileMissing { file } if file == "a.txt"));
    }

    #[test]
    fn path_in_manifest_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"{"application_id":"A","title":"T","files":[{"name":"../etc/passwd","size":1,"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}"#;
        std::fs::write(dir.path().join(MANIFEST_FILE), text).unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(error, PackageError::UnsafeFileName { .. }));
    }

    #[test]
    fn malformed_manifest_rejected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST_FILE), b"{\"files\": 3}").unwrap();
        let error = verify_manifest(dir.path()).unwrap_err();
        assert!(matches!(error, PackageError::InvalidManifest { .. }));
    }
}

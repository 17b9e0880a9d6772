//! Encrypting a built package with Crypt4GH for its recipients.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use hap_crypt4gh::PublicKey;

use crate::PackageError;
use crate::atomic_file::write_atomically;
use crate::digest::{HashingWriter, Sha256Digest};
use crate::file_name::MANIFEST_FILE;
use crate::manifest::verify_manifest;

/// Extension added to the name of each encrypted file.
pub const ENCRYPTED_EXTENSION: &str = "c4gh";

/// One encrypted file of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFile {
    /// Name of the plaintext file, such as `data.csv`.
    pub source: String,
    /// Name of the encrypted file in the output folder, such as `data.csv.c4gh`.
    pub name: String,
    /// Size of the encrypted file in bytes.
    pub size: u64,
    /// SHA-256 of the encrypted file.
    pub sha256: Sha256Digest,
}

/// Encrypts every file of the package in `plain_dir` into `out_dir` as `<name>.c4gh`,
/// readable by each of `recipients`.
///
/// The package is first checked with [`verify_manifest`], so only an intact package is
/// encrypted. The files are those in the manifest, then `manifest.json` itself; other
/// files in `plain_dir` are ignored. Each file gets its own data key and a one-time
/// sender key, and is written under a temporary name and renamed when complete. The
/// result lists the files in that order.
pub fn encrypt_package(
    plain_dir: &Path,
    out_dir: &Path,
    recipients: &[PublicKey],
) -> Result<Vec<EncryptedFile>, PackageError> {
    if recipients.is_empty() {
        return Err(PackageError::NoRecipients);
    }
    let manifest = verify_manifest(plain_dir)?;
    std::fs::create_dir_all(out_dir)
        .map_err(|error| PackageError::io("creating folder", out_dir, error))?;

    let sources = manifest
        .files
        .iter()
        .map(|entry| entry.name.as_str())
        .chain([MANIFEST_FILE]);
    let mut encrypted = Vec::with_capacity(manifest.files.len() + 1);
    for source in sources {
        encrypted.push(encrypt_file(plain_dir, out_dir, source, recipients)?);
    }
    Ok(encrypted)
}

fn encrypt_file(
    plain_dir: &Path,
    out_dir: &Path,
    source: &str,
    recipients: &[PublicKey],
) -> Result<EncryptedFile, PackageError> {
    let source_path = plain_dir.join(source);
    let plaintext = File::open(&source_path)
        .map_err(|error| PackageError::io("opening", &source_path, error))?;
    let name = format!("{source}.{ENCRYPTED_EXTENSION}");

    let (size, sha256) = write_atomically(&out_dir.join(&name), |writer| {
        let mut hashing = HashingWriter::new(writer);
        hap_crypt4gh::encrypt(BufReader::new(plaintext), &mut hashing, recipients, None).map_err(
            |error| PackageError::Encrypt {
                file: source.to_string(),
                source: error,
            },
        )?;
        let (_, size, sha256) = hashing.finish();
        Ok((size, sha256))
    })?;

    Ok(EncryptedFile {
        source: source.to_string(),
        name,
        size,
        sha256,
    })
}

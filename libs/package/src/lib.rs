//! The delivery package: the released table, its codebook and reports in one folder,
//! listed with sizes and SHA-256 digests in `manifest.json`, then encrypted per file
//! with Crypt4GH for the recipients. Pure logic on local files, no network.
//!
//! Module map:
//! - `input`: [`PackageInput`], [`VariableDoc`] and their validation.
//! - `build`: [`build_package`], writing the plaintext folder.
//! - `codebook`, `readme`: rendering `codebook.json`, `codebook.md` and `README.md`.
//! - `manifest`: [`Manifest`], writing it and [`verify_manifest`].
//! - `encrypt`: [`encrypt_package`] and [`EncryptedFile`].
//! - `digest`: [`Sha256Digest`] and hashing while writing or reading.
//! - `atomic_file`: temporary-name-then-rename writes.
//! - `file_name`: the fixed file names and the plain-name check.
//! - `error`: [`PackageError`].

mod atomic_file;
mod build;
mod codebook;
mod digest;
mod encrypt;
mod error;
mod file_name;
mod input;
mod manifest;
mod readme;

pub use build::build_package;
pub use digest::Sha256Digest;
pub use encrypt::{ENCRYPTED_EXTENSION, EncryptedFile, encrypt_package};
pub use error::PackageError;
pub use file_name::MANIFEST_FILE;
pub use input::{PackageInput, VariableDoc};
pub use manifest::{Manifest, ManifestEntry, verify_manifest};

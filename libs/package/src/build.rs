//! Building the plaintext package folder.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::atomic_file::write_atomically;
use crate::digest::HashingWriter;
use crate::file_name::{
    CODEBOOK_JSON_FILE, CODEBOOK_MARKDOWN_FILE, CSV_FILE, PARQUET_FILE, README_FILE,
};
use crate::input::{self, PackageInput};
use crate::manifest::{Manifest, ManifestEntry, write_manifest};
use crate::{PackageError, codebook, readme};

/// Writes the package for `input` into `dir`, creating `dir` if needed.
///
/// Files: `data.parquet`, `data.csv`, `codebook.json`, `codebook.md`, each report,
/// `README.md`, and last `manifest.json`, which lists the others with size and SHA-256.
/// The same input gives the same bytes in every file: nothing depends on the time,
/// the folder or the order of the codebook entries. Each file is written under a
/// temporary name and renamed when complete. Files already in `dir` with other names
/// are left alone and are not listed in the manifest.
pub fn build_package(input: &PackageInput<'_>, dir: &Path) -> Result<Manifest, PackageError> {
    input::validate(input)?;
    std::fs::create_dir_all(dir)
        .map_err(|error| PackageError::io("creating folder", dir, error))?;

    let mut files = vec![
        write_file(dir, PARQUET_FILE, |writer| {
            hap_dataset::write_parquet(input.table, writer).map_err(|source| {
                PackageError::Dataset {
                    file: PARQUET_FILE,
                    source,
                }
            })
        })?,
        write_file(dir, CSV_FILE, |writer| {
            hap_dataset::write_csv(input.table, writer).map_err(|source| PackageError::Dataset {
                file: CSV_FILE,
                source,
            })
        })?,
    ];

    let codebook_json = codebook::render_json(input).map_err(|source| PackageError::Serialise {
        file: CODEBOOK_JSON_FILE.to_string(),
        source,
    })?;
    files.push(write_bytes(dir, CODEBOOK_JSON_FILE, &codebook_json)?);
    files.push(write_bytes(
        dir,
        CODEBOOK_MARKDOWN_FILE,
        codebook::render_markdown(input).as_bytes(),
    )?);

    for (name, report) in input.reports {
        let mut bytes =
            serde_json::to_vec_pretty(report).map_err(|source| PackageError::Serialise {
                file: (*name).to_string(),
                source,
            })?;
        bytes.push(b'\n');
        files.push(write_bytes(dir, name, &bytes)?);
    }
    files.push(write_bytes(
        dir,
        README_FILE,
        readme::render(input).as_bytes(),
    )?);

    files.sort_by(|left, right| left.name.cmp(&right.name));
    let manifest = Manifest {
        application_id: input.application_id.to_string(),
        title: input.title.to_string(),
        files,
    };
    write_manifest(dir, &manifest)?;
    Ok(manifest)
}

/// Writes `dir/name` through `write` and returns its manifest entry.
fn write_file(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut HashingWriter<&mut BufWriter<File>>) -> Result<(), PackageError>,
) -> Result<ManifestEntry, PackageError> {
    write_atomically(&dir.join(name), |writer| {
        let mut hashing = HashingWriter::new(writer);
        write(&mut hashing)?;
        let (_, size, sha256) = hashing.finish();
        Ok(ManifestEntry {
            name: name.to_string(),
            size,
            sha256,
        })
    })
}

fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<ManifestEntry, PackageError> {
    let path = dir.join(name);
    write_file(dir, name, |writer| {
        writer
            .write_all(bytes)
            .map_err(|error| PackageError::io("writing", &path, error))
    })
}

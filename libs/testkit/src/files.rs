//! Comparing the files of two output folders byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

/// Returns every file under `dir`, as paths relative to it, sorted.
///
/// # Panics
///
/// Panics when a folder cannot be read.
pub fn relative_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("reading {} failed: {error}", folder.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|error| panic!("reading {} failed: {error}", folder.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Asserts that `actual` has the same files as `expected`, with the same
/// bytes, and returns their relative paths.
///
/// # Panics
///
/// Panics, naming the first file that differs, when the folders differ.
pub fn assert_same_files(expected: &Path, actual: &Path) -> Vec<PathBuf> {
    let names = relative_files(expected);
    assert_eq!(
        names,
        relative_files(actual),
        "{} and {} hold different files",
        expected.display(),
        actual.display()
    );
    for name in &names {
        let read = |dir: &Path| {
            fs::read(dir.join(name)).unwrap_or_else(|error| {
                panic!("reading {} failed: {error}", dir.join(name).display())
            })
        };
        assert!(
            read(expected) == read(actual),
            "{} differs between {} and {}",
            name.display(),
            expected.display(),
            actual.display()
        );
    }
    names
}

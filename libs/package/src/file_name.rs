//! Names of the files in a package, and the check that keeps a name inside its folder.

pub(crate) const PARQUET_FILE: &str = "data.parquet";
pub(crate) const CSV_FILE: &str = "data.csv";
pub(crate) const CODEBOOK_JSON_FILE: &str = "codebook.json";
pub(crate) const CODEBOOK_MARKDOWN_FILE: &str = "codebook.md";
pub(crate) const README_FILE: &str = "README.md";
/// File that lists every other file with its size and SHA-256.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Names the package writes itself; reports cannot use them.
pub(crate) const RESERVED_FILE_NAMES: [&str; 6] = [
    PARQUET_FILE,
    CSV_FILE,
    CODEBOOK_JSON_FILE,
    CODEBOOK_MARKDOWN_FILE,
    README_FILE,
    MANIFEST_FILE,
];

/// Maximum file name length in bytes, the limit of common file systems such as ext4.
const MAX_FILE_NAME_LEN: usize = 255;

/// Accepts a name that stays inside the package folder and is visible: no path
/// separator, no leading dot, no control character.
pub(crate) fn check_plain_file_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("the name is empty");
    }
    if name.len() > MAX_FILE_NAME_LEN {
        return Err("the name is longer than 255 bytes");
    }
    if name.contains(['/', '\\']) {
        return Err("the name contains a path separator");
    }
    if name.starts_with('.') {
        return Err("the name starts with a dot");
    }
    if name.chars().any(char::is_control) {
        return Err("the name contains a control character");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_accepted() {
        for name in ["data.csv", "linkage-report.json", "a b.json"] {
            assert!(check_plain_file_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn escaping_names_rejected() {
        for name in [
            "",
            "..",
            "../x",
            "x/y",
            "x\\y",
            ".hidden",
            "a\nb",
            &"x".repeat(256),
        ] {
            assert!(check_plain_file_name(name).is_err(), "{name:?}");
        }
    }
}

//! Checks on names from requests that become file names or object keys.

use super::Problem;

/// The longest name accepted, in bytes, which is the file-name limit of
/// common file systems (ext4, XFS, APFS).
pub const MAX_NAME_BYTES: usize = 255;

/// Checks that `name`, given in the request as `what` (such as `file
/// name`), is one plain path segment: not empty, at most
/// [`MAX_NAME_BYTES`] bytes, not `.` or `..`, and without `/`, `\` or
/// control characters. The problem is a 400 that names the value.
pub fn check_name<'a>(what: &str, name: &'a str) -> Result<&'a str, Problem> {
    let reason = if name.is_empty() {
        Some("is empty".to_owned())
    } else if name.len() > MAX_NAME_BYTES {
        Some(format!("is longer than {MAX_NAME_BYTES} bytes"))
    } else if name == "." || name == ".." {
        Some("is a relative path segment".to_owned())
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator".to_owned())
    } else if name.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else {
        None
    };
    match reason {
        None => Ok(name),
        Some(reason) => {
            let shown: String = name.chars().take(64).collect();
            Err(Problem::bad_request(
                "invalid-name",
                format!(
                    "{what} `{}` {reason}; give the plain name as listed by the API",
                    shown.escape_default()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_accepted() {
        for name in ["cancer.csv.c4gh", "README", "a..b", "..hidden", "æøå.txt"] {
            assert_eq!(check_name("file name", name).unwrap(), name);
        }
    }

    #[test]
    fn traversal_and_separators_rejected() {
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        let cases = [
            "",
            ".",
            "..",
            "../etc/passwd",
            "a/b",
            "..\\windows",
            "name\0.txt",
            "line\nbreak",
            long.as_str(),
        ];
        for name in cases {
            let problem = check_name("file name", name).unwrap_err();
            assert_eq!(problem.status, 400, "{name:?}");
            assert_eq!(problem.kind, "urn:hap:problem:invalid-name", "{name:?}");
        }
    }

    #[test]
    fn problem_names_value_escaped() {
        let problem = check_name("file name", "../a\nb").unwrap_err();
        assert!(problem.detail.contains("`../a\\nb`"), "{}", problem.detail);
        assert!(
            problem.detail.starts_with("file name "),
            "{}",
            problem.detail
        );
    }
}

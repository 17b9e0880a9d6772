//! Code-prefix hierarchies, such as ICD-10.

use super::{Hierarchy, distinct};
use crate::error::HierarchyError;

impl Hierarchy {
    /// Builds a hierarchy that truncates codes: level `i + 1` is the first
    /// `lengths[i]` characters of the value (the whole value when it is
    /// shorter), and `*` comes last. Lengths must be at least 1 and strictly
    /// decreasing.
    pub fn code_prefixes<'a>(
        values: impl IntoIterator<Item = &'a str>,
        lengths: &[usize],
    ) -> Result<Self, HierarchyError> {
        let invalid = |reason| HierarchyError::InvalidPrefixLengths {
            lengths: lengths.to_vec(),
            reason,
        };
        if lengths.contains(&0) {
            return Err(invalid("a prefix length must be at least 1"));
        }
        if lengths.windows(2).any(|pair| pair[1] >= pair[0]) {
            return Err(invalid("prefix lengths must be strictly decreasing"));
        }

        let rows = distinct(values)
            .into_iter()
            .map(|value| {
                let mut row = vec![value.to_owned()];
                row.extend(
                    lengths
                        .iter()
                        .map(|&length| value.chars().take(length).collect::<String>()),
                );
                row.push("*".to_owned());
                row
            })
            .collect();

        let mut names = vec!["code".to_owned()];
        names.extend(
            lengths
                .iter()
                .map(|length| format!("first {length} characters")),
        );
        names.push("*".to_owned());
        Self::from_rows(rows)?.with_level_names(names)
    }

    /// Builds an ICD-10 hierarchy: the code (`C50.9`), its category (`C50`),
    /// the first two characters (`C5`), the letter (`C`) and `*`. A code is a
    /// capital letter and two digits, optionally followed by a subdivision of
    /// one to four letters or digits, with or without a dot (`C50.9`, `C509`).
    pub fn icd10<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, HierarchyError> {
        let values = distinct(values);
        if let Some(bad) = values.iter().find(|value| !is_icd10_code(value)) {
            return Err(HierarchyError::InvalidValue {
                kind: "ICD-10",
                value: (*bad).to_owned(),
                reason: "expected a letter, two digits and an optional subdivision, such as C50.9",
            });
        }
        Self::code_prefixes(values, &[3, 2, 1])?.with_level_names([
            "code",
            "category",
            "first 2 characters",
            "letter",
            "*",
        ])
    }
}

fn is_icd10_code(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() < 3
        || !bytes[0].is_ascii_uppercase()
        || !bytes[1].is_ascii_digit()
        || !bytes[2].is_ascii_digit()
    {
        return false;
    }
    let rest = &bytes[3..];
    let subdivision = rest.strip_prefix(b".").unwrap_or(rest);
    if rest.first() == Some(&b'.') && subdivision.is_empty() {
        return false;
    }
    subdivision.len() <= 4
        && subdivision
            .iter()
            .all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd10_levels() {
        let hierarchy = Hierarchy::icd10(["C50.9", "C18", "C509"]).unwrap();
        assert_eq!(hierarchy.generalise("C50.9", 1), Some("C50"));
        assert_eq!(hierarchy.generalise("C50.9", 2), Some("C5"));
        assert_eq!(hierarchy.generalise("C50.9", 3), Some("C"));
        assert_eq!(hierarchy.generalise("C50.9", 4), Some("*"));
        assert_eq!(hierarchy.generalise("C509", 1), Some("C50"));
        assert_eq!(hierarchy.generalise("C18", 1), Some("C18"));
        assert_eq!(hierarchy.generalise("C18", 2), Some("C1"));
        assert_eq!(hierarchy.level_name(1), Some("category"));
    }

    #[test]
    fn icd10_rejects_malformed_codes() {
        for value in ["c50.9", "C5", "CC0", "C50.", "C50.12345", "C50-9"] {
            let error = Hierarchy::icd10([value]).unwrap_err();
            assert!(
                matches!(error, HierarchyError::InvalidValue { kind: "ICD-10", .. }),
                "{value}"
            );
        }
    }

    #[test]
    fn prefix_lengths_must_decrease() {
        let error = Hierarchy::code_prefixes(["ABC"], &[1, 2]).unwrap_err();
        assert!(matches!(error, HierarchyError::InvalidPrefixLengths { .. }));
        let error = Hierarchy::code_prefixes(["ABC"], &[2, 0]).unwrap_err();
        assert!(matches!(error, HierarchyError::InvalidPrefixLengths { .. }));
    }

    #[test]
    fn short_code_keeps_itself() {
        let hierarchy = Hierarchy::code_prefixes(["AB", "ABCD"], &[3, 1]).unwrap();
        assert_eq!(hierarchy.generalise("AB", 1), Some("AB"));
        assert_eq!(hierarchy.generalise("ABCD", 1), Some("ABC"));
        assert_eq!(hierarchy.generalise("AB", 2), Some("A"));
    }
}

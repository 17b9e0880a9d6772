//! Norwegian municipality-number hierarchies.

use super::{Hierarchy, distinct};
use crate::error::HierarchyError;

impl Hierarchy {
    /// Builds a hierarchy over Norwegian municipality numbers (four digits,
    /// such as `0301`): the municipality, the county given by its first two
    /// digits (`03`), and `*`.
    pub fn municipalities<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, HierarchyError> {
        let mut rows = Vec::new();
        for value in distinct(values) {
            if value.len() != 4 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(HierarchyError::InvalidValue {
                    kind: "municipality number",
                    value: value.to_owned(),
                    reason: "expected four digits, such as 0301",
                });
            }
            rows.push(vec![
                value.to_owned(),
                value[..2].to_owned(),
                "*".to_owned(),
            ]);
        }
        Self::from_rows(rows)?.with_level_names(["municipality", "county", "*"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_is_first_two_digits() {
        let hierarchy = Hierarchy::municipalities(["0301", "4601"]).unwrap();
        assert_eq!(hierarchy.generalise("0301", 1), Some("03"));
        assert_eq!(hierarchy.generalise("4601", 1), Some("46"));
        assert_eq!(hierarchy.generalise("4601", 2), Some("*"));
        assert_eq!(hierarchy.level_name(1), Some("county"));
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        for value in ["301", "03011", "03a1"] {
            let error = Hierarchy::municipalities([value]).unwrap_err();
            assert!(
                matches!(
                    error,
                    HierarchyError::InvalidValue {
                        kind: "municipality number",
                        ..
                    }
                ),
                "{value}"
            );
        }
    }
}

//! Numeric interval hierarchies.

use super::{Hierarchy, distinct};
use crate::error::HierarchyError;

impl Hierarchy {
    /// Builds a hierarchy of numeric bands over the integer `values`.
    ///
    /// Level `i + 1` is the band of width `widths[i]` that contains the value,
    /// aligned to multiples of the width and written `low-high`, and `*` comes
    /// last. With widths `[5, 10, 20]`, 37 becomes `35-39`, `30-39`, `20-39`
    /// and `*`. Each width must be a multiple of the one before it so that the
    /// bands nest. The domain is the distinct values given, so pass every
    /// value the data can hold (for example [`crate::Dataset::distinct_values`]).
    pub fn intervals<'a>(
        values: impl IntoIterator<Item = &'a str>,
        widths: &[u64],
    ) -> Result<Self, HierarchyError> {
        check_widths(widths)?;
        let mut rows = Vec::new();
        for value in distinct(values) {
            let number: i64 = value
                .trim()
                .parse()
                .map_err(|_| HierarchyError::InvalidValue {
                    kind: "interval",
                    value: value.to_owned(),
                    reason: "expected an integer",
                })?;
            let mut row = vec![value.to_owned()];
            for &width in widths {
                row.push(band_label(number, width));
            }
            row.push("*".to_owned());
            rows.push(row);
        }

        let mut names = vec!["value".to_owned()];
        names.extend(widths.iter().map(|width| format!("bands of {width}")));
        names.push("*".to_owned());
        Self::from_rows(rows)?.with_level_names(names)
    }
}

fn check_widths(widths: &[u64]) -> Result<(), HierarchyError> {
    let invalid = |reason| HierarchyError::InvalidWidths {
        widths: widths.to_vec(),
        reason,
    };
    if widths.contains(&0) {
        return Err(invalid("a width must be at least 1"));
    }
    if widths.iter().any(|&width| i64::try_from(width).is_err()) {
        return Err(invalid("a width must fit in a signed 64-bit integer"));
    }
    for pair in widths.windows(2) {
        if pair[1] <= pair[0] || pair[1] % pair[0] != 0 {
            return Err(invalid(
                "each width must be larger than the one before and a multiple of it",
            ));
        }
    }
    Ok(())
}

/// Labels the band of `width` that contains `number`, e.g. `35-39`.
fn band_label(number: i64, width: u64) -> String {
    // Computed in i128 so that bands near the ends of the i64 range cannot
    // overflow.
    let width = i128::from(width);
    let low = i128::from(number).div_euclid(width) * width;
    let high = low + width - 1;
    format!("{low}-{high}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_nest() {
        let hierarchy = Hierarchy::intervals(["37", "41"], &[5, 10, 20]).unwrap();
        assert_eq!(hierarchy.height(), 5);
        assert_eq!(hierarchy.generalise("37", 1), Some("35-39"));
        assert_eq!(hierarchy.generalise("37", 2), Some("30-39"));
        assert_eq!(hierarchy.generalise("37", 3), Some("20-39"));
        assert_eq!(hierarchy.generalise("37", 4), Some("*"));
        assert_eq!(hierarchy.generalise("41", 3), Some("40-59"));
        assert_eq!(hierarchy.level_name(1), Some("bands of 5"));
    }

    #[test]
    fn negative_values_round_down() {
        let hierarchy = Hierarchy::intervals(["-3"], &[5]).unwrap();
        assert_eq!(hierarchy.generalise("-3", 1), Some("-5--1"));
    }

    #[test]
    fn duplicate_values_collapse() {
        let hierarchy = Hierarchy::intervals(["3", "3", "4"], &[5]).unwrap();
        assert_eq!(hierarchy.domain_size(), 2);
    }

    #[test]
    fn non_integer_is_rejected() {
        let error = Hierarchy::intervals(["3.5"], &[5]).unwrap_err();
        assert!(matches!(
            error,
            HierarchyError::InvalidValue {
                kind: "interval",
                ..
            }
        ));
        assert!(error.to_string().contains("3.5"));
    }

    #[test]
    fn widths_must_nest() {
        let error = Hierarchy::intervals(["3"], &[5, 12]).unwrap_err();
        assert!(matches!(error, HierarchyError::InvalidWidths { .. }));
        let error = Hierarchy::intervals(["3"], &[10, 5]).unwrap_err();
        assert!(matches!(error, HierarchyError::InvalidWidths { .. }));
        let error = Hierarchy::intervals(["3"], &[0]).unwrap_err();
        assert!(matches!(error, HierarchyError::InvalidWidths { .. }));
    }
}

//! Masking of values before they reach an error message.

/// Returns `value` for display in an error message. A value containing 11 or
/// more digits could be a Norwegian national identity number, so it is shown
/// as its first six characters followed by `*****`.
///
/// Quasi-identifier and label values are echoed in errors so that the caller
/// can find the bad cell, but an identity number must never appear in a
/// message, even when it ends up in a column by mistake.
pub(crate) fn masked(value: &str) -> String {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits >= 11 {
        let prefix: String = value.chars().take(6).collect();
        format!("{prefix}*****")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn identity_number_is_masked() {
        assert_eq!(masked("14039012345"), "140390*****");
    }

    #[test]
    fn spaced_identity_number_is_masked() {
        assert_eq!(masked("140390 12345"), "140390*****");
    }

    #[test]
    fn ordinary_values_pass_through() {
        assert_eq!(masked("81675"), "81675");
        assert_eq!(masked("C50.9"), "C50.9");
    }
}

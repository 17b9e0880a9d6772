//! Normalisation of raw input to 11 ASCII digits.

use crate::rejection::{Reason, Rejection};

/// Number of digits in an identity number.
pub(crate) const LEN: usize = 11;
/// Number of date digits, after which one separator may appear.
const DATE_LEN: usize = 6;

/// Normalises `input` to 11 ASCII digits: strips surrounding whitespace and
/// one space or hyphen after the six date digits.
///
/// Ten digits are rejected as a probable lost leading zero, never padded.
pub(crate) fn normalize(input: &str) -> Result<[u8; LEN], Rejection> {
    let bytes = input.trim().as_bytes();

    if bytes.len() == LEN && bytes.iter().all(u8::is_ascii_digit) {
        let mut digits = [0u8; LEN];
        digits.copy_from_slice(bytes);
        return Ok(digits);
    }

    let has_separator = bytes.len() == LEN + 1 && matches!(bytes[DATE_LEN], b' ' | b'-');
    if has_separator
        && bytes[..DATE_LEN].iter().all(u8::is_ascii_digit)
        && bytes[DATE_LEN + 1..].iter().all(u8::is_ascii_digit)
    {
        let mut digits = [0u8; LEN];
        digits[..DATE_LEN].copy_from_slice(&bytes[..DATE_LEN]);
        digits[DATE_LEN..].copy_from_slice(&bytes[DATE_LEN + 1..]);
        return Ok(digits);
    }

    Err(describe_format_error(input.trim()))
}

/// Builds the rejection for input that is not 11 digits. Runs only on
/// failure, so it may allocate.
fn describe_format_error(trimmed: &str) -> Rejection {
    let characters = trimmed.chars().count();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();

    if trimmed.is_empty() {
        return Rejection::new(Reason::Format, "the input is empty; expected 11 digits");
    }
    if characters == LEN - 1 && digits == characters {
        return Rejection::new(
            Reason::LeadingZeroLost,
            "found 10 digits: the number probably lost its leading zero when it was stored \
             as an integer; restore the 11 digits from the source, because padding can hide \
             a different error",
        );
    }
    if digits == characters {
        return Rejection::new(
            Reason::Format,
            format!("expected 11 digits, found {digits}"),
        );
    }
    Rejection::new(
        Reason::Format,
        format!(
            "expected 11 digits with at most one space or hyphen after the sixth digit, \
             found {characters} characters of which {digits} are digits"
        ),
    )
}

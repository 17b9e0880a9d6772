//! PEM-style armour of Crypt4GH key files: a BEGIN line, base64 lines, an END line.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyError;

/// The armour label of a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Armour {
    Public,
    Private,
}

impl Armour {
    fn begin_line(self) -> &'static str {
        match self {
            Armour::Public => "-----BEGIN CRYPT4GH PUBLIC KEY-----",
            Armour::Private => "-----BEGIN CRYPT4GH PRIVATE KEY-----",
        }
    }

    fn end_line(self) -> &'static str {
        match self {
            Armour::Public => "-----END CRYPT4GH PUBLIC KEY-----",
            Armour::Private => "-----END CRYPT4GH PRIVATE KEY-----",
        }
    }
}

/// Decodes the base64 body between the BEGIN and END lines.
///
/// Blank lines around the armour and CRLF line ends are accepted, and the body may be
/// wrapped over several lines.
pub(crate) fn decode(text: &str, armour: Armour) -> Result<Vec<u8>, KeyError> {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());

    let first = lines.next();
    if first != Some(armour.begin_line()) {
        return Err(KeyError::MissingBeginLine {
            expected: armour.begin_line(),
            found: describe_first_line(first),
        });
    }

    let body: Vec<&str> = lines.collect();
    let Some((last, base64_lines)) = body.split_last() else {
        return Err(KeyError::MissingEndLine {
            expected: armour.end_line(),
        });
    };
    if *last != armour.end_line() {
        return Err(KeyError::MissingEndLine {
            expected: armour.end_line(),
        });
    }

    STANDARD
        .decode(base64_lines.concat())
        .map_err(|source| KeyError::InvalidBase64 { source })
}

/// Encodes `bytes` as an armoured key file with a trailing newline.
pub(crate) fn encode(bytes: &[u8], armour: Armour) -> String {
    format!(
        "{}\n{}\n{}\n",
        armour.begin_line(),
        STANDARD.encode(bytes),
        armour.end_line()
    )
}

/// Names the first line for an error message without echoing key material: only a
/// line that looks like armour is quoted.
fn describe_first_line(line: Option<&str>) -> String {
    match line {
        None => "an empty file".to_string(),
        Some(line) if line.starts_with("-----") && line.len() <= 80 => format!("`{line}`"),
        Some(line) => format!("a {}-character line that is not armour", line.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_bytes() {
        let bytes = [7_u8; 32];
        let text = encode(&bytes, Armour::Public);
        assert_eq!(decode(&text, Armour::Public).unwrap(), bytes);
    }

    #[test]
    fn accepts_crlf_and_wrapped_body() {
        let text = "\r\n-----BEGIN CRYPT4GH PUBLIC KEY-----\r\nAAAA\r\nAAAA\r\n-----END CRYPT4GH PUBLIC KEY-----\r\n";
        assert_eq!(decode(text, Armour::Public).unwrap(), vec![0_u8; 6]);
    }

    #[test]
    fn rejects_other_label() {
        let text = encode(&[1_u8; 32], Armour::Private);
        let error = decode(&text, Armour::Public).unwrap_err();
        assert!(matches!(error, KeyError::MissingBeginLine { .. }));
        assert!(error.to_string().contains("PRIVATE KEY"));
    }

    #[test]
    fn rejects_missing_end_line() {
        let text = "-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n";
        let error = decode(text, Armour::Public).unwrap_err();
        assert!(matches!(error, KeyError::MissingEndLine { .. }));
    }

    #[test]
    fn rejects_invalid_base64() {
        let text =
            "-----BEGIN CRYPT4GH PUBLIC KEY-----\nnot*base64\n-----END CRYPT4GH PUBLIC KEY-----\n";
        let error = decode(text, Armour::Public).unwrap_err();
        assert!(matches!(error, KeyError::InvalidBase64 { .. }));
    }

    #[test]
    fn error_does_not_echo_body_line() {
        let error = decode("c2VjcmV0IGtleSBtYXRlcmlhbA==\n", Armour::Public).unwrap_err();
        let message = error.to_string();
        assert!(!message.contains("c2VjcmV0"));
        assert!(message.contains("28-character line"));
    }
}

//! Removal of secrets and payload values from text that reaches logs and
//! error messages.

/// Returns `url` with the password of its user info replaced by `***`.
///
/// `amqp://hap:secret@rabbit:5672/%2f` becomes `amqp://hap:***@rabbit:5672/%2f`.
/// A URL without a password is returned unchanged. A URL that lacks the
/// `//`, such as `amqp:hap:secret@rabbit`, is masked the same way, because
/// its parse error quotes it.
pub fn redact_url(url: &str) -> String {
    let authority_start = match url.find("://") {
        Some(scheme_end) => scheme_end + 3,
        None => match url.find(':') {
            Some(scheme_end) => scheme_end + 1,
            None => return url.to_owned(),
        },
    };
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];

    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    let Some(colon) = user_info.find(':') else {
        return url.to_owned();
    };

    let password_start = authority_start + colon + 1;
    let password_end = authority_start + at;
    format!("{}***{}", &url[..password_start], &url[password_end..])
}

/// Masks values that may come from a message payload.
///
/// The content of every double-quoted string becomes `<N chars>` and every
/// run of six or more digits becomes `<N digits>`, so that identity numbers
/// quoted by serde error messages (`invalid type: string "…"` or
/// ``invalid type: integer `…` ``) never reach a log line. Field and variant
/// names in backticks stay readable.
pub fn redact_values(text: &str) -> String {
    redact_digit_runs(&redact_quoted(text))
}

/// Replaces every run of six or more digits with `<N digits>`.
///
/// Applied to handler error texts before they reach logs and dead-letter
/// headers: an 11-digit identity number never appears there, while ids,
/// counts and quoted table names stay readable.
pub fn redact_digit_runs(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        if !c.is_ascii_digit() {
            output.push(c);
            continue;
        }
        let mut digits = String::from(c);
        while let Some(next) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(next);
            chars.next();
        }
        if digits.len() >= 6 {
            output.push_str(&format!("<{} digits>", digits.len()));
        } else {
            output.push_str(&digits);
        }
    }
    output
}

fn redact_quoted(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut chars = text.chars();

    while let Some(c) = chars.next() {
        if c != '"' {
            output.push(c);
            continue;
        }
        let mut length = 0;
        let mut closed = false;
        let mut escaped = false;
        for inner in chars.by_ref() {
            if escaped {
                escaped = false;
            } else if inner == '\\' {
                escaped = true;
            } else if inner == '"' {
                closed = true;
                break;
            }
            length += 1;
        }
        output.push_str(&format!("\"<{length} chars>"));
        if closed {
            output.push('"');
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_password_is_masked() {
        assert_eq!(
            redact_url("amqp://hap:s3cr@t@rabbit:5672/%2f"),
            "amqp://hap:***@rabbit:5672/%2f"
        );
    }

    #[test]
    fn url_without_password_is_unchanged() {
        assert_eq!(
            redact_url("amqp://hap@rabbit:5672/%2f"),
            "amqp://hap@rabbit:5672/%2f"
        );
        assert_eq!(
            redact_url("amqp://rabbit:5672/%2f"),
            "amqp://rabbit:5672/%2f"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn url_without_slashes_masked() {
        assert_eq!(
            redact_url("amqp:hap:secret@rabbit/%2f"),
            "amqp:hap:***@rabbit/%2f"
        );
    }

    #[test]
    fn url_at_sign_in_path_kept() {
        assert_eq!(
            redact_url("amqp://rabbit:5672/vhost@x"),
            "amqp://rabbit:5672/vhost@x"
        );
    }

    #[test]
    fn quoted_strings_are_masked() {
        assert_eq!(
            redact_values(r#"invalid type: string "14039012345", expected u32"#),
            r#"invalid type: string "<11 chars>", expected u32"#
        );
    }

    #[test]
    fn long_digit_runs_are_masked() {
        assert_eq!(
            redact_values("invalid type: integer `14039012345`, expected a string"),
            "invalid type: integer `<11 digits>`, expected a string"
        );
    }

    #[test]
    fn digit_runs_only_keep_quoted_names() {
        assert_eq!(
            redact_digit_runs(r#"relation "effects" missing for 14039012345"#),
            r#"relation "effects" missing for <11 digits>"#
        );
    }

    #[test]
    fn field_names_and_positions_stay() {
        assert_eq!(
            redact_values("missing field `name` at line 1 column 42"),
            "missing field `name` at line 1 column 42"
        );
    }
}

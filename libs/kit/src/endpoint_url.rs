//! Checks of the HTTP URLs in the settings: the OIDC issuer, the OTLP
//! endpoint, and the services one service calls.
//!
//! These URLs appear in logs and in errors: a failed request names the URL
//! it went to. So a URL in the settings may not contain a user name or
//! password. Credentials go in the settings made for them, which are
//! redacted everywhere. The errors never quote a URL that contains an `@`.

/// Checks that `url` is an `http://` or `https://` URL without user info.
/// The error names what is wrong and quotes the URL only when it cannot
/// contain credentials.
pub fn check(url: &str) -> Result<(), String> {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        let quoted = if url.contains('@') {
            "the URL".to_owned()
        } else {
            format!("`{url}`")
        };
        return Err(format!(
            "{quoted} is not an http or https URL; write it as http://host:port or https://host"
        ));
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..authority_end].contains('@') {
        return Err(
            "the URL holds a user name or password, which would appear in logs and \
                    errors; remove them and give credentials through the secret settings"
                .into(),
        );
    }
    if authority_end == 0 {
        return Err(format!("`{url}` names no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_accepted() {
        for url in [
            "http://hap-consent:8082",
            "https://login.example.org/realms/hap",
            "http://127.0.0.1:4318/v1/traces?x=a@b",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn credentials_rejected_without_quoting_them() {
        for url in [
            "https://user:Pa55word@collector.example.org",
            "http://token@hap-consent:8082/",
            "user:Pa55word@collector.example.org",
        ] {
            let error = check(url).unwrap_err();
            assert!(!error.contains("Pa55word"), "{error}");
            assert!(!error.contains("token@"), "{error}");
        }
    }

    #[test]
    fn other_schemes_named_in_error() {
        let error = check("ftp://host").unwrap_err();
        assert!(error.contains("`ftp://host`"), "{error}");
        assert!(check("https://").unwrap_err().contains("names no host"));
    }
}

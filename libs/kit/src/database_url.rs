//! Checks of `database.url` before libpq parses it.
//!
//! Several of libpq's URI parse errors quote the whole connection URI,
//! password included: an unclosed `[` of an IPv6 address, or an unexpected
//! character after the host. Others quote the token libpq failed to decode,
//! such as a password with a bad percent escape. Those texts reach logs
//! through diesel and r2d2. Rejecting such URLs at start with a message that
//! quotes no part of them keeps the password out of every error.

/// Checks that `url` is a `postgres://` or `postgresql://` URI that names a
/// database, and rejects the forms on which libpq's parser fails with an
/// error that quotes the URI or a part of it. The error names the part that
/// is wrong and never quotes the URL.
pub fn check(url: &str) -> Result<(), String> {
    let expected = "expected postgres://user:password@host:port/database";
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return Err(format!(
            "the URL must start with postgres:// or postgresql://; {expected}"
        ));
    };
    check_percent_escapes(url)?;

    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.matches('@').count() > 1 {
        return Err("the user info contains an unescaped `@`; write it as %40".into());
    }
    let hosts = authority
        .split_once('@')
        .map_or(authority, |(_, hosts)| hosts);
    check_hosts(hosts)?;

    let Some((_, name)) = split(url) else {
        return Err(format!("the URL names no database; {expected}"));
    };
    if name.is_empty() {
        return Err(format!("the URL names no database; {expected}"));
    }

    if let Some((_, query)) = rest.split_once('?') {
        for parameter in query.split('&') {
            if parameter.split('=').count() != 2 || parameter.starts_with('=') {
                return Err(
                    "a query parameter is not of the form key=value; separate parameters with &"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

/// Splits `url` into the part before the database name (scheme, user info
/// and hosts) and the database name without the query. Returns `None` when
/// there is no `/` after the hosts. The split never puts the user info in
/// the name.
pub fn split(url: &str) -> Option<(&str, &str)> {
    let authority_start = url.find("://")? + 3;
    let slash = authority_start + url[authority_start..].find(['/', '?'])?;
    if url.as_bytes()[slash] != b'/' {
        return None;
    }
    let name = url[slash + 1..].split('?').next().unwrap_or_default();
    Some((&url[..slash], name))
}

/// Checks that every `%` starts an escape of two hex digits other than `%00`.
fn check_percent_escapes(url: &str) -> Result<(), String> {
    let bytes = url.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        if *byte != b'%' {
            continue;
        }
        let escape = bytes.get(index + 1..index + 3);
        let valid = escape.is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit));
        if !valid || escape == Some(b"00".as_slice()) {
            return Err(
                "the URL has a `%` that does not start a percent escape of two hex digits \
                 (other than %00); write a `%` in the password as %25"
                    .into(),
            );
        }
    }
    Ok(())
}

/// Checks the comma-separated host list: each IPv6 address is closed by `]`,
/// and each port is a number. An unescaped `/` or `?` in a password ends
/// the host list early and so shows here as a port that is no number.
fn check_hosts(hosts: &str) -> Result<(), String> {
    for host in hosts.split(',') {
        let port = match host.strip_prefix('[') {
            Some(address) => {
                let Some((inside, after)) = address.split_once(']') else {
                    return Err("an IPv6 host address has no closing `]`".into());
                };
                if inside.is_empty() {
                    return Err("an IPv6 host address between `[` and `]` is empty".into());
                }
                if !(after.is_empty() || after.starts_with(':')) {
                    return Err(
                        "an IPv6 host address must be followed by `:port` or nothing".into(),
                    );
                }
                after.strip_prefix(':')
            }
            None => {
                if host.contains(['[', ']']) {
                    return Err("a host contains `[` or `]` outside an IPv6 address".into());
                }
                host.split_once(':').map(|(_, port)| port)
            }
        };
        if port.is_some_and(|port| !port.bytes().all(|byte| byte.is_ascii_digit())) {
            return Err(
                "a port is not a number; write a `/`, `?` or `:` in the password as \
                 %2F, %3F or %3A"
                    .into(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "pa55word";

    fn rejected(url: &str) -> String {
        let error = check(url).expect_err(url);
        assert!(!error.contains(PASSWORD), "{error}");
        error
    }

    #[test]
    fn usual_urls_accepted() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/hap_consent",
            "postgresql://hap:pa55word@db:5432/hap?sslmode=require",
            "postgres://hap:p%40ss@[::1]:5432/hap",
            "postgres://hap:pa55word@db1:5432,db2:5432/hap",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn malformed_urls_rejected_without_password() {
        assert!(rejected("host=db password=pa55word").contains("postgres://"));
        assert!(rejected("postgres://hap:pa55word@[::1/hap").contains("`]`"));
        assert!(rejected("postgres://hap:pa55word@[::1]x/hap").contains("IPv6"));
        assert!(rejected("postgres://hap:pa55word%zz@db/hap").contains("%25"));
        assert!(rejected("postgres://hap:pa55word%00@db/hap").contains("%25"));
        assert!(rejected("postgres://hap:pa55word@db:5432").contains("no database"));
        assert!(rejected("postgres://hap:pa55word@db:5432/").contains("no database"));
        assert!(rejected("postgres://hap:pa55word@db/hap?a=b=c").contains("key=value"));
        assert!(rejected("postgres://hap:pa55@word@db/hap").contains("%40"));
        assert!(rejected("postgres://hap:pa55/word@db/hap").contains("%2F"));
    }

    #[test]
    fn split_keeps_user_info_out_of_the_name() {
        assert_eq!(
            split("postgres://hap:pa55word@db:5432/hap?sslmode=require"),
            Some(("postgres://hap:pa55word@db:5432", "hap"))
        );
        assert_eq!(split("postgres://hap:pa55word@db:5432"), None);
    }
}

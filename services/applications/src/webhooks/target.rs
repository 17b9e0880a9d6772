//! Checks of a webhook receiver's URL: it must be `http` or `https` and
//! reach a public host. Loopback, private, link-local, unique-local,
//! multicast and unspecified addresses are internal, and so is a name that
//! resolves to one. The check runs when subscribing and again before each
//! delivery, because a name may resolve differently later.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

/// Maximum length of a receiver URL.
pub const MAX_URL_BYTES: usize = 2048;

/// A receiver URL with the addresses its host resolved to when checked.
#[derive(Clone, Debug)]
pub struct CheckedTarget {
    pub url: Url,
    pub host: String,
    pub addresses: Vec<SocketAddr>,
}

/// Parses `url` and checks its form: `http` or `https`, a host, no user
/// name or password, at most [`MAX_URL_BYTES`].
pub fn parse(url: &str) -> Result<Url, String> {
    if url.len() > MAX_URL_BYTES {
        return Err(format!(
            "the URL has {} bytes; a receiver URL has at most {MAX_URL_BYTES}",
            url.len()
        ));
    }
    let parsed = Url::parse(url).map_err(|error| format!("`{url}` is not a URL: {error}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}` is not an http:// or https:// URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` names no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "`{url}` contains credentials; authenticate the receiver by the X-HAP-Delivery header instead"
        ));
    }
    Ok(parsed)
}

/// Resolves the host of `url` and checks every address it resolves to.
/// With `allow_private`, internal addresses pass, for development and tests.
pub async fn resolve(url: &str, allow_private: bool) -> Result<CheckedTarget, String> {
    let parsed = parse(url)?;
    // An IPv6 literal is written in brackets, which the resolver does not take.
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| format!("`{url}` has no port"))?;
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|error| format!("the host of `{url}` could not be resolved: {error}"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("the host of `{url}` resolves to no address"));
    }
    if !allow_private
        && let Some(internal) = addresses.iter().find(|address| is_internal(address.ip()))
    {
        return Err(format!(
            "`{url}` reaches the internal address {}; a receiver must be a public host",
            internal.ip()
        ));
    }
    Ok(CheckedTarget {
        url: parsed,
        host,
        addresses,
    })
}

/// Returns whether `address` is loopback, private, link-local, unique-local,
/// multicast, unspecified or otherwise not a public unicast address.
pub fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(address: Ipv4Addr) -> bool {
    let [first, second, ..] = address.octets();
    address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_multicast()
        || address.is_unspecified()
        || address.is_broadcast()
        // 0.0.0.0/8, "this network" (RFC 791).
        || first == 0
        // 100.64.0.0/10, carrier-grade NAT (RFC 6598).
        || (first == 100 && (64..128).contains(&second))
}

fn is_internal_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    if let Some(v4) = embedded_v4(address) {
        return is_internal_v4(v4);
    }
    address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        // fc00::/7, unique local (RFC 4193).
        || (first & 0xfe00) == 0xfc00
        // fe80::/10, link-local, and fec0::/10, the deprecated site-local.
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
}

/// Returns the IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or
/// NAT64 (`64:ff9b::a.b.c.d`, RFC 6052) address.
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = address.to_ipv4_mapped() {
        return Some(v4);
    }
    let segments = address.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = address.octets();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            let ip: IpAddr = address.parse().unwrap();
            assert!(is_internal(ip), "{address} passed as public");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "193.69.1.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = address.parse().unwrap();
            assert!(!is_internal(ip), "{address} taken as internal");
        }
    }

    #[test]
    fn url_form_is_checked() {
        assert!(parse("https://hooks.example.org/hap").is_ok());
        for url in [
            "ftp://hooks.example.org/",
            "https://user:secret@hooks.example.org/",
            "not a url",
            "http://",
        ] {
            let error = parse(url).unwrap_err();
            assert!(error.contains(url) || error.contains("URL"), "{error}");
        }
        assert!(parse(&format!("https://example.org/{}", "a".repeat(2048))).is_err());
    }

    #[tokio::test]
    async fn names_resolving_internally_fail() {
        let error = resolve("http://localhost:9/hook", false).await.unwrap_err();
        assert!(error.contains("`http://localhost:9/hook`"), "{error}");
        assert!(resolve("http://[::1]:9/hook", false).await.is_err());
        assert!(resolve("http://127.0.0.1:9/hook", false).await.is_err());
        let allowed = resolve("http://127.0.0.1:9/hook", true).await.unwrap();
        assert_eq!(allowed.host, "127.0.0.1");
        assert_eq!(allowed.addresses, ["127.0.0.1:9".parse().unwrap()]);
    }
}

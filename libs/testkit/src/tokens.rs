//! Bearer tokens that a service must reject, built against a [`MockIssuer`]:
//! each differs from a valid token of the issuer in one respect.

// A test fixture: failing at once with a message is what its callers need.
#![allow(clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::issuer::{KEY_ID, MockIssuer};

/// A token and what is wrong with it.
pub struct HostileToken {
    pub flaw: &'static str,
    pub token: String,
}

/// Returns one token per flaw, each otherwise like `issuer.sign(&valid)`
/// where `valid` is `issuer.claims(audience, subject, roles)`.
pub fn hostile_tokens(
    issuer: &MockIssuer,
    audience: &str,
    subject: &str,
    roles: &[&str],
) -> Vec<HostileToken> {
    let valid = issuer.claims(audience, subject, roles);
    let now = jsonwebtoken::get_current_timestamp();
    let changed = |key: &str, value: Value| {
        let mut claims = valid.clone();
        claims[key] = value;
        claims
    };
    let without = |key: &str| {
        let mut claims = valid.clone();
        if let Some(fields) = claims.as_object_mut() {
            fields.remove(key);
        }
        claims
    };
    let spki_pem = pem("PUBLIC KEY", issuer.public_spki_der());
    let pkcs1_pem = pem("RSA PUBLIC KEY", issuer.public_pkcs1_der());

    let tokens = vec![
        (
            "wrong issuer",
            issuer.sign(&changed("iss", json!("http://127.0.0.1:9/another-issuer"))),
        ),
        (
            "wrong audience",
            issuer.sign(&changed("aud", json!("another-api"))),
        ),
        ("bad signature", flip_signature_bit(&issuer.sign(&valid))),
        ("alg none", unsigned(&valid)),
        (
            "HS256 keyed with the public key as PKCS#1 DER",
            hmac_signed(&valid, issuer.public_pkcs1_der()),
        ),
        (
            "HS256 keyed with the public key as SPKI DER",
            hmac_signed(&valid, issuer.public_spki_der()),
        ),
        (
            "HS256 keyed with the public key as SPKI PEM",
            hmac_signed(&valid, spki_pem.as_bytes()),
        ),
        (
            "HS256 keyed with the public key as PKCS#1 PEM",
            hmac_signed(&valid, pkcs1_pem.as_bytes()),
        ),
        (
            "PS256 although the key is for RS256",
            issuer.sign_with(&header(Algorithm::PS256), &valid),
        ),
        ("expired", issuer.sign(&changed("exp", json!(now - 3600)))),
        (
            "not yet valid",
            issuer.sign(&changed("nbf", json!(now + 3600))),
        ),
        ("missing exp", issuer.sign(&without("exp"))),
        ("missing sub", issuer.sign(&without("sub"))),
        (
            "RS256 under the development issuer's name",
            issuer.sign(&changed("iss", json!("hap-dev"))),
        ),
        ("not a JWT", "not-a-token".to_owned()),
    ];
    tokens
        .into_iter()
        .map(|(flaw, token)| HostileToken { flaw, token })
        .collect()
}

fn header(algorithm: Algorithm) -> Header {
    let mut header = Header::new(algorithm);
    header.kid = Some(KEY_ID.to_owned());
    header
}

/// Returns a token with `alg: none` and an empty signature.
fn unsigned(claims: &Value) -> String {
    let header = json!({"alg": "none", "typ": "JWT", "kid": KEY_ID});
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Returns an HS256 token whose HMAC secret is `secret`.
fn hmac_signed(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &header(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret).expect("an HMAC key from any bytes"),
    )
    .expect("signing with HS256")
}

/// Flips one bit in the middle of the signature.
fn flip_signature_bit(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a JWT has three parts");
    let mut bytes = URL_SAFE_NO_PAD
        .decode(signature)
        .expect("the signature is base64url");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

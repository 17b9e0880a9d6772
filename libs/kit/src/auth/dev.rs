use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use super::Role;

/// Signs an HS256 token from the development issuer, for demos and tests.
pub fn issue_dev_token(
    secret: &str,
    issuer: &str,
    subject: &str,
    roles: &[Role],
    lifetime_seconds: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    issue_dev_steward_token(secret, issuer, subject, roles, &[], lifetime_seconds)
}

/// Signs a development token as [`issue_dev_token`] does, naming in the
/// `registries` claim the registries whose steward the subject is.
pub fn issue_dev_steward_token(
    secret: &str,
    issuer: &str,
    subject: &str,
    roles: &[Role],
    registries: &[&str],
    lifetime_seconds: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let roles: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
    let claims = json!({
        "iss": issuer,
        "sub": subject,
        "aud": "hap",
        "iat": now,
        "exp": now + lifetime_seconds,
        "roles": roles,
        "registries": registries,
    });
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

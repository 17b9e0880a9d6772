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
    let now = jsonwebtoken::get_current_timestamp();
    let roles: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
    let claims = json!({
        "iss": issuer,
        "sub": subject,
        "aud": "hap",
        "iat": now,
        "exp": now + lifetime_seconds,
        "roles": roles,
    });
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

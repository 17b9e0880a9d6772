use std::str::FromStr;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::Value;

use super::jwks::KeyCache;
use super::{Principal, Role};
use crate::Secret;

/// `[auth]` settings.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthSettings {
    /// The OIDC issuer URL; its discovery document names the JWKS.
    pub issuer: Option<String>,
    /// The expected `aud` claim of issuer tokens.
    pub audience: Option<String>,
    /// A dot path to the claim holding the role names.
    pub roles_claim: String,
    /// A dot path to the claim holding the names of the registries a
    /// steward looks after.
    pub registries_claim: String,
    /// The development issuer's HS256 secret. Setting it turns that issuer on.
    pub dev_secret: Option<Secret>,
    /// The `iss` value of development tokens.
    pub dev_issuer: String,
}

impl AuthSettings {
    /// Returns settings that trust the development issuer alone, signing
    /// with `secret`, with the default claim paths (`roles`, `registries`)
    /// and issuer name (`hap-dev`). Tests and local tools use them.
    pub fn development(secret: &str) -> Self {
        AuthSettings {
            issuer: None,
            audience: None,
            roles_claim: "roles".into(),
            registries_claim: "registries".into(),
            dev_secret: Some(Secret::new(secret)),
            dev_issuer: "hap-dev".into(),
        }
    }
}

/// The reason a bearer token was rejected. The text goes into 401 responses,
/// so it names the failed check and never echoes the token.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the request has no bearer token; send `Authorization: Bearer <token>`")]
    Missing,
    #[error("the bearer token is invalid: {0}")]
    Invalid(String),
    #[error("the token's issuer `{0}` is not trusted by this service")]
    UntrustedIssuer(String),
    #[error("the issuer's keys could not be loaded: {0}")]
    Keys(String),
}

#[derive(Deserialize)]
struct UnverifiedIssuer {
    iss: Option<String>,
}

/// Checks bearer tokens and turns them into a [`Principal`].
pub struct Authenticator {
    settings: AuthSettings,
    keys: Option<KeyCache>,
}

impl Authenticator {
    pub fn new(settings: AuthSettings) -> Self {
        let keys = settings.issuer.clone().map(KeyCache::new);
        Authenticator { settings, keys }
    }

    /// Verifies the signature, issuer, audience and lifetime (`exp`, and
    /// `nbf` when present, with 60 seconds of leeway) of `token`.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let header = decode_header(token).map_err(|error| AuthError::Invalid(error.to_string()))?;
        let issuer = unverified_issuer(token)?;

        let claims: Value = if let Some(secret) = self.dev_secret_for(&issuer) {
            let mut validation = Validation::new(Algorithm::HS256);
            validation.validate_nbf = true;
            validation.set_issuer(&[&self.settings.dev_issuer]);
            validation.validate_aud = false;
            let key = DecodingKey::from_secret(secret.expose().as_bytes())
                .map_err(|error| AuthError::Invalid(error.to_string()))?;
            decode(token, &key, &validation)
                .map_err(|error| AuthError::Invalid(error.to_string()))?
                .claims
        } else {
            let (Some(keys), Some(trusted)) = (&self.keys, &self.settings.issuer) else {
                return Err(AuthError::UntrustedIssuer(issuer));
            };
            if issuer != *trusted {
                return Err(AuthError::UntrustedIssuer(issuer));
            }
            if matches!(
                header.alg,
                Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
            ) {
                return Err(AuthError::Invalid(
                    "symmetric algorithms are not accepted from an OIDC issuer".into(),
                ));
            }
            let jwk = keys
                .find(header.kid.as_deref())
                .await
                .map_err(AuthError::Keys)?;
            check_key_algorithm(&jwk, header.alg)?;
            let key =
                DecodingKey::from_jwk(&jwk).map_err(|error| AuthError::Keys(error.to_string()))?;
            let mut validation = Validation::new(header.alg);
            validation.validate_nbf = true;
            validation.set_issuer(&[trusted]);
            match &self.settings.audience {
                Some(audience) => validation.set_audience(&[audience]),
                None => validation.validate_aud = false,
            }
            decode(token, &key, &validation)
                .map_err(|error| AuthError::Invalid(error.to_string()))?
                .claims
        };

        principal_from(&claims, &self.settings)
    }

    fn dev_secret_for(&self, issuer: &str) -> Option<&Secret> {
        self.settings
            .dev_secret
            .as_ref()
            .filter(|_| issuer == self.settings.dev_issuer)
    }
}

/// Rejects a token whose algorithm differs from the `alg` its key names, so
/// that a token cannot pick another algorithm than the issuer signs with.
fn check_key_algorithm(jwk: &Jwk, algorithm: Algorithm) -> Result<(), AuthError> {
    let Some(key_algorithm) = jwk.common.key_algorithm else {
        return Ok(());
    };
    let named = key_algorithm.to_string();
    if Algorithm::from_str(&named).ok() == Some(algorithm) {
        Ok(())
    } else {
        Err(AuthError::Invalid(format!(
            "the token is signed with {algorithm:?}, but its key is for {named}"
        )))
    }
}

/// Reads `iss` before verification, only to choose the key to verify with.
fn unverified_issuer(token: &str) -> Result<String, AuthError> {
    let claims = jsonwebtoken::dangerous::insecure_decode::<UnverifiedIssuer>(token)
        .map_err(|error| AuthError::Invalid(error.to_string()))?
        .claims;
    claims
        .iss
        .ok_or_else(|| AuthError::Invalid("the token has no `iss` claim".into()))
}

fn principal_from(claims: &Value, settings: &AuthSettings) -> Result<Principal, AuthError> {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|sub| !sub.is_empty())
        .ok_or_else(|| AuthError::Invalid("the token has no `sub` claim".into()))?;
    let roles = names_at(claims, &settings.roles_claim)
        .filter_map(|name| name.parse::<Role>().ok())
        .collect();
    let registries = names_at(claims, &settings.registries_claim)
        .map(str::to_owned)
        .collect();
    Ok(Principal {
        subject: subject.to_owned(),
        roles,
        registries,
    })
}

/// Returns the strings of the array at the dot path `path`, or none when
/// the claim is missing or not an array.
fn names_at<'a>(claims: &'a Value, path: &str) -> impl Iterator<Item = &'a str> {
    path.split('.')
        .try_fold(claims, |value, part| value.get(part))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::issue_dev_token;

    fn dev_settings() -> AuthSettings {
        AuthSettings::development("a-development-secret-of-enough-length")
    }

    #[tokio::test]
    async fn dev_token_gives_principal() {
        let authenticator = Authenticator::new(dev_settings());
        let token = issue_dev_token(
            "a-development-secret-of-enough-length",
            "hap-dev",
            "alice",
            &[Role::Applicant],
            60,
        )
        .unwrap();

        let principal = authenticator.authenticate(&token).await.unwrap();

        assert_eq!(principal.subject, "alice");
        assert_eq!(principal.roles, vec![Role::Applicant]);
    }

    #[tokio::test]
    async fn steward_token_names_its_registries() {
        let authenticator = Authenticator::new(dev_settings());
        let token = crate::auth::issue_dev_steward_token(
            "a-development-secret-of-enough-length",
            "hap-dev",
            "sara",
            &[Role::Steward],
            &["cancer", "birth"],
            60,
        )
        .unwrap();

        let principal = authenticator.authenticate(&token).await.unwrap();

        assert_eq!(principal.registries, ["cancer", "birth"]);
        assert!(principal.stewards("birth"));
        assert!(!principal.stewards("patient"));
    }

    #[test]
    fn registries_read_from_dot_path() {
        let settings = AuthSettings {
            registries_claim: "hap.registries".into(),
            ..dev_settings()
        };
        let claims = serde_json::json!({"sub": "sara", "roles": ["steward"],
            "hap": {"registries": ["quality", 7]}});
        let principal = principal_from(&claims, &settings).unwrap();
        assert_eq!(principal.registries, ["quality"]);
        let principal = principal_from(&serde_json::json!({"sub": "x"}), &settings).unwrap();
        assert!(principal.registries.is_empty());
    }

    #[tokio::test]
    async fn wrong_secret_rejected() {
        let authenticator = Authenticator::new(dev_settings());
        let token = issue_dev_token("another-secret", "hap-dev", "alice", &[], 60).unwrap();
        let error = authenticator.authenticate(&token).await.unwrap_err();
        assert!(matches!(error, AuthError::Invalid(_)), "{error}");
    }

    #[tokio::test]
    async fn dev_issuer_off_without_secret() {
        let mut settings = dev_settings();
        settings.dev_secret = None;
        let authenticator = Authenticator::new(settings);
        let token = issue_dev_token(
            "a-development-secret-of-enough-length",
            "hap-dev",
            "a",
            &[],
            60,
        )
        .unwrap();
        let error = authenticator.authenticate(&token).await.unwrap_err();
        assert!(matches!(error, AuthError::UntrustedIssuer(_)), "{error}");
    }

    #[tokio::test]
    async fn expired_token_rejected() {
        let authenticator = Authenticator::new(dev_settings());
        let now = jsonwebtoken::get_current_timestamp();
        let claims = serde_json::json!({"iss": "hap-dev", "sub": "a", "exp": now - 3600});
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"a-development-secret-of-enough-length")
                .unwrap(),
        )
        .unwrap();
        let error = authenticator.authenticate(&token).await.unwrap_err();
        assert!(error.to_string().contains("Expired"), "{error}");
    }

    #[tokio::test]
    async fn token_not_yet_valid_rejected() {
        let authenticator = Authenticator::new(dev_settings());
        let now = jsonwebtoken::get_current_timestamp();
        let claims = serde_json::json!({
            "iss": "hap-dev", "sub": "a", "exp": now + 7200, "nbf": now + 3600
        });
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"a-development-secret-of-enough-length")
                .unwrap(),
        )
        .unwrap();
        let error = authenticator.authenticate(&token).await.unwrap_err();
        assert!(error.to_string().contains("ImmatureSignature"), "{error}");
    }

    fn rsa_jwk(alg: Option<&str>) -> Jwk {
        let mut jwk = serde_json::json!({"kty": "RSA", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"});
        if let Some(alg) = alg {
            jwk["alg"] = serde_json::Value::String(alg.into());
        }
        serde_json::from_value(jwk).unwrap()
    }

    #[test]
    fn token_algorithm_must_match_key() {
        let key = rsa_jwk(Some("RS256"));
        assert!(check_key_algorithm(&key, Algorithm::RS256).is_ok());
        let error = check_key_algorithm(&key, Algorithm::PS256).unwrap_err();
        assert!(error.to_string().contains("PS256"), "{error}");
        // A key that names no algorithm leaves the choice to the header,
        // which jsonwebtoken still checks against the key type.
        assert!(check_key_algorithm(&rsa_jwk(None), Algorithm::PS256).is_ok());
    }

    #[tokio::test]
    async fn unsigned_token_rejected() {
        let authenticator = Authenticator::new(dev_settings());
        // {"alg":"none"} . {"iss":"hap-dev","sub":"a","exp":9999999999} . (no signature)
        let token =
            "eyJhbGciOiJub25lIn0.eyJpc3MiOiJoYXAtZGV2Iiwic3ViIjoiYSIsImV4cCI6OTk5OTk5OTk5OX0.";
        assert!(authenticator.authenticate(token).await.is_err());
    }

    #[test]
    fn nested_roles_claim_read() {
        let claims = serde_json::json!({
            "sub": "bob",
            "realm_access": {"roles": ["case-handler", "offline_access"]}
        });
        let settings = AuthSettings {
            roles_claim: "realm_access.roles".into(),
            ..dev_settings()
        };
        let principal = principal_from(&claims, &settings).unwrap();
        assert_eq!(principal.roles, vec![Role::CaseHandler]);
    }
}

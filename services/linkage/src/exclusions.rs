//! Fetches the persons a permit leaves out, and the consented persons of
//! its consent-based registries, from the consent service's internal
//! `GET /v1/permits/{permit_id}/exclusions`, as a platform service (the
//! `service` role), and checks each list against the count and SHA-256
//! digest that the `legal_basis.cleared` event carries.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use hap_contracts::criteria::Registry;
use hap_contracts::events::{ExclusionList, PersonSet};
use hap_kit::Secret;
use hap_kit::auth::{AuthSettings, Role, issue_dev_token};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use uuid::Uuid;

/// `[linkage.consent]`: where the consent service is and how to sign in.
#[derive(Clone, Debug, Deserialize)]
pub struct ConsentApiSettings {
    /// Base URL of the consent service, e.g. `http://hap-consent:8082`.
    pub url: String,
    /// Timeout of one request, in seconds.
    pub timeout_seconds: u64,
    /// OAuth 2.0 client id for the client-credentials grant at `auth.issuer`.
    /// Without it, the service signs its own token with `auth.dev_secret`
    /// (development issuer only).
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
}

impl ConsentApiSettings {
    /// Checks the settings together with `[auth]`; returns the bad key and why.
    pub fn validate(&self, auth: &AuthSettings) -> Result<(), (&'static str, String)> {
        hap_kit::endpoint_url::check(&self.url)
            .map_err(|reason| ("linkage.consent.url", reason))?;
        match (&self.client_id, &self.client_secret) {
            (Some(_), Some(_)) if auth.issuer.is_none() => Err((
                "auth.issuer",
                "the client-credentials grant needs the OIDC issuer URL".into(),
            )),
            (Some(_), Some(_)) => Ok(()),
            (Some(_), None) | (None, Some(_)) => Err((
                "linkage.consent.client_secret",
                "set both linkage.consent.client_id and linkage.consent.client_secret".into(),
            )),
            (None, None) if auth.dev_secret.is_none() => Err((
                "linkage.consent.client_id",
                "set the client id and secret the service signs in with \
                 (or auth.dev_secret for development)"
                    .into(),
            )),
            (None, None) => Ok(()),
        }
    }
}

/// The failure to fetch or verify a permit's exclusions.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The consent service or the issuer failed or timed out, so a retry
    /// may succeed.
    #[error("{0}")]
    Unavailable(String),
    /// The response contradicts the permit, and a retry gets the same one.
    #[error("{0}")]
    Invalid(String),
}

/// The verified lists of a permit, per registry, as HMAC-SHA256 person
/// hashes under the platform key.
#[derive(Debug, Default)]
pub struct PermitLists {
    /// The persons left out of each listed registry.
    pub excluded: HashMap<Registry, HashSet<[u8; 32]>>,
    /// For each consent-based registry, the only persons whose data is used.
    pub consented: HashMap<Registry, HashSet<[u8; 32]>>,
}

/// A client of the consent service's exclusion API.
pub struct ExclusionClient {
    http: reqwest::Client,
    url: String,
    tokens: TokenSource,
}

enum TokenSource {
    /// Tokens signed with the development issuer's secret.
    Development { secret: Secret, issuer: String },
    /// Tokens from the OIDC issuer's token endpoint, cached until shortly
    /// before they expire.
    ClientCredentials {
        issuer: String,
        client_id: String,
        client_secret: Secret,
        cached: Mutex<Option<(String, Instant)>>,
    },
}

/// The subject of the tokens the linkage service signs for itself.
const SUBJECT: &str = "hap-linkage";
/// Lifetime of a self-signed development token, in seconds.
const DEV_TOKEN_SECONDS: u64 = 300;
/// A cached token is renewed this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(30);

impl ExclusionClient {
    pub fn new(settings: &ConsentApiSettings, auth: &AuthSettings) -> Result<Self, String> {
        settings.validate(auth).map_err(|(_, reason)| reason)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_seconds))
            .build()
            .map_err(|error| format!("building the HTTP client failed: {error}"))?;
        let tokens = match (&settings.client_id, &settings.client_secret, &auth.issuer) {
            (Some(client_id), Some(client_secret), Some(issuer)) => {
                TokenSource::ClientCredentials {
                    issuer: issuer.clone(),
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                    cached: Mutex::new(None),
                }
            }
            _ => match &auth.dev_secret {
                Some(secret) => TokenSource::Development {
                    secret: secret.clone(),
                    issuer: auth.dev_issuer.clone(),
                },
                None => return Err("no way to obtain a service token is configured".into()),
            },
        };
        Ok(ExclusionClient {
            http,
            url: settings.url.trim_end_matches('/').to_owned(),
            tokens,
        })
    }

    /// Fetches the exclusions of `permit_id` and checks each registry's
    /// count and digest against `expected`, the lists of the cleared event.
    pub async fn fetch(
        &self,
        permit_id: Uuid,
        expected: &[ExclusionList],
    ) -> Result<PermitLists, FetchError> {
        let token = self.tokens.token(&self.http).await?;
        let url = format!("{}/v1/permits/{permit_id}/exclusions", self.url);
        let response = self
            .http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|error| FetchError::Unavailable(format!("GET {url} failed: {error}")))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(FetchError::Invalid(format!(
                "the consent service has no permit {permit_id}"
            )));
        }
        if !status.is_success() {
            return Err(FetchError::Unavailable(format!(
                "GET {url} returned {status}"
            )));
        }
        let body: ExclusionsBody = response.json().await.map_err(|error| {
            FetchError::Unavailable(format!("GET {url} returned invalid JSON: {error}"))
        })?;
        verify(body, expected)
    }
}

impl TokenSource {
    async fn token(&self, http: &reqwest::Client) -> Result<String, FetchError> {
        match self {
            TokenSource::Development { secret, issuer } => issue_dev_token(
                secret.expose(),
                issuer,
                SUBJECT,
                &[Role::Service],
                DEV_TOKEN_SECONDS,
            )
            .map_err(|error| FetchError::Unavailable(format!("signing a token failed: {error}"))),
            TokenSource::ClientCredentials {
                issuer,
                client_id,
                client_secret,
                cached,
            } => {
                let mut cached = cached.lock().await;
                if let Some((token, renew_at)) = &*cached
                    && Instant::now() < *renew_at
                {
                    return Ok(token.clone());
                }
                let (token, lifetime) =
                    client_credentials(http, issuer, client_id, client_secret).await?;
                let renew_at = Instant::now() + lifetime.saturating_sub(RENEW_BEFORE);
                *cached = Some((token.clone(), renew_at));
                Ok(token)
            }
        }
    }
}

#[derive(Deserialize)]
struct Discovery {
    token_endpoint: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// Seconds; RFC 6749 makes it optional.
    expires_in: Option<u64>,
}

/// Requests a token with the OAuth 2.0 client-credentials grant (RFC 6749,
/// section 4.4) at the token endpoint of the issuer's discovery document.
async fn client_credentials(
    http: &reqwest::Client,
    issuer: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<(String, Duration), FetchError> {
    let unavailable = |step: &str, error: &dyn std::fmt::Display| {
        FetchError::Unavailable(format!("{step} failed: {error}"))
    };
    let discovery_url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let discovery: Discovery = http
        .get(&discovery_url)
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(|error| unavailable(&format!("GET {discovery_url}"), &error))?
        .json()
        .await
        .map_err(|error| unavailable("reading the discovery document", &error))?;
    let token: TokenResponse = http
        .post(&discovery.token_endpoint)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
        ])
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(|error| unavailable("the client-credentials token request", &error))?
        .json()
        .await
        .map_err(|error| unavailable("reading the token response", &error))?;
    let lifetime = Duration::from_secs(token.expires_in.unwrap_or(60));
    Ok((token.access_token, lifetime))
}

#[derive(Deserialize)]
struct ExclusionsBody {
    registries: Vec<RegistryBody>,
}

#[derive(Deserialize)]
struct RegistryBody {
    registry: Registry,
    #[serde(flatten)]
    excluded: ListBody,
    consented: Option<ListBody>,
}

#[derive(Deserialize)]
struct ListBody {
    count: u64,
    sha256: String,
    person_hashes: Vec<String>,
}

/// Decodes the hashes and checks that the registries, counts and digests
/// are exactly those of the cleared event.
fn verify(body: ExclusionsBody, expected: &[ExclusionList]) -> Result<PermitLists, FetchError> {
    let mut lists = PermitLists::default();
    for registry in body.registries {
        let name = registry.registry.name();
        let Some(list) = expected.iter().find(|l| l.registry == registry.registry) else {
            return Err(FetchError::Invalid(format!(
                "the consent service lists exclusions for {name}, which the permit has none for"
            )));
        };
        let permit_set = PersonSet {
            count: list.count,
            sha256: list.sha256.clone(),
        };
        let excluded = decode(
            &registry.excluded,
            &permit_set,
            &format!("exclusions of {name}"),
        )?;
        let consented = match (&registry.consented, &list.consented) {
            (Some(body), Some(set)) => Some(decode(body, set, &format!("consents of {name}"))?),
            (None, None) => None,
            (Some(_), None) => {
                return Err(FetchError::Invalid(format!(
                    "the consent service lists consented persons for {name}, which the permit \
                     has no consent list for"
                )));
            }
            (None, Some(_)) => {
                return Err(FetchError::Invalid(format!(
                    "the consent service lists no consented persons for {name}, which the \
                     permit has a consent list for"
                )));
            }
        };
        lists.excluded.insert(registry.registry, excluded);
        if let Some(consented) = consented {
            lists.consented.insert(registry.registry, consented);
        }
    }
    if let Some(missing) = expected
        .iter()
        .find(|l| !lists.excluded.contains_key(&l.registry))
    {
        return Err(FetchError::Invalid(format!(
            "the consent service lists no exclusions for {}, which the permit has",
            missing.registry.name()
        )));
    }
    Ok(lists)
}

/// Decodes one list and checks it against the count and digest of the
/// permit; `list_name` names it in errors.
fn decode(
    body: &ListBody,
    permit: &PersonSet,
    list_name: &str,
) -> Result<HashSet<[u8; 32]>, FetchError> {
    let mut hashes = HashSet::with_capacity(body.person_hashes.len());
    for (index, text) in body.person_hashes.iter().enumerate() {
        let mut hash = [0u8; 32];
        data_encoding::HEXLOWER_PERMISSIVE
            .decode_mut(text.as_bytes(), &mut hash)
            .map_err(|_| {
                FetchError::Invalid(format!(
                    "entry {} of the {list_name} is not a 64-digit hex hash",
                    index + 1
                ))
            })?;
        hashes.insert(hash);
    }
    let digest = digest(&hashes);
    let count = hashes.len() as u64;
    if count != permit.count || body.count != permit.count || digest != permit.sha256 {
        return Err(FetchError::Invalid(format!(
            "the {list_name} do not match the permit: {count} persons with digest {digest}, \
             but the permit records {} with digest {}",
            permit.count, permit.sha256
        )));
    }
    if body.sha256 != permit.sha256 {
        return Err(FetchError::Invalid(format!(
            "the consent service reports digest {} for the {list_name}; the permit records {}",
            body.sha256, permit.sha256
        )));
    }
    Ok(hashes)
}

/// Lowercase hex SHA-256 over the sorted, concatenated hashes.
fn digest(hashes: &HashSet<[u8; 32]>) -> String {
    let mut sorted: Vec<&[u8; 32]> = hashes.iter().collect();
    sorted.sort_unstable();
    let mut digest = Sha256::new();
    for hash in sorted {
        digest.update(hash);
    }
    data_encoding::HEXLOWER.encode(&digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(hashes: &[[u8; 32]]) -> ExclusionList {
        let set: HashSet<[u8; 32]> = hashes.iter().copied().collect();
        ExclusionList {
            registry: Registry::Quality,
            count: set.len() as u64,
            sha256: digest(&set),
            consented: None,
        }
    }

    fn body(hashes: &[[u8; 32]], sha256: &str) -> ExclusionsBody {
        ExclusionsBody {
            registries: vec![RegistryBody {
                registry: Registry::Quality,
                excluded: list_body(hashes, sha256),
                consented: None,
            }],
        }
    }

    fn list_body(hashes: &[[u8; 32]], sha256: &str) -> ListBody {
        ListBody {
            count: hashes.len() as u64,
            sha256: sha256.to_owned(),
            person_hashes: hashes
                .iter()
                .map(|h| data_encoding::HEXLOWER.encode(h))
                .collect(),
        }
    }

    fn set_of(hashes: &[[u8; 32]]) -> PersonSet {
        let set: HashSet<[u8; 32]> = hashes.iter().copied().collect();
        PersonSet {
            count: set.len() as u64,
            sha256: digest(&set),
        }
    }

    #[test]
    fn matching_lists_accepted() {
        let expected = list(&[[1; 32], [2; 32]]);
        let lists = verify(body(&[[2; 32], [1; 32]], &expected.sha256), &[expected]).unwrap();
        assert_eq!(lists.excluded[&Registry::Quality].len(), 2);
        assert!(lists.consented.is_empty());
    }

    #[test]
    fn matching_consent_list_accepted() {
        let consented = [[5; 32], [6; 32], [7; 32]];
        let mut expected = list(&[[1; 32]]);
        expected.consented = Some(set_of(&consented));
        let mut reply = body(&[[1; 32]], &expected.sha256);
        reply.registries[0].consented = Some(list_body(&consented, &set_of(&consented).sha256));
        let lists = verify(reply, &[expected]).unwrap();
        assert_eq!(lists.consented[&Registry::Quality].len(), 3);
    }

    #[test]
    fn other_consented_persons_rejected() {
        let mut expected = list(&[[1; 32]]);
        expected.consented = Some(set_of(&[[5; 32], [6; 32]]));
        let mut reply = body(&[[1; 32]], &expected.sha256);
        let sha256 = set_of(&[[5; 32], [6; 32]]).sha256;
        reply.registries[0].consented = Some(list_body(&[[5; 32], [8; 32]], &sha256));
        let error = verify(reply, &[expected]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("consents of quality do not match"),
            "{error}"
        );
    }

    #[test]
    fn missing_consent_list_rejected() {
        let mut expected = list(&[[1; 32]]);
        expected.consented = Some(set_of(&[[5; 32]]));
        let reply = body(&[[1; 32]], &expected.sha256);
        let error = verify(reply, &[expected]).unwrap_err();
        assert!(
            error.to_string().contains("no consented persons"),
            "{error}"
        );
    }

    #[test]
    fn other_persons_rejected() {
        let expected = list(&[[1; 32], [2; 32]]);
        let error = verify(body(&[[1; 32], [3; 32]], &expected.sha256), &[expected]).unwrap_err();
        assert!(matches!(error, FetchError::Invalid(_)), "{error}");
        assert!(error.to_string().contains("do not match"), "{error}");
    }

    #[test]
    fn missing_registry_rejected() {
        let expected = list(&[[1; 32]]);
        let error = verify(ExclusionsBody { registries: vec![] }, &[expected]).unwrap_err();
        assert!(error.to_string().contains("lists no exclusions"), "{error}");
    }

    #[test]
    fn unexpected_registry_rejected() {
        let error = verify(body(&[[1; 32]], "00"), &[]).unwrap_err();
        assert!(error.to_string().contains("has none"), "{error}");
    }

    fn auth(dev_secret: Option<&str>, issuer: Option<&str>) -> AuthSettings {
        AuthSettings {
            issuer: issuer.map(str::to_owned),
            audience: None,
            roles_claim: "roles".into(),
            registries_claim: "registries".into(),
            dev_secret: dev_secret.map(Secret::new),
            dev_issuer: "hap-dev".into(),
        }
    }

    fn settings(client: Option<(&str, &str)>) -> ConsentApiSettings {
        ConsentApiSettings {
            url: "http://127.0.0.1:8082".into(),
            timeout_seconds: 5,
            client_id: client.map(|(id, _)| id.to_owned()),
            client_secret: client.map(|(_, secret)| Secret::new(secret)),
        }
    }

    #[test]
    fn settings_need_a_token_source() {
        let (key, _) = settings(None).validate(&auth(None, None)).unwrap_err();
        assert_eq!(key, "linkage.consent.client_id");
        assert!(settings(None).validate(&auth(Some("s"), None)).is_ok());
    }

    #[test]
    fn client_credentials_need_issuer() {
        let client = settings(Some(("linkage", "secret")));
        let (key, _) = client.validate(&auth(None, None)).unwrap_err();
        assert_eq!(key, "auth.issuer");
        assert!(
            client
                .validate(&auth(None, Some("https://id.example")))
                .is_ok()
        );
    }

    #[tokio::test]
    async fn development_token_has_service_role() {
        let secret = "linkage-tests-development-secret-0123456789";
        let client = ExclusionClient::new(&settings(None), &auth(Some(secret), None)).unwrap();
        let token = client.tokens.token(&client.http).await.unwrap();
        let authenticator = hap_kit::auth::Authenticator::new(auth(Some(secret), None));
        let principal = authenticator.authenticate(&token).await.unwrap();
        assert_eq!(principal.subject, SUBJECT);
        assert_eq!(principal.roles, vec![Role::Service]);
    }
}

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use tokio::sync::RwLock;

/// The shortest time between two JWKS fetches, so a flood of tokens with an
/// unknown key id cannot turn into a flood of requests to the issuer.
const MIN_REFRESH: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

/// The issuer's signing keys, fetched on first use and again when a token
/// names a key id that is not in the cached set.
pub(super) struct KeyCache {
    issuer: String,
    client: reqwest::Client,
    cached: RwLock<Option<(JwkSet, Instant)>>,
}

impl KeyCache {
    pub(super) fn new(issuer: String) -> Self {
        KeyCache {
            issuer,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            cached: RwLock::new(None),
        }
    }

    pub(super) async fn find(&self, kid: Option<&str>) -> Result<Jwk, String> {
        if let Some((set, _)) = &*self.cached.read().await
            && let Some(jwk) = pick(set, kid)
        {
            return Ok(jwk);
        }

        let mut cached = self.cached.write().await;
        let stale = cached
            .as_ref()
            .is_none_or(|(_, fetched)| fetched.elapsed() >= MIN_REFRESH);
        if stale {
            let set = self.fetch().await?;
            *cached = Some((set, Instant::now()));
        }
        cached
            .as_ref()
            .and_then(|(set, _)| pick(set, kid))
            .ok_or_else(|| "the token's signing key is not in the issuer's JWKS".to_string())
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&discovery_url).await?;
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        tracing::info!(issuer = %self.issuer, keys = set.keys.len(), "fetched JWKS");
        Ok(set)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let response = self
            .client
            .get(url)
            .send()
            .await
            .and_then(|response| response.error_for_status())
            .map_err(|error| format!("fetching {url} failed: {error}"))?;
        response
            .json()
            .await
            .map_err(|error| format!("{url} returned invalid JSON: {error}"))
    }
}

fn pick(set: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None if set.keys.len() == 1 => set.keys.first().cloned(),
        None => None,
    }
}

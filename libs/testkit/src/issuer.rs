//! An OpenID Connect issuer on 127.0.0.1 for tests: a discovery document
//! and a JWKS with one RSA key, generated when the issuer starts.

// A test fixture: failing at once with a message is what its callers need.
#![allow(clippy::expect_used)]

use std::net::TcpListener;

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// The key id the JWKS names the key with.
pub const KEY_ID: &str = "test-rsa-1";

/// The bits of the generated RSA key.
const KEY_BITS: usize = 2048;

/// A running issuer. Its server runs until the test's runtime stops.
pub struct MockIssuer {
    url: String,
    signing_key: EncodingKey,
    public_pkcs1_der: Vec<u8>,
    public_spki_der: Vec<u8>,
}

impl MockIssuer {
    /// Generates an RSA key and starts serving
    /// `/.well-known/openid-configuration` and `/jwks` on a free port.
    ///
    /// Call it inside an actix or tokio runtime.
    pub fn start() -> MockIssuer {
        let private =
            rsa::PrivateKey::new(&mut getrandom::SysRng, KEY_BITS).expect("generating an RSA key");
        let public = private.to_public_key();
        let jwk = json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": KEY_ID,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_be_bytes_trimmed_vartime()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_be_bytes_trimmed_vartime()),
        });
        let private_der = private
            .to_pkcs1_der()
            .expect("encoding the RSA private key");
        let signing_key = EncodingKey::from_rsa_der(private_der.as_bytes());
        let public_pkcs1_der = public
            .to_pkcs1_der()
            .expect("encoding the RSA public key")
            .into_vec();
        let public_spki_der = public
            .to_public_key_der()
            .expect("encoding the RSA public key")
            .into_vec();

        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
        let url = format!(
            "http://{}",
            listener.local_addr().expect("the bound address")
        );
        let discovery = json!({"issuer": url, "jwks_uri": format!("{url}/jwks")});
        let jwks = json!({"keys": [jwk]});
        let server = HttpServer::new(move || {
            let (discovery, jwks) = (discovery.clone(), jwks.clone());
            App::new()
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(move || {
                        let discovery = discovery.clone();
                        async move { HttpResponse::Ok().json(discovery) }
                    }),
                )
                .route(
                    "/jwks",
                    web::get().to(move || {
                        let jwks = jwks.clone();
                        async move { HttpResponse::Ok().json(jwks) }
                    }),
                )
        })
        .listen(listener)
        .expect("listening on the bound port")
        .workers(1)
        .disable_signals()
        .run();
        actix_web::rt::spawn(server);
        MockIssuer {
            url,
            signing_key,
            public_pkcs1_der,
            public_spki_der,
        }
    }

    /// Returns the issuer URL, which is also the `iss` of its tokens.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Signs `claims` with RS256 and the issuer's key id.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.to_owned());
        self.sign_with(&header, claims)
    }

    /// Signs `claims` with the issuer's RSA key under `header`, which must
    /// name an RSA algorithm.
    pub fn sign_with(&self, header: &Header, claims: &Value) -> String {
        jsonwebtoken::encode(header, claims, &self.signing_key).expect("signing a test token")
    }

    /// Returns the public key as PKCS#1 DER, bytes that an HS256 forgery may
    /// use as its secret.
    pub fn public_pkcs1_der(&self) -> &[u8] {
        &self.public_pkcs1_der
    }

    /// Returns the public key as SubjectPublicKeyInfo DER.
    pub fn public_spki_der(&self) -> &[u8] {
        &self.public_spki_der
    }

    /// Returns claims from this issuer for `audience`, valid for ten minutes,
    /// with `roles` under the `roles` claim.
    pub fn claims(&self, audience: &str, subject: &str, roles: &[&str]) -> Value {
        let now = jsonwebtoken::get_current_timestamp();
        json!({
            "iss": self.url,
            "aud": audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "roles": roles,
        })
    }
}

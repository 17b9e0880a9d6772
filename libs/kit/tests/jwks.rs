#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tokens from an OIDC issuer, checked against the keys its discovery
//! document names. The issuer is a small server on 127.0.0.1.

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use hap_kit::auth::{AuthError, AuthSettings, Authenticator, Role};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// A test-only Ed25519 key pair: the PKCS#8 private key and the public key
/// as the JWK `x` value.
const PRIVATE_KEY_PKCS8: &str = "MC4CAQAwBQYDK2VwBCIEICU71m0AlsNhk/BZEX0LlG++D6R89BvowlcLDWh1we3a";
const PUBLIC_KEY_X: &str = "he2IHnwvkMwMSoafCMiwFy1yxfPx9ewRXKO0ADgMPeg";

/// Starts an issuer serving its discovery document and JWKS; returns its URL.
fn start_issuer() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let base = issuer.clone();
    let server = HttpServer::new(move || {
        let base = base.clone();
        App::new()
            .route(
                "/.well-known/openid-configuration",
                web::get().to(move || {
                    let base = base.clone();
                    async move {
                        HttpResponse::Ok()
                            .json(json!({"issuer": base, "jwks_uri": format!("{base}/jwks")}))
                    }
                }),
            )
            .route(
                "/jwks",
                web::get().to(|| async {
                    HttpResponse::Ok().json(json!({"keys": [{
                        "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
                        "kid": "key-1", "use": "sig", "x": PUBLIC_KEY_X
                    }]}))
                }),
            )
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .run();
    actix_web::rt::spawn(server);
    issuer
}

fn settings(issuer: &str) -> AuthSettings {
    AuthSettings {
        issuer: Some(issuer.to_owned()),
        audience: Some("hap".into()),
        roles_claim: "realm_access.roles".into(),
        registries_claim: "registries".into(),
        dev_secret: None,
        dev_issuer: "hap-dev".into(),
    }
}

fn sign(claims: serde_json::Value, kid: &str) -> String {
    let der = base64::engine::general_purpose::STANDARD
        .decode(PRIVATE_KEY_PKCS8)
        .unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&der)).unwrap()
}

fn claims(issuer: &str, audience: &str, expires_in: i64) -> serde_json::Value {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    json!({
        "iss": issuer, "aud": audience, "sub": "case-worker-7", "exp": now + expires_in,
        "realm_access": {"roles": ["case-handler"]}
    })
}

#[actix_web::test]
async fn issuer_token_accepted() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));

    let principal = authenticator
        .authenticate(&sign(claims(&issuer, "hap", 300), "key-1"))
        .await
        .unwrap();

    assert_eq!(principal.subject, "case-worker-7");
    assert_eq!(principal.roles, vec![Role::CaseHandler]);
}

#[actix_web::test]
async fn wrong_audience_rejected() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));
    let error = authenticator
        .authenticate(&sign(claims(&issuer, "another-api", 300), "key-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::Invalid(_)), "{error}");
}

#[actix_web::test]
async fn other_issuer_rejected() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));
    let error = authenticator
        .authenticate(&sign(
            claims("https://elsewhere.invalid", "hap", 300),
            "key-1",
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::UntrustedIssuer(_)), "{error}");
}

#[actix_web::test]
async fn unknown_key_id_rejected() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));
    let error = authenticator
        .authenticate(&sign(claims(&issuer, "hap", 300), "key-2"))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::Keys(_)), "{error}");
}

#[actix_web::test]
async fn expired_issuer_token_rejected() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));
    let error = authenticator
        .authenticate(&sign(claims(&issuer, "hap", -3600), "key-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::Invalid(_)), "{error}");
}

#[actix_web::test]
async fn symmetric_token_for_issuer_rejected() {
    let issuer = start_issuer();
    let authenticator = Authenticator::new(settings(&issuer));
    // An HS256 token signed with the public key as its secret: the classic
    // algorithm-confusion attack.
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&issuer, "hap", 300),
        &EncodingKey::from_secret(PUBLIC_KEY_X.as_bytes()).unwrap(),
    )
    .unwrap();
    let error = authenticator.authenticate(&token).await.unwrap_err();
    assert!(matches!(error, AuthError::Invalid(_)), "{error}");
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tokens that differ from a valid issuer token in one respect, checked by
//! an [`Authenticator`] that trusts a mock OIDC issuer on 127.0.0.1 with a
//! generated RSA key, and development tokens with the same flaws.

use hap_kit::auth::{AuthSettings, Authenticator, Role, issue_dev_token};
use hap_testkit::{MockIssuer, hostile_tokens};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

const AUDIENCE: &str = "hap-api";
const DEV_SECRET: &str = "hostile-token-tests-development-secret";

fn settings(issuer: &MockIssuer) -> AuthSettings {
    AuthSettings {
        issuer: Some(issuer.url().to_owned()),
        audience: Some(AUDIENCE.into()),
        // The development issuer is on too, so a token cannot reach it by
        // naming its issuer.
        ..AuthSettings::development(DEV_SECRET)
    }
}

#[actix_web::test]
async fn valid_issuer_token_accepted() {
    let issuer = MockIssuer::start();
    let authenticator = Authenticator::new(settings(&issuer));
    let token = issuer.sign(&issuer.claims(AUDIENCE, "handler-7", &["case-handler"]));

    let principal = authenticator.authenticate(&token).await.unwrap();

    assert_eq!(principal.subject, "handler-7");
    assert_eq!(principal.roles, vec![Role::CaseHandler]);
}

#[actix_web::test]
async fn hostile_issuer_tokens_rejected() {
    let issuer = MockIssuer::start();
    let authenticator = Authenticator::new(settings(&issuer));

    let mut accepted = Vec::new();
    for hostile in hostile_tokens(&issuer, AUDIENCE, "handler-7", &["case-handler"]) {
        if let Ok(principal) = authenticator.authenticate(&hostile.token).await {
            accepted.push(format!("{}: {principal:?}", hostile.flaw));
        }
    }

    assert!(accepted.is_empty(), "accepted: {accepted:#?}");
}

/// Signs `claims` with HS256 and `secret`, as the development issuer does.
fn dev_signed(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[actix_web::test]
async fn hostile_dev_tokens_rejected() {
    let issuer = MockIssuer::start();
    let authenticator = Authenticator::new(settings(&issuer));
    let now = jsonwebtoken::get_current_timestamp();
    let valid = json!({"iss": "hap-dev", "sub": "a", "exp": now + 600, "roles": ["auditor"]});
    let changed = |key: &str, value: Value| {
        let mut claims = valid.clone();
        claims[key] = value;
        claims
    };
    let mut missing_exp = valid.clone();
    missing_exp.as_object_mut().unwrap().remove("exp");

    let cases = [
        ("another secret", dev_signed(&valid, "another-secret")),
        (
            "expired",
            dev_signed(&changed("exp", json!(now - 3600)), DEV_SECRET),
        ),
        (
            "not yet valid",
            dev_signed(&changed("nbf", json!(now + 3600)), DEV_SECRET),
        ),
        ("missing exp", dev_signed(&missing_exp, DEV_SECRET)),
        (
            "RS256 from the mock issuer's key",
            issuer.sign(&changed("iss", json!("hap-dev"))),
        ),
    ];
    let mut accepted = Vec::new();
    for (flaw, token) in cases {
        if authenticator.authenticate(&token).await.is_ok() {
            accepted.push(flaw);
        }
    }

    assert!(accepted.is_empty(), "accepted: {accepted:?}");
    let control = issue_dev_token(DEV_SECRET, "hap-dev", "a", &[Role::Auditor], 600).unwrap();
    assert!(authenticator.authenticate(&control).await.is_ok());
}

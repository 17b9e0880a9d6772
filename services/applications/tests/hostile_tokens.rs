//! Bearer tokens with one flaw each, sent to the running applications
//! service, which trusts a mock OIDC issuer on 127.0.0.1 with a generated
//! RSA key. Every one gets 401 with a problem body; the same token without
//! the flaw gets through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestService;
use hap_testkit::{MockIssuer, hostile_tokens};
use reqwest::{Method, StatusCode};

const AUDIENCE: &str = "hap-api";

/// An endpoint for case handlers.
const PATH: &str = "/v1/queue";

#[actix_web::test]
async fn hostile_tokens_get_401() {
    let issuer = MockIssuer::start();
    let url = issuer.url().to_owned();
    let service = TestService::start_with(|settings| {
        settings.common.auth.issuer = Some(url);
        settings.common.auth.audience = Some(AUDIENCE.to_owned());
    })
    .await;

    let valid = issuer.sign(&issuer.claims(AUDIENCE, "handler-7", &["case-handler"]));
    let control = service
        .send(Method::GET, PATH, Some(valid.as_str()), None, &[])
        .await;
    assert_eq!(control.status, StatusCode::OK, "{:?}", control.body);

    let mut wrong = Vec::new();
    for hostile in hostile_tokens(&issuer, AUDIENCE, "handler-7", &["case-handler"]) {
        let reply = service
            .send(Method::GET, PATH, Some(hostile.token.as_str()), None, &[])
            .await;
        let problem = reply.problem_type() == "urn:hap:problem:unauthorized";
        if reply.status != StatusCode::UNAUTHORIZED || !problem {
            wrong.push(format!("{}: {} {}", hostile.flaw, reply.status, reply.body));
        }
    }

    assert!(wrong.is_empty(), "not rejected with 401: {wrong:#?}");
    service.stop().await;
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `GET /v1/registries`: the legal basis of every registry, from the settings.

mod common;

use hap_kit::auth::Role;

use common::TestService;

#[actix_web::test]
async fn registries_lists_all_five() {
    let service = TestService::start().await;
    let token = service.token("applicant-1", Role::Applicant);

    let reply = service.get("/v1/registries", &token).await;

    assert_eq!(reply.status, 200);
    let items = reply.body["items"].as_array().unwrap();
    let names: Vec<&str> = items
        .iter()
        .map(|item| item["registry"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["population", "cancer", "birth", "patient", "quality"]
    );
    let kinds: Vec<&str> = items
        .iter()
        .map(|item| item["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "statutory",
            "statutory",
            "statutory",
            "statutory",
            "consent-based"
        ]
    );
    assert_eq!(
        items[4]["disease_codes"],
        serde_json::json!(["C18", "C19", "C20"])
    );
    assert_eq!(
        items[4]["duo_terms"],
        serde_json::json!(["DUO:0000007", "DUO:0000018", "DUO:0000021"])
    );
    assert_eq!(items[0]["duo_terms"], serde_json::json!(["DUO:0000042"]));
    service.stop().await;
}

#[actix_web::test]
async fn registries_without_token_unauthorized() {
    let service = TestService::start().await;

    let response = reqwest::get(service.url("/v1/registries")).await.unwrap();

    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "urn:hap:problem:unauthorized");
    service.stop().await;
}

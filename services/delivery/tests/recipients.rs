#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Several recipients per package, a recipient added later by rewriting
//! only the Crypt4GH headers, and keys checked when they are registered.

mod common;

use hap_kit::auth::Role;
use serde_json::json;

use common::TestService;
use common::release::{Person, next_year};

/// Splits an encrypted file into its header and its data segments.
fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let header = hap_crypt4gh::header_length(bytes).unwrap() as usize;
    bytes.split_at(header)
}

#[actix_web::test]
async fn every_recipient_decrypts() {
    let mut service = TestService::start().await;
    let (alice, bob) = (Person::new("alice"), Person::new("bob"));
    let delivered = service.deliver(&[&alice, &bob], next_year()).await;

    for person in [&alice, &bob] {
        let grant = service.grant(delivered.delivery_id, &person.subject).await;
        service
            .download_and_decrypt(delivered.delivery_id, &grant, &person.key)
            .await;
    }
    service.stop().await;
}

#[actix_web::test]
async fn added_recipient_rewrites_headers_only() {
    let mut service = TestService::start().await;
    let (alice, carol) = (Person::new("alice"), Person::new("carol"));
    let delivered = service.deliver(&[&alice], next_year()).await;
    let id = delivered.delivery_id;
    let names = service.file_names(id).await;
    let grant = service.grant(id, "alice").await;
    let mut before = Vec::new();
    for name in &names {
        before.push(service.download(id, name, &grant, &[]).await.bytes);
    }

    // carol has no access yet.
    assert_eq!(service.request_grant(id, "carol").await.status, 403);

    let handler = service.token("handler-1", Role::CaseHandler);
    let body = json!({"subject": "carol", "public_key": carol.key.public_key().to_pem()});
    let reply = service
        .post(&format!("/v1/deliveries/{id}/recipients"), &handler, &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["recipients"], json!(["alice", "carol"]));

    // Each file keeps its data segments byte for byte; only the header grew.
    for (name, old) in names.iter().zip(&before) {
        let new = service.download(id, name, &grant, &[]).await.bytes;
        let (old_header, old_data) = split(old);
        let (new_header, new_data) = split(&new);
        assert_eq!(new_data, old_data, "{name}: the data segments changed");
        assert!(
            new_header.len() > old_header.len(),
            "{name}: no packet added"
        );
    }

    // Both decrypt every file and find it matches the manifest.
    let carols = service.grant(id, "carol").await;
    service.download_and_decrypt(id, &carols, &carol.key).await;
    service.download_and_decrypt(id, &grant, &alice.key).await;

    let auditor = service.token("auditor-1", Role::Auditor);
    let record = service
        .get(&format!("/v1/deliveries/{id}/events"), Some(&auditor), &[])
        .await
        .json();
    // Grant events are in the record too, so the addition is found by name.
    let added: Vec<_> = record["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["event"] == "recipient-added")
        .collect();
    assert_eq!(added.len(), 1, "{record}");
    assert_eq!(added[0]["actor"], "handler-1");
    assert_eq!(added[0]["detail"]["subject"], "carol");
    service.stop().await;
}

#[actix_web::test]
async fn concurrent_additions_keep_both_recipients() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let added = [
        Person::new("carol"),
        Person::new("dave"),
        Person::new("erin"),
    ];
    let delivered = service.deliver(&[&alice], next_year()).await;
    let id = delivered.delivery_id;
    let path = format!("/v1/deliveries/{id}/recipients");
    let handler = service.token("handler-1", Role::CaseHandler);
    let bodies: Vec<_> = added
        .iter()
        .map(|person| {
            json!({"subject": person.subject, "public_key": person.key.public_key().to_pem()})
        })
        .collect();

    // Every addition starts from the same stored files at the same time.
    let replies = futures::future::join_all(
        bodies
            .iter()
            .map(|body| service.post(&path, &handler, body)),
    )
    .await;

    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let auditor = service.token("auditor-1", Role::Auditor);
    let delivery = service
        .get(&format!("/v1/deliveries/{id}"), Some(&auditor), &[])
        .await;
    let mut recipients: Vec<String> =
        serde_json::from_value(delivery.json()["recipients"].clone()).unwrap();
    recipients.sort();
    assert_eq!(recipients, ["alice", "carol", "dave", "erin"]);
    for person in added.iter().chain([&alice]) {
        let grant = service.grant(id, &person.subject).await;
        service.download_and_decrypt(id, &grant, &person.key).await;
    }
    service.stop().await;
}

#[actix_web::test]
async fn malformed_keys_rejected() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let path = format!("/v1/deliveries/{}/recipients", delivered.delivery_id);
    let handler = service.token("handler-1", Role::CaseHandler);
    let zero_key = hap_crypt4gh::PublicKey::from_bytes([0; 32]).to_pem();
    let cases = [
        ("not a key", "invalid key file armour"),
        (
            "-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n-----END CRYPT4GH PUBLIC KEY-----\n",
            "wrong public key length",
        ),
        (zero_key.as_str(), "low-order"),
    ];
    for (key, expected) in cases {
        let body = json!({"subject": "carol", "public_key": key});
        let reply = service.post(&path, &handler, &body).await;
        assert_eq!(reply.status, 422, "{}", reply.text());
        let problem = reply.json();
        assert_eq!(problem["type"], "urn:hap:problem:invalid-public-key");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{detail}");
        assert!(detail.contains("`carol`"), "{detail}");
    }
    service.stop().await;
}

#[actix_web::test]
async fn adding_recipient_needs_case_handler() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let applicant = service.token("alice", Role::Applicant);
    let body =
        json!({"subject": "eve", "public_key": Person::new("eve").key.public_key().to_pem()});
    let reply = service
        .post(
            &format!("/v1/deliveries/{}/recipients", delivered.delivery_id),
            &applicant,
            &body,
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    service.stop().await;
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Downloads through short-lived grants, for recipients only, resumable
//! with range requests, each one in the access log.

mod common;

use diesel::prelude::*;
use hap_delivery::schema::download_grants;
use hap_kit::auth::Role;

use common::TestService;
use common::release::{Person, next_year};

#[actix_web::test]
async fn recipient_downloads_with_grant() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;

    let grant = service.grant(delivered.delivery_id, "alice").await;
    let dir = service
        .download_and_decrypt(delivered.delivery_id, &grant, &alice.key)
        .await;
    for name in [
        "data.parquet",
        "data.csv",
        "codebook.json",
        "permit.json",
        "README.md",
    ] {
        assert!(dir.path().join(name).exists(), "{name} is missing");
    }

    // Every download is logged: who, when, which file, bytes.
    let names = service.file_names(delivered.delivery_id).await;
    let log = service.access_log(delivered.delivery_id).await;
    assert_eq!(log.len(), names.len());
    for entry in &log {
        assert_eq!(entry["subject"], "alice");
        assert!(entry["bytes"].as_i64().unwrap() > 0, "{entry}");
        assert!(entry["at"].is_string(), "{entry}");
        assert!(entry["grant_id"].is_string(), "{entry}");
        assert!(names.contains(&entry["file"].as_str().unwrap().to_owned()));
    }
    service.stop().await;
}

#[actix_web::test]
async fn access_log_for_auditors_and_stewards() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let path = format!("/v1/deliveries/{}/downloads", delivered.delivery_id);

    let steward = service.token("steward-1", Role::Steward);
    let reply = service.get(&path, Some(&steward), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["registries"][0], "cancer");

    let applicant = service.token("alice", Role::Applicant);
    let reply = service.get(&path, Some(&applicant), &[]).await;
    assert_eq!(reply.status, 403, "{}", reply.text());

    // Across deliveries: every download from a delivery that drew on the
    // steward's registry, and none for another registry.
    let grant = service.grant(delivered.delivery_id, "alice").await;
    let reply = service
        .download(delivered.delivery_id, "data.csv.c4gh", &grant, &[])
        .await;
    assert_eq!(reply.status, 200);
    let cancer = service
        .get("/v1/downloads?registry=cancer", Some(&steward), &[])
        .await
        .json();
    let items = cancer["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{cancer}");
    assert_eq!(items[0]["subject"], "alice");
    assert_eq!(items[0]["file"], "data.csv.c4gh");
    assert_eq!(
        items[0]["application_id"],
        delivered.application_id.to_string()
    );
    assert_eq!(cancer["next"], serde_json::Value::Null);
    let birth = service
        .get("/v1/downloads?registry=birth", Some(&steward), &[])
        .await
        .json();
    assert_eq!(birth["items"].as_array().unwrap().len(), 0, "{birth}");
    let reply = service
        .get("/v1/downloads?registry=cancer", Some(&applicant), &[])
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    for unknown in ["%00", "tumours", "01018012345"] {
        let reply = service
            .get(
                &format!("/v1/downloads?registry={unknown}"),
                Some(&steward),
                &[],
            )
            .await;
        assert_eq!(reply.status, 400, "{unknown}: {}", reply.text());
        assert!(!reply.text().contains("01018012345"), "{}", reply.text());
    }
    service.stop().await;
}

#[actix_web::test]
async fn steward_of_another_registry_reads_no_log() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let id = delivered.delivery_id;
    let grant = service.grant(id, "alice").await;
    let reply = service.download(id, "data.csv.c4gh", &grant, &[]).await;
    assert_eq!(reply.status, 200);
    let cancer_steward = service.steward_token("steward-cancer", &["cancer"]);
    let birth_steward = service.steward_token("steward-birth", &["birth"]);

    // The delivery draws on the cancer registry only, so to the birth
    // registry's steward it does not exist.
    for path in [
        format!("/v1/deliveries/{id}"),
        format!("/v1/deliveries/{id}/downloads"),
        format!("/v1/deliveries/{id}/events"),
    ] {
        let hidden = service.get(&path, Some(&birth_steward), &[]).await;
        assert_eq!(hidden.status, 404, "{path}: {}", hidden.text());
        assert!(!hidden.text().contains("alice"), "{}", hidden.text());
        let allowed = service.get(&path, Some(&cancer_steward), &[]).await;
        assert_eq!(allowed.status, 200, "{path}: {}", allowed.text());
    }
    let listed = service
        .get(
            &format!("/v1/deliveries?application_id={}", delivered.application_id),
            Some(&birth_steward),
            &[],
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["items"], serde_json::json!([]));

    // The log across deliveries: only for a registry the token names.
    let forbidden = service
        .get("/v1/downloads?registry=cancer", Some(&birth_steward), &[])
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text());
    let detail = forbidden.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("only birth"), "{detail}");
    assert!(detail.contains("`cancer`"), "{detail}");
    let allowed = service
        .get("/v1/downloads?registry=cancer", Some(&cancer_steward), &[])
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text());
    assert_eq!(allowed.json()["items"].as_array().unwrap().len(), 1);
    service.stop().await;
}

#[actix_web::test]
async fn stranger_gets_403_and_no_log() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let other = service
        .deliver(&[&Person::new("mallory")], next_year())
        .await;
    let name = "data.csv.c4gh";

    // No grant for someone the permit does not name.
    let reply = service
        .request_grant(delivered.delivery_id, "mallory")
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert_eq!(
        reply.headers["content-type"],
        "application/problem+json",
        "{}",
        reply.text()
    );

    // No download without a grant, with a made-up one, or with a grant of
    // another delivery.
    let reply = service
        .get(
            &format!("/v1/deliveries/{}/files/{name}", delivered.delivery_id),
            Some(&service.token("mallory", Role::Applicant)),
            &[],
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    let reply = service
        .download(delivered.delivery_id, name, "made-up-token", &[])
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    let mallorys = service.grant(other.delivery_id, "mallory").await;
    let reply = service
        .download(delivered.delivery_id, name, &mallorys, &[])
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());

    assert!(service.access_log(delivered.delivery_id).await.is_empty());
    service.stop().await;
}

#[actix_web::test]
async fn expired_grant_rejected() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let grant = service.grant(delivered.delivery_id, "alice").await;

    diesel::update(download_grants::table)
        .set(download_grants::expires_at.eq(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .execute(&mut service.conn())
        .unwrap();
    let reply = service
        .download(delivered.delivery_id, "data.csv.c4gh", &grant, &[])
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert!(reply.text().contains("expired"), "{}", reply.text());
    assert!(service.access_log(delivered.delivery_id).await.is_empty());
    service.stop().await;
}

#[actix_web::test]
async fn interrupted_download_resumes() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let grant = service.grant(delivered.delivery_id, "alice").await;
    let name = "data.csv.c4gh";

    let whole = service
        .download(delivered.delivery_id, name, &grant, &[])
        .await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.headers["accept-ranges"], "bytes");
    let size = whole.bytes.len();
    assert!(
        size > 2 * 65_536,
        "the file spans several segments: {size} bytes"
    );

    // The transfer stops halfway; the client asks for the rest.
    let half = size / 2;
    let first = service
        .download(
            delivered.delivery_id,
            name,
            &grant,
            &[("range", &format!("bytes=0-{}", half - 1))],
        )
        .await;
    assert_eq!(first.status, 206);
    let rest = service
        .download(
            delivered.delivery_id,
            name,
            &grant,
            &[("range", &format!("bytes={half}-"))],
        )
        .await;
    assert_eq!(rest.status, 206);
    assert_eq!(
        rest.headers["content-range"],
        format!("bytes {half}-{}/{size}", size - 1).as_str()
    );
    let resumed = [first.bytes, rest.bytes].concat();
    assert_eq!(resumed, whole.bytes, "the resumed file differs");

    let beyond = service
        .download(
            delivered.delivery_id,
            name,
            &grant,
            &[("range", &format!("bytes={size}-"))],
        )
        .await;
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.headers["content-range"],
        format!("bytes */{size}").as_str()
    );

    // The log contains the whole download and both parts, with their bytes.
    let log = service.access_log(delivered.delivery_id).await;
    let bytes: Vec<(Option<i64>, i64)> = log
        .iter()
        .map(|entry| {
            (
                entry["range_start"].as_i64(),
                entry["bytes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bytes,
        vec![
            (None, size as i64),
            (Some(0), half as i64),
            (Some(half as i64), (size - half) as i64)
        ]
    );
    service.stop().await;
}

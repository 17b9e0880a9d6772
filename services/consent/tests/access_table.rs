#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every cell of the consent service's access table against the running
//! service and database, and the access log of every read of a consent
//! history or an exclusion list.

mod common;

use hap_consent::routes::access::TABLE;
use hap_contracts::criteria::Registry;
use hap_contracts::events::{self, LegalBasisCleared};
use hap_kit::auth::Role;
use hap_messaging::Envelope;
use hap_testkit::access::AccessProbe;
use serde_json::{Value, json};
use uuid::Uuid;

use common::numbers::{Numbers, person_hash_hex};
use common::payloads::{approved, request, research_purpose};
use common::{TestService, consent_csv};

#[actix_web::test]
async fn every_cell_matches_table() {
    let service = TestService::start().await;
    let probe = AccessProbe {
        base_url: &service.base_url,
        dev_secret: common::DEV_SECRET,
        params: &[("registry", "quality")],
    };

    let mismatches = probe.mismatches(TABLE).await;

    assert!(mismatches.is_empty(), "{mismatches:#?}");
    service.stop().await;
}

#[actix_web::test]
async fn consent_history_read_logged() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let person = numbers.issue();
    service
        .import_quality(&consent_csv(&[format!(
            "{person},given,2019-05-01,paper-form"
        )]))
        .await;
    assert_eq!(service.access_log().await, Vec::<Value>::new());
    let handler = service.token("handler-1", Role::CaseHandler);

    let reply = service
        .post_json(
            "/v1/registries/quality/consent-history",
            &handler,
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    let entries = service.access_log().await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry["actor"], "handler-1");
    assert_eq!(entry["roles"], json!(["case-handler"]));
    assert_eq!(entry["action"], "consent-history");
    assert_eq!(entry["registry"], "quality");
    let key = &service.platform_key;
    assert_eq!(entry["person_hash"], person_hash_hex(key, &person).as_str());
    assert_eq!(entry["detail"], json!({"events": 1}));
    assert!(entry["at"].is_string(), "{entry}");
    assert!(!entry.to_string().contains(person.as_str()));
    service.stop().await;
}

#[actix_web::test]
async fn exclusion_list_read_logged() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    let payload = approved(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], &["C18"]),
        research_purpose(false),
    );
    let envelope =
        Envelope::new(events::APPLICATION_APPROVED, 1, application_id, &payload).unwrap();
    service.publish(&envelope).await;
    let cleared: LegalBasisCleared = service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await
        .payload_as()
        .unwrap();
    let permit_id = cleared.permit.permit_id;

    let reply = service.exclusions(permit_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let missing = service.exclusions(Uuid::now_v7()).await;
    assert_eq!(missing.status, 404);

    let entries = service.access_log().await;
    assert_eq!(
        entries.len(),
        1,
        "only the served list is logged: {entries:?}"
    );
    let entry = &entries[0];
    assert_eq!(entry["actor"], "hap-linkage");
    assert_eq!(entry["roles"], json!(["service"]));
    assert_eq!(entry["action"], "exclusions");
    assert_eq!(entry["permit_id"], permit_id.to_string().as_str());
    assert_eq!(entry["detail"], json!({"persons": {"quality": 0}}));
    service.stop().await;
}

#[actix_web::test]
async fn access_log_append_only() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let person = numbers.issue();
    let steward = service.token("steward-1", Role::Steward);
    let reply = service
        .post_json(
            "/v1/registries/quality/consent-history",
            &steward,
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    let mut conn = service.conn();
    for statement in [
        "UPDATE access_log SET actor = 'x'",
        "DELETE FROM access_log",
    ] {
        let result = diesel::RunQueryDsl::execute(diesel::sql_query(statement), &mut conn);
        assert!(result.is_err(), "{statement} succeeded");
    }
    assert_eq!(service.access_log().await.len(), 1);
    service.stop().await;
}

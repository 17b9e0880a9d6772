#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The permit and the exclusion lists issued on a clean
//! `application.approved`, and their idempotence under redelivery.

mod common;

use std::collections::BTreeSet;

use diesel::prelude::*;
use hap_consent::schema::permits;
use hap_contracts::criteria::Registry;
use hap_contracts::events::{
    self, AssessmentStage, LegalBasisAssessed, LegalBasisCleared, Verdict,
};
use hap_kit::auth::Role;
use hap_kit::store::hex;
use hap_messaging::Envelope;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use common::numbers::{Numbers, person_hash, person_hash_hex};
use common::payloads::{approved, request, research_purpose, submitted};
use common::{TestService, consent_csv};

/// Returns hex SHA-256 over the sorted, concatenated hashes.
fn sorted_digest(mut hashes: Vec<[u8; 32]>) -> String {
    hashes.sort_unstable();
    hex(&Sha256::digest(hashes.concat()))
}

fn clean_approval(application_id: Uuid) -> Envelope {
    let payload = approved(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], &["C18"]),
        research_purpose(false),
    );
    Envelope::new(events::APPLICATION_APPROVED, 1, application_id, &payload).unwrap()
}

/// Publishes a submission of another application and waits for its
/// assessment. The consumer handles messages one at a time in arrival order,
/// so every message published before it has been handled by then.
async fn wait_until_handled(service: &mut TestService) {
    let marker = Uuid::now_v7();
    let payload = submitted(marker, request(&[Registry::Cancer], &["C18"]));
    let envelope = Envelope::new(events::APPLICATION_SUBMITTED, 1, marker, &payload).unwrap();
    service.publish(&envelope).await;
    service
        .events
        .wait_for(events::LEGAL_BASIS_ASSESSED, marker)
        .await;
}

#[actix_web::test]
async fn clean_approval_issues_permit_and_exclusions() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let withdrew_later = numbers.issue();
    let consented_again = numbers.issue();
    let consented = numbers.issue();
    let withdrew_only = numbers.issue();
    let same_day = numbers.issue();
    let withdraws_in_future = numbers.issue();
    service
        .import_quality(&consent_csv(&[
            format!("{withdrew_later},given,2019-05-01,paper-form"),
            format!("{withdrew_later},withdrawn,2022-03-01,e-mail"),
            format!("{consented_again},withdrawn,2019-05-01,e-mail"),
            format!("{consented_again},given,2022-03-01,paper-form"),
            format!("{consented},given,2019-05-01,paper-form"),
            format!("{withdrew_only},withdrawn,2020-06-30,e-mail"),
            format!("{same_day},given,2021-01-01,paper-form"),
            format!("{same_day},withdrawn,2021-01-01,e-mail"),
            format!("{withdraws_in_future},given,2019-05-01,paper-form"),
            format!("{withdraws_in_future},withdrawn,2099-01-01,e-mail"),
        ]))
        .await;
    let application_id = Uuid::now_v7();
    let envelope = clean_approval(application_id);

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await;

    assert_eq!(event.causation_id(), Some(envelope.id()));
    let cleared: LegalBasisCleared = event.payload_as().unwrap();
    assert_eq!(cleared.permit.application_id, application_id);
    assert_eq!(cleared.permit.application_version, 1);
    assert_eq!(
        cleared.permit.project_title,
        "Colorectal cancer surgery outcomes"
    );
    assert_eq!(cleared.exclusions.len(), 1, "{:?}", cleared.exclusions);
    let list = &cleared.exclusions[0];
    assert_eq!(list.registry, Registry::Quality);
    assert_eq!(list.count, 3);

    let reply = service.exclusions(cleared.permit.permit_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let registries = reply.body["registries"].as_array().unwrap();
    assert_eq!(registries.len(), 1);
    assert_eq!(registries[0]["registry"], "quality");
    assert_eq!(registries[0]["count"], 3);
    assert_eq!(registries[0]["sha256"], list.sha256.as_str());
    let listed: BTreeSet<String> = registries[0]["person_hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hash| hash.as_str().unwrap().to_owned())
        .collect();
    let key = &service.platform_key;
    let expected: BTreeSet<String> = [&withdrew_later, &withdrew_only, &same_day]
        .into_iter()
        .map(|number| person_hash_hex(key, number))
        .collect();
    assert_eq!(listed, expected);
    let hashes: Vec<[u8; 32]> = [&withdrew_later, &withdrew_only, &same_day]
        .into_iter()
        .map(|number| person_hash(key, number))
        .collect();
    assert_eq!(list.sha256, sorted_digest(hashes));

    let assessed: LegalBasisAssessed = service
        .events
        .wait_for(events::LEGAL_BASIS_ASSESSED, application_id)
        .await
        .payload_as()
        .unwrap();
    assert_eq!(assessed.stage, AssessmentStage::Approval);
    assert!(
        assessed
            .registries
            .iter()
            .all(|registry| registry.verdict == Verdict::Permitted),
        "{assessed:?}"
    );
    service.stop().await;
}

#[actix_web::test]
async fn permits_listed_for_case_handler() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    service.publish(&clean_approval(application_id)).await;
    let cleared: LegalBasisCleared = service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await
        .payload_as()
        .unwrap();
    let path = format!("/v1/applications/{application_id}/permits");

    let handler = service.token("handler-1", Role::CaseHandler);
    let reply = service.get(&path, &handler).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["application_id"], application_id.to_string());
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let permit: hap_contracts::events::Permit = serde_json::from_value(items[0].clone()).unwrap();
    assert_eq!(permit, cleared.permit);
    assert_eq!(
        items[0]["exclusions"],
        serde_json::to_value(&cleared.exclusions).unwrap()
    );
    let conditions = items[0]["conditions"].as_array().unwrap();
    assert!(
        conditions.is_empty(),
        "the default registries name no obligations: {conditions:?}"
    );

    let applicant = service.token("applicant-1", Role::Applicant);
    let forbidden = service.get(&path, &applicant).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.body["type"], "urn:hap:problem:forbidden");
    service.stop().await;
}

#[actix_web::test]
async fn approval_published_twice_issues_one_permit() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    let envelope = clean_approval(application_id);

    service.publish(&envelope).await;
    service.publish(&envelope).await;
    service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await;
    wait_until_handled(&mut service).await;

    let cleared = service
        .events
        .received(events::LEGAL_BASIS_CLEARED, application_id);
    assert_eq!(cleared.len(), 1);
    let stored: i64 = permits::table
        .filter(permits::application_id.eq(application_id))
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(stored, 1);
    let handler = service.token("handler-1", Role::CaseHandler);
    let reply = service
        .get(
            &format!("/v1/applications/{application_id}/permits"),
            &handler,
        )
        .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        service.failed_messages().await,
        0,
        "the second delivery is acknowledged as a duplicate, not retried"
    );
    service.stop().await;
}

/// Checks that a redelivered approval leaves the exclusion list unchanged
/// after new withdrawals. The cleared event records the list's SHA-256,
/// and the linkage service rejects a list that no longer matches.
#[actix_web::test]
async fn redelivered_approval_keeps_exclusion_list() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let first = numbers.issue();
    let second = numbers.issue();
    service
        .import_quality(&consent_csv(&[format!(
            "{first},withdrawn,2020-01-01,e-mail"
        )]))
        .await;
    let application_id = Uuid::now_v7();
    let envelope = clean_approval(application_id);
    service.publish(&envelope).await;
    let cleared: LegalBasisCleared = service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await
        .payload_as()
        .unwrap();
    let permit_id = cleared.permit.permit_id;
    let written = service.exclusions(permit_id).await.body;

    service
        .import_quality(&consent_csv(&[format!(
            "{second},withdrawn,2020-01-01,e-mail"
        )]))
        .await;
    service.publish(&envelope).await;
    wait_until_handled(&mut service).await;

    let kept = service.exclusions(permit_id).await.body;
    assert_eq!(kept, written);
    assert_eq!(kept["registries"][0]["count"], 1);
    assert_eq!(
        kept["registries"][0]["sha256"],
        cleared.exclusions[0].sha256.as_str()
    );
    service.stop().await;
}

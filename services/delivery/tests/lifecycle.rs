#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A delivery ends at the permit's end date or when the permit is revoked:
//! its objects leave the store, downloads stop, and the end is recorded.

mod common;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use hap_contracts::events::{self, DeletionReason, DeliveryDeleted, PermitRevoked, StepFailed};
use hap_delivery::schema::{deliveries, revoked_permits};
use hap_kit::auth::Role;
use hap_messaging::Envelope;
use serde_json::Value;
use uuid::Uuid;

use common::release::{Person, next_year, released};
use common::{Delivered, TestService};

fn revocation(delivered_permit: &hap_contracts::events::Permit) -> Envelope {
    let payload = PermitRevoked {
        application_id: delivered_permit.application_id,
        permit_id: delivered_permit.permit_id,
        reason: "the project broke the data processing agreement".into(),
        revoked_by: "handler-1".into(),
        revoked_at: Utc::now(),
    };
    Envelope::new(
        events::PERMIT_REVOKED,
        events::VERSION,
        delivered_permit.application_id,
        &payload,
    )
    .unwrap()
}

/// Returns the delivery's lifecycle record as an auditor reads it.
async fn lifecycle_record(service: &TestService, delivery_id: Uuid) -> Value {
    let auditor = service.token("auditor-1", Role::Auditor);
    let reply = service
        .get(
            &format!("/v1/deliveries/{delivery_id}/events"),
            Some(&auditor),
            &[],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// Checks that the delivery is gone from the store and cannot be downloaded.
async fn assert_gone(service: &TestService, delivered: &Delivered, grant: &str) {
    assert_eq!(
        service.stored_keys(delivered.delivery_id).await,
        Vec::<String>::new()
    );
    let reply = service
        .download(delivered.delivery_id, "data.csv.c4gh", grant, &[])
        .await;
    assert_eq!(reply.status, 410, "{}", reply.text());
    let reply = service.request_grant(delivered.delivery_id, "alice").await;
    assert_eq!(reply.status, 410, "{}", reply.text());
}

/// Waits until the service has recorded the revocation of `permit_id`; the
/// two events go to different consumers, which run side by side.
async fn wait_until_recorded(service: &TestService, permit_id: Uuid) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let count: i64 = revoked_permits::table
            .filter(revoked_permits::permit_id.eq(permit_id))
            .count()
            .get_result(&mut service.conn())
            .unwrap();
        if count == 1 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the revocation was never recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn delivery_past_end_date_deleted() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let grant = service.grant(delivered.delivery_id, "alice").await;
    assert!(!service.stored_keys(delivered.delivery_id).await.is_empty());

    // The permit's end date passes: yesterday was its last day.
    let yesterday = Utc::now().date_naive() - Duration::days(1);
    diesel::update(deliveries::table.find(delivered.delivery_id))
        .set(deliveries::expires_on.eq(yesterday))
        .execute(&mut service.conn())
        .unwrap();

    let deleted = service
        .events
        .wait_for(events::DELIVERY_DELETED, delivered.application_id)
        .await;
    let deleted: DeliveryDeleted = deleted.payload_as().unwrap();
    assert_eq!(deleted.reason, DeletionReason::Expired);
    assert_eq!(deleted.delivery_id, delivered.delivery_id);
    assert!(deleted.objects_deleted > 0);
    assert_gone(&service, &delivered, &grant).await;

    let record = lifecycle_record(&service, delivered.delivery_id).await;
    assert_eq!(record["state"], "expired");
    // The grant's `grant-issued` event comes before the deletion.
    let deletion = lifecycle_event(&record, "expired");
    assert_eq!(deletion["actor"], "expiry-sweep");
    service.stop().await;
}

#[actix_web::test]
async fn end_date_blocks_download_before_sweep() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let grant = service.grant(delivered.delivery_id, "alice").await;

    // Mark it deleted so the sweep skips it, then move the end date: the
    // download checks the date itself.
    let yesterday = Utc::now().date_naive() - Duration::days(1);
    diesel::update(deliveries::table.find(delivered.delivery_id))
        .set((
            deliveries::expires_on.eq(yesterday),
            deliveries::state.eq("revoked"),
        ))
        .execute(&mut service.conn())
        .unwrap();
    let reply = service
        .download(delivered.delivery_id, "data.csv.c4gh", &grant, &[])
        .await;
    assert_eq!(reply.status, 410, "{}", reply.text());
    assert!(service.access_log(delivered.delivery_id).await.is_empty());
    service.stop().await;
}

#[actix_web::test]
async fn revoked_permit_deletes_at_once() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let grant = service.grant(delivered.delivery_id, "alice").await;

    service.publish(&revocation(&delivered.permit)).await;
    let deleted = service
        .events
        .wait_for(events::DELIVERY_DELETED, delivered.application_id)
        .await;
    let deleted: DeliveryDeleted = deleted.payload_as().unwrap();
    assert_eq!(deleted.reason, DeletionReason::Revoked);
    assert_gone(&service, &delivered, &grant).await;

    let record = lifecycle_record(&service, delivered.delivery_id).await;
    assert_eq!(record["state"], "revoked");
    // The grant's `grant-issued` event comes before the deletion.
    let deletion = lifecycle_event(&record, "revoked");
    assert_eq!(deletion["actor"], "permit.revoked by handler-1");
    service.stop().await;
}

#[actix_web::test]
async fn release_after_revocation_rejected() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let envelope = released(&service.work_store(), &[&alice], next_year());
    let permit = common::release::permit_of(&envelope);

    service.publish(&revocation(&permit)).await;
    wait_until_recorded(&service, permit.permit_id).await;
    service.publish(&envelope).await;
    let failed = service
        .events
        .wait_for(events::DELIVERY_FAILED, permit.application_id)
        .await;
    let failed: StepFailed = failed.payload_as().unwrap();
    assert!(failed.reason.contains("revoked"), "{}", failed.reason);
    assert!(
        service
            .events
            .received(events::DELIVERY_READY, permit.application_id)
            .is_empty()
    );
    service.stop().await;
}

#[actix_web::test]
async fn release_with_ended_permit_rejected() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let yesterday = Utc::now().date_naive() - Duration::days(1);
    let envelope = released(&service.work_store(), &[&alice], yesterday);
    let application_id = envelope.correlation_id();

    service.publish(&envelope).await;
    let failed = service
        .events
        .wait_for(events::DELIVERY_FAILED, application_id)
        .await;
    let failed: StepFailed = failed.payload_as().unwrap();
    assert!(failed.reason.contains("ended"), "{}", failed.reason);
    service.stop().await;
}

/// Returns the only event called `name` in a lifecycle record.
fn lifecycle_event<'a>(record: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let matching: Vec<_> = record["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["event"] == name)
        .collect();
    assert_eq!(matching.len(), 1, "{record}");
    matching[0]
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The legal-basis assessment on `application.submitted`, and the final
//! check on `application.approved` that rejects a commercial purpose.

mod common;

use diesel::prelude::*;

use hap_contracts::application::LegalBasisClaims;
use hap_contracts::criteria::Registry;
use hap_contracts::events::{self, AssessmentStage, LegalBasisAssessed, StepFailed, Verdict};
use hap_kit::auth::Role;
use hap_messaging::Envelope;
use uuid::Uuid;

use common::TestService;
use common::payloads::{approved, request, research_purpose, submitted};

#[actix_web::test]
async fn submitted_application_assessed_per_registry() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    let payload = submitted(
        application_id,
        request(
            &[Registry::Population, Registry::Cancer, Registry::Quality],
            &["C18", "C50"],
        ),
    );
    let envelope =
        Envelope::new(events::APPLICATION_SUBMITTED, 1, application_id, &payload).unwrap();

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::LEGAL_BASIS_ASSESSED, application_id)
        .await;

    assert_eq!(event.causation_id(), Some(envelope.id()));
    let assessed: LegalBasisAssessed = event.payload_as().unwrap();
    assert_eq!(assessed.application_id, application_id);
    assert_eq!(assessed.version, 1);
    assert_eq!(assessed.stage, AssessmentStage::Submission);
    let registries: Vec<Registry> = assessed.registries.iter().map(|r| r.registry).collect();
    assert_eq!(
        registries,
        [Registry::Population, Registry::Cancer, Registry::Quality]
    );
    let verdicts: Vec<Verdict> = assessed.registries.iter().map(|r| r.verdict).collect();
    assert_eq!(
        verdicts,
        [Verdict::Permitted, Verdict::Permitted, Verdict::NeedsReview]
    );
    assert!(assessed.registries[0].reasons.is_empty());
    let quality_reasons = &assessed.registries[2].reasons;
    assert_eq!(quality_reasons.len(), 1, "{quality_reasons:?}");
    assert!(quality_reasons[0].contains("C50"), "{quality_reasons:?}");

    let handler = service.token("handler-1", Role::CaseHandler);
    let stored = service
        .get(
            &format!("/v1/applications/{application_id}/assessments"),
            &handler,
        )
        .await;
    assert_eq!(stored.status, 200);
    let items = stored.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["stage"], "submission");
    service.stop().await;
}

#[actix_web::test]
async fn submission_without_claims_not_permitted() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    let mut payload = submitted(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], &["C18"]),
    );
    payload.legal_basis = LegalBasisClaims::default();
    let envelope =
        Envelope::new(events::APPLICATION_SUBMITTED, 1, application_id, &payload).unwrap();

    service.publish(&envelope).await;
    let assessed: LegalBasisAssessed = service
        .events
        .wait_for(events::LEGAL_BASIS_ASSESSED, application_id)
        .await
        .payload_as()
        .unwrap();

    for registry in &assessed.registries {
        assert_eq!(registry.verdict, Verdict::NotPermitted, "{registry:?}");
        let reasons = registry.reasons.join(" | ");
        assert!(reasons.contains("article 6(1)"), "{reasons}");
        assert!(reasons.contains("article 9(2)"), "{reasons}");
        assert!(reasons.contains("ethics"), "{reasons}");
        assert!(reasons.contains("impact assessment"), "{reasons}");
    }
    service.stop().await;
}

#[actix_web::test]
async fn commercial_approval_rejected() {
    let mut service = TestService::start().await;
    let application_id = Uuid::now_v7();
    let payload = approved(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], &["C18"]),
        research_purpose(true),
    );
    let envelope =
        Envelope::new(events::APPLICATION_APPROVED, 1, application_id, &payload).unwrap();

    service.publish(&envelope).await;
    let rejected = service
        .events
        .wait_for(events::LEGAL_BASIS_REJECTED, application_id)
        .await;

    assert_eq!(rejected.causation_id(), Some(envelope.id()));
    let failed: StepFailed = rejected.payload_as().unwrap();
    assert_eq!(failed.application_id, application_id);
    assert!(
        failed
            .reason
            .contains("cancer: cancer may not be used for commercial purposes"),
        "{}",
        failed.reason
    );
    assert!(
        failed
            .reason
            .contains("quality: quality may not be used for commercial purposes"),
        "{}",
        failed.reason
    );
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
            .all(|registry| registry.verdict == Verdict::NotPermitted),
        "{assessed:?}"
    );
    // The handler stores a permit in the transaction that emits its events,
    // so a permit would be visible once the rejection has arrived.
    let handler = service.token("handler-1", Role::CaseHandler);
    let permits = service
        .get(
            &format!("/v1/applications/{application_id}/permits"),
            &handler,
        )
        .await;
    assert_eq!(permits.status, 200);
    assert_eq!(permits.body["items"], serde_json::json!([]));
    let written: i64 = hap_consent::schema::permit_exclusions::table
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(written, 0, "a rejected approval records no exclusions");
    service.stop().await;
}

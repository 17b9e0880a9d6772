#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The internal exclusion API, opt-outs and withdrawals around the permit
//! date, consent scopes, and the `consent.withdrawn` event raised for
//! permits already issued.

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use hap_contracts::criteria::Registry;
use hap_contracts::events::{self, ConsentWithdrawn, LegalBasisCleared};
use hap_kit::auth::Role;
use hap_messaging::Envelope;
use serde_json::json;
use uuid::Uuid;

use common::numbers::{Numbers, person_hash_hex};
use common::payloads::{approved, request, research_purpose};
use common::{TestService, consent_csv, scoped_consent_csv};

/// Approves a new application for the cancer and quality registries with
/// the cohort `codes` and returns its cleared event.
async fn approve(service: &mut TestService, codes: &[&str]) -> LegalBasisCleared {
    let application_id = Uuid::now_v7();
    let payload = approved(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], codes),
        research_purpose(false),
    );
    let envelope =
        Envelope::new(events::APPLICATION_APPROVED, 1, application_id, &payload).unwrap();
    service.publish(&envelope).await;
    service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await
        .payload_as()
        .unwrap()
}

/// Returns the hex hashes the permit leaves out of the quality registry.
async fn excluded(service: &TestService, cleared: &LegalBasisCleared) -> BTreeSet<String> {
    let reply = service.exclusions(cleared.permit.permit_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let registries = reply.body["registries"].as_array().unwrap();
    assert_eq!(registries.len(), 1, "only quality is consent-based");
    registries[0]["person_hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hash| hash.as_str().unwrap().to_owned())
        .collect()
}

fn days_from_today(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

#[actix_web::test]
async fn exclusions_only_for_service_role() {
    let mut service = TestService::start().await;
    let cleared = approve(&mut service, &["C18"]).await;
    let path = format!("/v1/permits/{}/exclusions", cleared.permit.permit_id);

    for role in [
        Role::Applicant,
        Role::CaseHandler,
        Role::Decider,
        Role::Steward,
        Role::Auditor,
    ] {
        let reply = service.get(&path, &service.token("someone", role)).await;
        assert_eq!(reply.status, 403, "{role}: {:?}", reply.body);
        assert_eq!(reply.body["type"], "urn:hap:problem:forbidden");
    }
    let anonymous = reqwest::get(service.url(&path)).await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let reply = service.exclusions(cleared.permit.permit_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let unknown = service.exclusions(Uuid::now_v7()).await;
    assert_eq!(unknown.status, 404);
    service.stop().await;
}

#[actix_web::test]
async fn consented_list_holds_only_valid_consents() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let consenting = numbers.issue();
    let withdrawn = numbers.issue();
    let unrecorded = numbers.issue();
    service
        .import_quality(&consent_csv(&[
            format!("{consenting},given,2019-05-01,paper-form"),
            format!("{withdrawn},given,2019-05-01,paper-form"),
            format!("{withdrawn},withdrawn,2020-05-01,e-mail"),
        ]))
        .await;

    let cleared = approve(&mut service, &["C18"]).await;

    let key = &service.platform_key;
    let reply = service.exclusions(cleared.permit.permit_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let quality = &reply.body["registries"][0];
    let hashes = |list: &serde_json::Value| -> BTreeSet<String> {
        list["person_hashes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hash| hash.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        hashes(&quality["consented"]),
        BTreeSet::from([person_hash_hex(key, &consenting)])
    );
    assert_eq!(
        hashes(quality),
        BTreeSet::from([person_hash_hex(key, &withdrawn)])
    );
    let unrecorded_hash = person_hash_hex(key, &unrecorded);
    assert!(!hashes(&quality["consented"]).contains(&unrecorded_hash));

    // The cleared event carries the consented list's count and digest.
    let permit_list = cleared.exclusions[0].consented.as_ref().unwrap();
    assert_eq!(permit_list.count, 1);
    assert_eq!(quality["consented"]["sha256"], json!(permit_list.sha256));
    assert_eq!(quality["consented"]["count"], json!(1));
    // The cancer registry is statutory: no list at all.
    assert!(
        cleared
            .exclusions
            .iter()
            .all(|l| l.registry == Registry::Quality)
    );
    service.stop().await;
}

#[actix_web::test]
async fn opt_out_before_permit_date_excludes() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let opted_out = numbers.issue();
    let opted_out_today = numbers.issue();
    let revoked = numbers.issue();
    service
        .import_quality(&consent_csv(&[
            format!("{opted_out},given,2019-05-01,paper-form"),
            format!("{opted_out},opted-out,{},helsenorge", days_from_today(-30)),
            format!("{opted_out_today},given,2019-05-01,paper-form"),
            format!(
                "{opted_out_today},opted-out,{},helsenorge",
                days_from_today(0)
            ),
            format!("{revoked},given,2019-05-01,paper-form"),
            format!("{revoked},opted-out,2020-01-01,helsenorge"),
            format!("{revoked},opt-out-revoked,2021-01-01,helsenorge"),
        ]))
        .await;

    let cleared = approve(&mut service, &["C18"]).await;

    let key = &service.platform_key;
    let expected: BTreeSet<String> = [&opted_out, &opted_out_today]
        .into_iter()
        .map(|number| person_hash_hex(key, number))
        .collect();
    assert_eq!(excluded(&service, &cleared).await, expected);
    assert_eq!(cleared.exclusions[0].count, 2);
    service.stop().await;
}

#[actix_web::test]
async fn opt_out_after_permit_date_keeps() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let opts_out_later = numbers.issue();
    let opts_out_tomorrow = numbers.issue();
    service
        .import_quality(&consent_csv(&[
            format!("{opts_out_later},given,2019-05-01,paper-form"),
            format!("{opts_out_tomorrow},given,2019-05-01,paper-form"),
            format!(
                "{opts_out_tomorrow},opted-out,{},helsenorge",
                days_from_today(1)
            ),
        ]))
        .await;
    let first = approve(&mut service, &["C18"]).await;
    assert!(excluded(&service, &first).await.is_empty());

    // An opt-out recorded after the permit was issued leaves the permit as
    // it was, and the next permit leaves the person out.
    service
        .import_quality(&consent_csv(&[format!(
            "{opts_out_later},opted-out,{},helsenorge",
            days_from_today(0)
        )]))
        .await;
    assert!(excluded(&service, &first).await.is_empty());
    let next = approve(&mut service, &["C18"]).await;
    let key = &service.platform_key;
    assert_eq!(
        excluded(&service, &next).await,
        BTreeSet::from([person_hash_hex(key, &opts_out_later)])
    );
    service.stop().await;
}

#[actix_web::test]
async fn consent_scope_decides_exclusion() {
    let mut service = TestService::start().await;
    let mut numbers = Numbers::new();
    let colon_only = numbers.issue();
    let any_research = numbers.issue();
    let narrowed = numbers.issue();
    let consents_later = numbers.issue();
    service
        .import_quality(&scoped_consent_csv(&[
            format!("{colon_only},given,2019-05-01,paper-form,DS:C18"),
            format!("{any_research},given,2019-05-01,paper-form,HMB"),
            format!("{narrowed},given,2019-05-01,paper-form,"),
            format!("{narrowed},changed,2020-05-01,paper-form,DS:C20"),
            format!("{consents_later},given,{},paper-form,", days_from_today(1)),
        ]))
        .await;

    let colon = approve(&mut service, &["C18"]).await;
    let colorectal = approve(&mut service, &["C18", "C19", "C20"]).await;

    let key = &service.platform_key;
    let hashes = |numbers: &[&String]| -> BTreeSet<String> {
        numbers.iter().map(|n| person_hash_hex(key, n)).collect()
    };
    assert_eq!(
        excluded(&service, &colon).await,
        hashes(&[&narrowed, &consents_later])
    );
    assert_eq!(
        excluded(&service, &colorectal).await,
        hashes(&[&colon_only, &narrowed, &consents_later])
    );
    service.stop().await;
}

#[actix_web::test]
async fn withdrawal_after_permit_raises_event() {
    let mut service = TestService::start().await;
    let mut withdrawals = service.observe("consent.*").await;
    let mut numbers = Numbers::new();
    let withdraws = numbers.issue();
    let already_out = numbers.issue();
    let stays = numbers.issue();
    service
        .import_quality(&consent_csv(&[
            format!("{withdraws},given,2019-05-01,paper-form"),
            format!("{already_out},withdrawn,2019-05-01,e-mail"),
            format!("{stays},given,2019-05-01,paper-form"),
        ]))
        .await;
    let cleared = approve(&mut service, &["C18"]).await;
    let application_id = cleared.permit.application_id;

    let today = days_from_today(0);
    let reply = service
        .import_quality(&consent_csv(&[
            format!("{withdraws},withdrawn,{today},e-mail"),
            format!("{already_out},withdrawn,{today},e-mail"),
        ]))
        .await;

    let event = withdrawals
        .wait_for(events::CONSENT_WITHDRAWN, application_id)
        .await;
    let withdrawn: ConsentWithdrawn = event.payload_as().unwrap();
    assert_eq!(withdrawn.permit_id, cleared.permit.permit_id);
    assert_eq!(withdrawn.registry, Registry::Quality);
    assert_eq!(
        withdrawn.persons, 1,
        "the other person was already left out"
    );
    assert_eq!(withdrawn.earliest.to_string(), today);
    assert_eq!(
        withdrawn.import_id.to_string(),
        reply.body["import_id"].as_str().unwrap()
    );
    let text = event.payload().to_string();
    assert!(
        !text.contains(withdraws.as_str()),
        "the event holds no number"
    );

    let next = approve(&mut service, &["C18"]).await;
    let key = &service.platform_key;
    assert!(
        excluded(&service, &next)
            .await
            .contains(&person_hash_hex(key, &withdraws))
    );
    assert!(
        !excluded(&service, &next)
            .await
            .contains(&person_hash_hex(key, &stays))
    );
    service.stop().await;
}

#[actix_web::test]
async fn consent_history_in_order() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let person = numbers.issue();
    service
        .import_quality(&scoped_consent_csv(&[
            format!("{person},withdrawn,2022-03-01,e-mail,"),
            format!("{person},given,2019-05-01,paper-form,DS:C18"),
            format!("{person},changed,2020-01-01,helsenorge,HMB"),
        ]))
        .await;
    let steward = service.token("steward-1", Role::Steward);

    let reply = service
        .post_json(
            "/v1/registries/quality/consent-history",
            &steward,
            &json!({"person_id": person}),
        )
        .await;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let events = reply.body["events"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap(),
                e["event_date"].as_str().unwrap(),
                e["scope"].as_str().unwrap(),
                e["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("given", "2019-05-01", "DS:C18", "paper-form"),
            ("changed", "2020-01-01", "HMB", "helsenorge"),
            ("withdrawn", "2022-03-01", "GRU", "e-mail"),
        ]
    );
    assert!(!reply.body.to_string().contains(person.as_str()));

    let applicant = service.token("applicant-1", Role::Applicant);
    let forbidden = service
        .post_json(
            "/v1/registries/quality/consent-history",
            &applicant,
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(forbidden.status, 403);
    service.stop().await;
}

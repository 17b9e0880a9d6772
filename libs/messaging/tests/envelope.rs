#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The envelope's JSON shape and constructors, and settings parsing. No
//! server needed.

use std::time::Duration;

use hap_messaging::{BrokerSettings, Envelope, EnvelopeError};
use serde::Deserialize;
use uuid::Uuid;

const PINNED: &str = r#"{"id":"0190f0e4-7a3c-7cc1-8f3e-0123456789ab","type":"application.submitted","version":2,"occurred_at":"2025-03-01T12:00:00Z","correlation_id":"5b0f6c52-3c1e-4c7e-9d0e-111111111111","causation_id":"0190f0e4-0000-7000-8000-000000000001","trace":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":null},"payload":{"applicant":"Ada","registries":["cancer"]}}"#;

#[test]
fn envelope_json_shape_is_pinned() {
    let envelope = Envelope::from_json(PINNED.as_bytes()).unwrap();
    let encoded = String::from_utf8(envelope.to_json().unwrap()).unwrap();
    assert_eq!(encoded, PINNED);
}

#[test]
fn envelope_fields_decode() {
    let envelope = Envelope::from_json(PINNED.as_bytes()).unwrap();
    assert_eq!(
        envelope.id().to_string(),
        "0190f0e4-7a3c-7cc1-8f3e-0123456789ab"
    );
    assert_eq!(envelope.message_type().as_str(), "application.submitted");
    assert_eq!(envelope.version(), 2);
    assert_eq!(
        envelope.occurred_at().to_rfc3339(),
        "2025-03-01T12:00:00+00:00"
    );
    assert_eq!(
        envelope.correlation_id().to_string(),
        "5b0f6c52-3c1e-4c7e-9d0e-111111111111"
    );
    assert_eq!(
        envelope.causation_id().map(|id| id.to_string()).as_deref(),
        Some("0190f0e4-0000-7000-8000-000000000001")
    );
    assert_eq!(
        envelope.trace().traceparent.as_deref(),
        Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    );
    assert_eq!(envelope.trace().tracestate, None);
    assert_eq!(envelope.payload()["applicant"], "Ada");
}

#[test]
fn envelope_ignores_unknown_fields() {
    let with_extra = PINNED.replacen('{', r#"{"added_later":true,"#, 1);
    let envelope = Envelope::from_json(with_extra.as_bytes()).unwrap();
    assert_eq!(envelope.version(), 2);
}

#[test]
fn envelope_rejects_invalid_type_in_json() {
    let invalid = PINNED.replace("application.submitted", "application.*");
    let error = Envelope::from_json(invalid.as_bytes()).unwrap_err();
    assert!(matches!(error, EnvelopeError::Decode { .. }));
}

#[test]
fn new_fills_id_time_and_payload() {
    let correlation_id = Uuid::now_v7();
    let before = chrono::Utc::now();
    let envelope = Envelope::new(
        "application.submitted",
        1,
        correlation_id,
        &serde_json::json!({"applicant": "Ada"}),
    )
    .unwrap();

    assert_eq!(envelope.id().as_uuid().get_version_num(), 7);
    assert_eq!(envelope.message_type().as_str(), "application.submitted");
    assert_eq!(envelope.version(), 1);
    assert_eq!(envelope.correlation_id(), correlation_id);
    assert_eq!(envelope.causation_id(), None);
    assert!(envelope.occurred_at() >= before);
    assert!(envelope.occurred_at() <= chrono::Utc::now());
    assert_eq!(envelope.payload(), &serde_json::json!({"applicant": "Ada"}));
}

#[test]
fn new_rejects_invalid_message_type() {
    let error = Envelope::new("Application Submitted", 1, Uuid::now_v7(), &1).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid message type \"Application Submitted\": word \"Application Submitted\" must be a non-empty word of lowercase letters a-z, digits, '-' and '_'"
    );
}

#[test]
fn caused_by_sets_causation_id() {
    let cause = Envelope::new("application.approved", 1, Uuid::now_v7(), &1).unwrap();
    let effect = Envelope::new("legal_basis.cleared", 1, cause.correlation_id(), &2)
        .unwrap()
        .caused_by(&cause);
    assert_eq!(effect.causation_id(), Some(cause.id()));
    assert_ne!(effect.id(), cause.id());
}

#[derive(Debug, Deserialize)]
struct Submitted {
    #[allow(dead_code)]
    count: u32,
}

#[test]
fn payload_error_masks_values() {
    let envelope = Envelope::new(
        "application.submitted",
        1,
        Uuid::now_v7(),
        &serde_json::json!({"count": "14039012345"}),
    )
    .unwrap();
    let message = envelope.payload_as::<Submitted>().unwrap_err().to_string();

    assert!(
        message.starts_with(&format!(
            "payload of message {} (application.submitted) does not match envelope::Submitted:",
            envelope.id()
        )),
        "message: {message}"
    );
    assert!(!message.contains("14039012345"), "message: {message}");
}

#[test]
fn payload_as_reads_matching_payload() {
    let envelope = Envelope::new(
        "application.submitted",
        1,
        Uuid::now_v7(),
        &serde_json::json!({"count": 3}),
    )
    .unwrap();
    assert_eq!(envelope.payload_as::<Submitted>().unwrap().count, 3);
}

#[test]
fn settings_defaults_apply() {
    let settings: BrokerSettings =
        serde_json::from_str(r#"{"url": "amqp://127.0.0.1:5672/%2f"}"#).unwrap();
    assert_eq!(settings.namespace, "hap");
    assert_eq!(settings.prefetch, 16);
    assert_eq!(
        settings.retry_delays,
        vec![
            Duration::from_secs(1),
            Duration::from_secs(5),
            Duration::from_secs(30)
        ]
    );
}

#[test]
fn settings_read_durations_with_units() {
    let settings: BrokerSettings = serde_json::from_str(
        r#"{"url": "amqp://127.0.0.1:5672/%2f", "retry_delays": ["250ms", "2m"]}"#,
    )
    .unwrap();
    assert_eq!(
        settings.retry_delays,
        vec![Duration::from_millis(250), Duration::from_secs(120)]
    );
}

#[test]
fn settings_require_url() {
    let error = serde_json::from_str::<BrokerSettings>(r#"{"namespace": "hap"}"#).unwrap_err();
    assert!(error.to_string().contains("missing field `url`"));
}

#[test]
fn settings_reject_unknown_keys() {
    let error = serde_json::from_str::<BrokerSettings>(
        r#"{"url": "amqp://127.0.0.1:5672/%2f", "prefech": 4}"#,
    )
    .unwrap_err();
    assert!(error.to_string().contains("unknown field `prefech`"));
}

#[test]
fn settings_debug_redacts_password() {
    let settings = BrokerSettings::new("amqp://hap:topsecret@rabbit:5672/%2f");
    let debug = format!("{settings:?}");
    assert!(debug.contains("amqp://hap:***@rabbit:5672/%2f"));
    assert!(!debug.contains("topsecret"));
}

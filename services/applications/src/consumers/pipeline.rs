//! Follows every pipeline event, so the application shows its whole
//! timeline and its state tracks the pipeline.

use hap_contracts::events::{self, DeliveryReady, LegalBasisAssessed, StepFailed};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use serde_json::{Value, json};

use crate::domain::State;
use crate::repository;

/// The routing keys this consumer follows.
pub const ROUTING_KEYS: &[&str] = &[
    "legal_basis.*",
    "linkage.*",
    "anonymization.*",
    "delivery.*",
];

pub struct PipelineHandler;

impl Handler for PipelineHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let application_id = envelope.correlation_id();
        let event = envelope.message_type().as_str().to_owned();
        let (next_state, detail) = interpret(&event, envelope)?;
        let actor = event.split('.').next().unwrap_or("pipeline").to_owned();

        ctx.complete(|conn| {
            let Some(mut row) = repository::lock(conn, application_id)? else {
                return Err(HandlerError::permanent(format!(
                    "{event} refers to application {application_id}, which does not exist"
                )));
            };
            repository::record(conn, application_id, &event, &actor, detail)?;
            if let Some(next) = next_state {
                if next == State::InReview {
                    // A failed step returns the case to the queue for a handler.
                    row.handler = None;
                    row.claim_expires_at = None;
                }
                row.state = next.as_str().to_owned();
                repository::save(conn, &row)?;
                tracing::info!(%application_id, state = next.as_str(), "application state changed");
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// Maps an event to the state it leads to and the timeline detail.
fn interpret(event: &str, envelope: &Envelope) -> Result<(Option<State>, Value), HandlerError> {
    let result = match event {
        events::LEGAL_BASIS_ASSESSED => {
            let assessed: LegalBasisAssessed = envelope.payload_as()?;
            (None, serde_json::to_value(assessed).unwrap_or(Value::Null))
        }
        events::LEGAL_BASIS_CLEARED => (Some(State::InPreparation), json!({})),
        events::DELIVERY_READY => {
            let ready: DeliveryReady = envelope.payload_as()?;
            (
                Some(State::Delivered),
                json!({"delivery_id": ready.delivery_id, "files": ready.files, "expires_on": ready.expires_on}),
            )
        }
        events::LEGAL_BASIS_REJECTED
        | events::LINKAGE_FAILED
        | events::ANONYMIZATION_REJECTED
        | events::DELIVERY_FAILED => {
            let failed: StepFailed = envelope.payload_as()?;
            (Some(State::InReview), json!({"reason": failed.reason}))
        }
        _ => (None, summary_of(envelope.payload())),
    };
    Ok(result)
}

/// Keeps the scalar fields of a payload (counts, ids), not nested data.
fn summary_of(payload: &Value) -> Value {
    let Some(object) = payload.as_object() else {
        return json!({});
    };
    object
        .iter()
        .filter(|(_, value)| value.is_number() || value.is_string() || value.is_boolean())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

//! Follows every pipeline event, so the application shows its whole
//! timeline and its state tracks the pipeline.

use hap_contracts::events::{
    self, DeliveryReady, LegalBasisAssessed, LegalBasisCleared, StepFailed,
};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use serde_json::{Value, json};

use hap_kit::auth::Role;
use hap_messaging::outbox;

use crate::audit::{self, NewAuditEntry};
use crate::commands::{fan_out, state_changed, tracked};
use crate::domain::State;
use crate::domain::diff::diff;
use crate::domain::state::{PipelineEffect, pipeline_effect};
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
        let mut detail = interpret(&event, envelope)?;
        let actor = event.split('.').next().unwrap_or("pipeline").to_owned();

        ctx.complete(|conn| {
            let Some(mut row) = repository::lock(conn, application_id)? else {
                return Err(HandlerError::permanent(format!(
                    "{event} refers to application {application_id}, which does not exist"
                )));
            };
            let from: State = row.state.parse().map_err(HandlerError::permanent)?;
            let next = match pipeline_effect(&event) {
                PipelineEffect::Record => None,
                PipelineEffect::Move { from: expected, to } if expected.contains(&from) => Some(to),
                PipelineEffect::Move { .. } => {
                    // A late or repeated event must not move a case that
                    // left the state the event expects, such as a revoked one.
                    tracing::warn!(%application_id, %event, state = %from, "event ignored in this state");
                    detail["ignored_in_state"] = json!(from.as_str());
                    None
                }
            };
            repository::record(conn, application_id, &event, &actor, detail)?;
            let Some(next) = next else {
                return Ok(());
            };

            let before = tracked(&row);
            if next == State::InReview {
                // A failed step returns the case to the queue for a handler.
                row.handler = None;
                row.claim_expires_at = None;
            }
            row.state = next.as_str().to_owned();
            repository::save(conn, &row)?;
            audit::record(
                conn,
                NewAuditEntry {
                    application_id,
                    actor: &actor,
                    role: Role::Service.as_str(),
                    action: &event,
                    from_state: Some(from.as_str()),
                    to_state: Some(next.as_str()),
                    changes: diff(&before, &tracked(&row)),
                },
            )?;
            let changed = state_changed(application_id, from, next, &event)
                .map_err(|error| HandlerError::permanent(error.to_string()))?;
            outbox::enqueue(conn, &changed)?;
            fan_out(conn, &changed).map_err(HandlerError::transient)?;
            tracing::info!(%application_id, state = next.as_str(), "application state changed");
            Ok(())
        })?;
        Ok(())
    }
}

/// Maps an event to its timeline detail.
fn interpret(event: &str, envelope: &Envelope) -> Result<Value, HandlerError> {
    let detail = match event {
        events::LEGAL_BASIS_ASSESSED => {
            let assessed: LegalBasisAssessed = envelope.payload_as()?;
            serde_json::to_value(assessed).unwrap_or(Value::Null)
        }
        events::LEGAL_BASIS_CLEARED => {
            // The permit id lets a later revocation name the permit.
            let cleared: LegalBasisCleared = envelope.payload_as()?;
            json!({
                "permit_id": cleared.permit.permit_id,
                "valid_until": cleared.permit.valid_until,
            })
        }
        events::DELIVERY_READY => {
            let ready: DeliveryReady = envelope.payload_as()?;
            json!({"delivery_id": ready.delivery_id, "files": ready.files, "expires_on": ready.expires_on})
        }
        events::LEGAL_BASIS_REJECTED
        | events::LINKAGE_FAILED
        | events::ANONYMIZATION_REJECTED
        | events::DELIVERY_FAILED => {
            let failed: StepFailed = envelope.payload_as()?;
            json!({"reason": failed.reason})
        }
        _ => summary_of(envelope.payload()),
    };
    Ok(detail)
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

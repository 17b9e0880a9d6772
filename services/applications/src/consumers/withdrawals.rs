//! Records on the case timeline that consent was withdrawn, or an opt-out
//! recorded, for persons an issued permit did not leave out. The case
//! handler sees it there; the next permit leaves those persons out.

use hap_contracts::events::{self, ConsentWithdrawn};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use serde_json::json;

use crate::repository;

/// The routing keys this consumer follows.
pub const ROUTING_KEYS: &[&str] = &[events::CONSENT_WITHDRAWN];

pub struct WithdrawalsHandler;

impl Handler for WithdrawalsHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let withdrawn: ConsentWithdrawn = envelope.payload_as()?;
        let application_id = withdrawn.application_id;
        let detail = json!({
            "permit_id": withdrawn.permit_id,
            "application_version": withdrawn.application_version,
            "registry": withdrawn.registry,
            "persons": withdrawn.persons,
            "earliest": withdrawn.earliest,
            "latest": withdrawn.latest,
            "import_id": withdrawn.import_id,
            "effect": "the next delivery to the project leaves these persons out",
        });

        ctx.complete(|conn| {
            if repository::lock(conn, application_id)?.is_none() {
                return Err(HandlerError::permanent(format!(
                    "{} refers to application {application_id}, which does not exist",
                    events::CONSENT_WITHDRAWN
                )));
            }
            repository::record(
                conn,
                application_id,
                events::CONSENT_WITHDRAWN,
                "consent",
                detail,
            )?;
            Ok(())
        })?;
        tracing::info!(%application_id, persons = withdrawn.persons, "consent withdrawal recorded on the timeline");
        Ok(())
    }
}

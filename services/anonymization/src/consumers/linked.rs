//! Applies disclosure control to each linked dataset and releases it to the
//! work store, or returns the case with the reason when it cannot be
//! released under the profile.

use diesel::prelude::*;
use hap_contracts::events::{self, AnonymizationCompleted, LinkageCompleted, StepFailed};
use hap_kit::store::WorkStore;
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use uuid::Uuid;

use crate::profile::{ProfileError, apply};
use crate::schema::releases;
use crate::settings::AnonymizationSettings;

pub const ROUTING_KEYS: &[&str] = &[events::LINKAGE_COMPLETED];

pub struct LinkedHandler {
    pub store: WorkStore,
    pub profile: AnonymizationSettings,
}

impl Handler for LinkedHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let linked: LinkageCompleted = envelope.payload_as()?;
        let permit = &linked.permit;
        let application_id = permit.application_id;

        let stored = self
            .store
            .describe(&linked.dataset.key)
            .map_err(HandlerError::transient)?;
        if stored.sha256 != linked.dataset.sha256 {
            return Err(HandlerError::permanent(format!(
                "dataset `{}` does not match its SHA-256 in the message",
                linked.dataset.key
            )));
        }
        let path = self
            .store
            .path(&linked.dataset.key)
            .map_err(HandlerError::transient)?;
        let table = hap_dataset::read_parquet(&path).map_err(HandlerError::transient)?;

        let outcome = match apply(&table, permit.disclosure_level, &self.profile) {
            Ok(outcome) => outcome,
            Err(error @ (ProfileError::Disclosure(_) | ProfileError::UnsupportedLevel(_))) => {
                tracing::warn!(%application_id, %error, "dataset cannot be released");
                let rejected = StepFailed {
                    application_id,
                    reason: format!("disclosure control could not release the data: {error}"),
                };
                ctx.complete(|conn| {
                    emit(conn, envelope, events::ANONYMIZATION_REJECTED, &rejected)
                })?;
                return Ok(());
            }
            Err(error) => return Err(HandlerError::permanent(error.to_string())),
        };

        let prefix = format!(
            "applications/{application_id}/v{}/release",
            permit.application_version
        );
        let dataset = self
            .store
            .put_with(&format!("{prefix}/data.parquet"), |out| {
                hap_dataset::write_parquet(&outcome.table, out).map_err(std::io::Error::other)
            })
            .map_err(HandlerError::transient)?;
        let report_json = serde_json::to_value(&outcome.release.report)
            .map_err(|error| HandlerError::permanent(error.to_string()))?;
        let report = self
            .store
            .put(
                &format!("{prefix}/disclosure-report.json"),
                report_json.to_string().as_bytes(),
            )
            .map_err(HandlerError::transient)?;

        let summary = &outcome.release.report;
        let completed = AnonymizationCompleted {
            permit: permit.clone(),
            dataset: dataset.clone(),
            report,
            linkage_report: linked.report.clone(),
            k: summary.k_reached as u64,
            records_suppressed: summary.records_suppressed as u64,
            rows: summary.records_released as u64,
        };
        ctx.complete(|conn| {
            diesel::insert_into(releases::table)
                .values((
                    releases::id.eq(Uuid::now_v7()),
                    releases::application_id.eq(application_id),
                    releases::version.eq(permit.application_version),
                    releases::permit_id.eq(permit.permit_id),
                    releases::k.eq(summary.k_reached as i32),
                    releases::records_suppressed.eq(summary.records_suppressed as i64),
                    releases::rows_released.eq(summary.records_released as i64),
                    releases::dataset.eq(serde_json::to_value(&dataset).unwrap_or_default()),
                    releases::report.eq(&report_json),
                ))
                .execute(conn)?;
            emit(conn, envelope, events::ANONYMIZATION_COMPLETED, &completed)
        })?;
        tracing::info!(
            %application_id,
            k = summary.k_reached,
            suppressed = summary.records_suppressed,
            "dataset released"
        );
        Ok(())
    }
}

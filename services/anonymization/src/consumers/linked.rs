//! Applies disclosure control to each linked dataset and releases it to the
//! work store, or returns the case with the reason and the disclosure report
//! when it cannot be released under the profile. A release is published only
//! after the independent check in [`crate::profile::verify`] passes.

use diesel::prelude::*;
use hap_contracts::events::{
    self, AnonymizationCompleted, AnonymizationRejected, LinkageCompleted, Permit,
};
use hap_kit::store::WorkStore;
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use serde_json::json;
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
        tracing::info!(%application_id, permit_id = %permit.permit_id, "anonymization started");

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
            Err(error) => match self.rejection_report(&error) {
                Some(document) => return self.reject(ctx, envelope, permit, &error, &document),
                None => return Err(HandlerError::permanent(error.to_string())),
            },
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

impl LinkedHandler {
    /// Returns the document a case handler gets when `error` means the data
    /// cannot be released under the profile, or `None` for a fault that a
    /// retry or an operator must handle.
    fn rejection_report(&self, error: &ProfileError) -> Option<serde_json::Value> {
        let report = match error {
            ProfileError::Verification { report, .. } => {
                serde_json::to_value(report).unwrap_or_default()
            }
            ProfileError::Disclosure(_) | ProfileError::UnsupportedLevel(_) => {
                serde_json::Value::Null
            }
            ProfileError::Hierarchy { .. } | ProfileError::Table(_) => return None,
        };
        Some(json!({
            "released": false,
            "reason": error.to_string(),
            "profile": {
                "k": self.profile.k,
                "suppression_limit": self.profile.suppression_limit,
            },
            "report": report,
        }))
    }

    /// Publishes nothing: stores `document` next to where the release would
    /// have been and emits `anonymization.rejected`, which returns the case
    /// to a case handler.
    fn reject(
        &self,
        ctx: &mut Context<'_>,
        envelope: &Envelope,
        permit: &Permit,
        error: &ProfileError,
        document: &serde_json::Value,
    ) -> Result<(), HandlerError> {
        let application_id = permit.application_id;
        tracing::warn!(%application_id, %error, "dataset cannot be released");
        let key = format!(
            "applications/{application_id}/v{}/rejected/disclosure-report.json",
            permit.application_version
        );
        let report = self
            .store
            .put(&key, document.to_string().as_bytes())
            .map_err(HandlerError::transient)?;
        let rejected = AnonymizationRejected {
            application_id,
            reason: format!("disclosure control could not release the data: {error}"),
            report,
        };
        ctx.complete(|conn| emit(conn, envelope, events::ANONYMIZATION_REJECTED, &rejected))?;
        Ok(())
    }
}

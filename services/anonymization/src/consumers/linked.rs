//! Applies disclosure control to each linked dataset and releases it to the
//! work store, or returns the case with the reason and the disclosure report
//! when it cannot be released under the profile. Microdata are published
//! only after the independent check in [`crate::profile::verify`] passes,
//! aggregate tables only after [`hap_disclosure::ProtectedTable::verify`]
//! passes for each.

use diesel::prelude::*;
use hap_contracts::application::DisclosureLevel;
use hap_contracts::events::{
    self, AnonymizationCompleted, AnonymizationRejected, LinkageCompleted, Permit,
};
use hap_dataset::Table;
use hap_disclosure::Release;
use hap_kit::store::WorkStore;
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use serde_json::json;
use uuid::Uuid;

use crate::profile::{ProfileError, apply_altered};
use crate::schema::releases;
use crate::settings::AnonymizationSettings;
use crate::tables::{TablesError, tabulate};

pub const ROUTING_KEYS: &[&str] = &[events::LINKAGE_COMPLETED];

pub struct LinkedHandler {
    pub store: WorkStore,
    pub profile: AnonymizationSettings,
    /// Applied to each microdata release between the search and the
    /// independent check. [`keep_release`] outside tests, which pass a
    /// faulty one to prove that the check withholds what it must.
    pub alter_release: AlterRelease,
}

/// Changes a microdata release before the independent check.
pub type AlterRelease = fn(&mut Release);

/// Leaves the release as the search made it.
pub fn keep_release(_: &mut Release) {}

/// What a permit's disclosure level releases: a table, its report, and the
/// figures of `anonymization.completed`.
struct Released {
    table: hap_dataset::Table,
    report: serde_json::Value,
    /// Smallest released group for microdata, the minimum cell count for
    /// aggregate tables.
    k: u64,
    /// Records left out of microdata; 0 for aggregate tables, which
    /// suppress cells, not records (the report counts those).
    records_suppressed: u64,
}

/// The reason a linked dataset could not be released.
#[derive(Debug, thiserror::Error)]
enum ReleaseError {
    #[error("{0}")]
    Microdata(#[from] ProfileError),
    #[error("{0}")]
    Tables(#[from] TablesError),
    #[error("the disclosure report cannot be serialised: {0}")]
    Report(#[from] serde_json::Error),
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

        let released = match self.release(&table, permit.disclosure_level) {
            Ok(released) => released,
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
                hap_dataset::write_parquet(&released.table, out).map_err(std::io::Error::other)
            })
            .map_err(HandlerError::transient)?;
        let report_json = released.report;
        let report = self
            .store
            .put(
                &format!("{prefix}/disclosure-report.json"),
                report_json.to_string().as_bytes(),
            )
            .map_err(HandlerError::transient)?;

        let completed = AnonymizationCompleted {
            permit: permit.clone(),
            dataset: dataset.clone(),
            report,
            linkage_report: linked.report.clone(),
            k: released.k,
            records_suppressed: released.records_suppressed,
            rows: released.table.num_rows() as u64,
        };
        ctx.complete(|conn| {
            diesel::insert_into(releases::table)
                .values((
                    releases::id.eq(Uuid::now_v7()),
                    releases::application_id.eq(application_id),
                    releases::version.eq(permit.application_version),
                    releases::permit_id.eq(permit.permit_id),
                    releases::k.eq(completed.k as i32),
                    releases::records_suppressed.eq(completed.records_suppressed as i64),
                    releases::rows_released.eq(completed.rows as i64),
                    releases::dataset.eq(serde_json::to_value(&dataset).unwrap_or_default()),
                    releases::report.eq(&report_json),
                    releases::registries.eq(permit.registry_names()),
                ))
                .execute(conn)?;
            emit(conn, envelope, events::ANONYMIZATION_COMPLETED, &completed)
        })?;
        tracing::info!(
            %application_id,
            level = ?permit.disclosure_level,
            k = completed.k,
            suppressed = completed.records_suppressed,
            "dataset released"
        );
        Ok(())
    }
}

impl LinkedHandler {
    /// Builds the release for `level`: generalised records for microdata,
    /// protected frequency tables for the aggregate level.
    fn release(&self, table: &Table, level: DisclosureLevel) -> Result<Released, ReleaseError> {
        if level == DisclosureLevel::Aggregate {
            let outcome = tabulate(table, &self.profile)?;
            return Ok(Released {
                report: serde_json::to_value(&outcome.report)?,
                table: outcome.table,
                k: self.profile.min_cell_count,
                records_suppressed: 0,
            });
        }
        let outcome = apply_altered(table, level, &self.profile, self.alter_release)?;
        let summary = &outcome.release.report;
        Ok(Released {
            report: serde_json::to_value(summary)?,
            k: summary.k_reached as u64,
            records_suppressed: summary.records_suppressed as u64,
            table: outcome.table,
        })
    }

    /// Returns the document a case handler gets when `error` means the data
    /// cannot be released under the profile, or `None` for a fault that a
    /// retry or an operator must handle.
    fn rejection_report(&self, error: &ReleaseError) -> Option<serde_json::Value> {
        let report = match error {
            ReleaseError::Microdata(ProfileError::Verification { report, .. }) => {
                serde_json::to_value(report).unwrap_or_default()
            }
            ReleaseError::Microdata(ProfileError::Disclosure(_))
            | ReleaseError::Microdata(ProfileError::UnsupportedLevel(_)) => serde_json::Value::Null,
            ReleaseError::Tables(tables) if tables.is_rejection() => serde_json::Value::Null,
            ReleaseError::Microdata(ProfileError::Hierarchy { .. })
            | ReleaseError::Microdata(ProfileError::Table(_))
            | ReleaseError::Tables(_)
            | ReleaseError::Report(_) => return None,
        };
        Some(json!({
            "released": false,
            "reason": error.to_string(),
            "profile": {
                "k": self.profile.k,
                "suppression_limit": self.profile.suppression_limit,
                "min_cell_count": self.profile.min_cell_count,
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
        error: &ReleaseError,
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

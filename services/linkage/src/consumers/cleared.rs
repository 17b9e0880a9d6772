//! Runs the linkage when the legal basis of an application is cleared: the
//! cohort is selected, the registries linked and the identity numbers
//! replaced with the project's pseudonyms; the dataset and its report go to
//! the work store.
//!
//! The run is repeatable: a redelivered message after a crash runs it again
//! and overwrites the same objects, and only the first completed run emits
//! `linkage.completed`.

use std::path::PathBuf;
use std::time::Instant;

use diesel::prelude::*;
use hap_contracts::criteria::Registry;
use hap_contracts::events::{self, LegalBasisCleared, LinkageCompleted, StepFailed};
use hap_identity::Rules;
use hap_kit::store::WorkStore;
use hap_linkage::{LinkageError, LinkageRequest, link};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use uuid::Uuid;

use crate::exclusions::{ExclusionClient, FetchError, PermitLists};
use crate::keys::{KeyError, MasterKeys};
use crate::schema::linkage_runs;

pub const ROUTING_KEYS: &[&str] = &[events::LEGAL_BASIS_CLEARED];

pub struct ClearedHandler {
    pub store: WorkStore,
    pub registry_dir: PathBuf,
    /// The master keys the projects' pseudonym keys derive from.
    pub master_keys: MasterKeys,
    pub platform_key: Vec<u8>,
    pub rules: Rules,
    /// Fetches the persons each permit leaves out from the consent service.
    pub exclusions: ExclusionClient,
}

impl Handler for ClearedHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let cleared: LegalBasisCleared = envelope.payload_as()?;
        let permit = &cleared.permit;
        let application_id = permit.application_id;
        let started = Instant::now();
        tracing::info!(%application_id, permit_id = %permit.permit_id, "linkage run started");

        let lists = match self.fetch_exclusions(&cleared) {
            Ok(lists) => lists,
            Err(FetchError::Invalid(reason)) => {
                tracing::warn!(%application_id, %reason, "exclusions rejected");
                let failed = StepFailed {
                    application_id,
                    reason: format!("linkage failed: {reason}"),
                };
                ctx.complete(|conn| emit(conn, envelope, events::LINKAGE_FAILED, &failed))?;
                return Ok(());
            }
            Err(error @ FetchError::Unavailable(_)) => return Err(HandlerError::transient(error)),
        };
        let variables: Vec<(Registry, Vec<String>)> = permit
            .registries
            .iter()
            .map(|r| (r.registry, r.variables.clone()))
            .collect();
        let project_key = match self.master_keys.for_project(ctx.conn(), permit.project_id) {
            Ok(key) => key,
            Err(error @ KeyError::Missing { .. }) => {
                tracing::error!(%application_id, %error, "no master key for the project");
                let failed = StepFailed {
                    application_id,
                    reason: format!("linkage failed: {error}"),
                };
                ctx.complete(|conn| emit(conn, envelope, events::LINKAGE_FAILED, &failed))?;
                return Ok(());
            }
            Err(error @ KeyError::Database(_)) => return Err(HandlerError::transient(error)),
        };
        let request = LinkageRequest {
            criteria: &permit.criteria,
            variables: &variables,
            rules: self.rules,
            platform_key: &self.platform_key,
            project_key: &project_key,
            exclusions: &lists.excluded,
            consented: &lists.consented,
        };

        let output = match link(&self.registry_dir, &request) {
            Ok(output) => output,
            Err(error) if is_permanent(&error) => {
                tracing::warn!(%application_id, %error, "linkage failed");
                let failed = StepFailed {
                    application_id,
                    reason: format!("linkage failed: {error}"),
                };
                ctx.complete(|conn| emit(conn, envelope, events::LINKAGE_FAILED, &failed))?;
                return Ok(());
            }
            Err(error) => return Err(HandlerError::transient(error)),
        };

        let prefix = format!(
            "applications/{application_id}/v{}/linkage",
            permit.application_version
        );
        let dataset = self
            .store
            .put_with(&format!("{prefix}/data.parquet"), |out| {
                hap_dataset::write_parquet(&output.table, out).map_err(std::io::Error::other)
            })
            .map_err(HandlerError::transient)?;
        let report_json = serde_json::to_value(&output.report)
            .map_err(|error| HandlerError::permanent(error.to_string()))?;
        let report = self
            .store
            .put(
                &format!("{prefix}/report.json"),
                report_json.to_string().as_bytes(),
            )
            .map_err(HandlerError::transient)?;

        let duration_ms = started.elapsed().as_millis() as i64;
        let cohort_size = output.report.cohort_size;
        let completed = LinkageCompleted {
            permit: cleared.permit.clone(),
            dataset: dataset.clone(),
            report,
            cohort_size,
        };
        ctx.complete(|conn| {
            diesel::insert_into(linkage_runs::table)
                .values((
                    linkage_runs::id.eq(Uuid::now_v7()),
                    linkage_runs::application_id.eq(application_id),
                    linkage_runs::version.eq(permit.application_version),
                    linkage_runs::permit_id.eq(permit.permit_id),
                    linkage_runs::project_id.eq(permit.project_id),
                    linkage_runs::cohort_size.eq(cohort_size as i64),
                    linkage_runs::dataset.eq(serde_json::to_value(&dataset).unwrap_or_default()),
                    linkage_runs::report.eq(&report_json),
                    linkage_runs::duration_ms.eq(duration_ms),
                    linkage_runs::registries.eq(permit.registry_names()),
                ))
                .execute(conn)?;
            emit(conn, envelope, events::LINKAGE_COMPLETED, &completed)
        })?;
        tracing::info!(%application_id, cohort_size, duration_ms, "linkage run completed");
        Ok(())
    }
}

impl ClearedHandler {
    /// Fetches the exclusions of the permit over HTTP. The handler runs on a
    /// blocking thread of the runtime, so it waits for the request there.
    fn fetch_exclusions(&self, cleared: &LegalBasisCleared) -> Result<PermitLists, FetchError> {
        let fetch = self
            .exclusions
            .fetch(cleared.permit.permit_id, &cleared.exclusions);
        tokio::runtime::Handle::current().block_on(fetch)
    }
}

/// Errors that the same input repeats on every attempt: the case goes back
/// to a case handler instead of being retried.
fn is_permanent(error: &LinkageError) -> bool {
    !matches!(error, LinkageError::Read { .. })
}

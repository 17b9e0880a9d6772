//! Assesses applications on submission and again on approval; on approval
//! that passes, issues the permit and the exclusion lists for linkage.

use std::sync::Arc;

use chrono::Utc;
use hap_contracts::application::DataRequest;
use hap_contracts::events::{
    self, ApplicationApproved, ApplicationSubmitted, AssessmentStage, ExclusionList,
    LegalBasisAssessed, LegalBasisCleared, Permit, RegistryAssessment, StepFailed, Verdict,
};
use hap_kit::store::{WorkStore, hex};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use uuid::Uuid;

use crate::domain::assessment::{Claims, assess};
use crate::domain::basis::{BasisKind, RegistryBasis};
use crate::repository;

pub const ROUTING_KEYS: &[&str] = &[events::APPLICATION_SUBMITTED, events::APPLICATION_APPROVED];

pub struct ApplicationsHandler {
    pub registries: Arc<Vec<RegistryBasis>>,
    pub store: WorkStore,
}

impl Handler for ApplicationsHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        match envelope.message_type().as_str() {
            events::APPLICATION_SUBMITTED => self.on_submitted(ctx, envelope),
            events::APPLICATION_APPROVED => self.on_approved(ctx, envelope),
            other => Err(HandlerError::permanent(format!(
                "unexpected message type `{other}`"
            ))),
        }
    }
}

impl ApplicationsHandler {
    fn assess_all(
        &self,
        request: &DataRequest,
        claims: &Claims,
    ) -> Result<Vec<RegistryAssessment>, HandlerError> {
        request
            .registries
            .iter()
            .map(|requested| {
                let basis = self
                    .registries
                    .iter()
                    .find(|basis| basis.registry == requested.registry)
                    .ok_or_else(|| {
                        HandlerError::permanent(format!(
                            "registry `{}` has no legal basis configured",
                            requested.registry.name()
                        ))
                    })?;
                Ok(assess(basis, claims))
            })
            .collect()
    }

    fn on_submitted(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let submitted: ApplicationSubmitted = envelope.payload_as()?;
        let claims = Claims {
            purpose: &submitted.purpose,
            legal_basis: &submitted.legal_basis,
            level: submitted.request.disclosure_level,
            criteria: &submitted.request.criteria,
        };
        let assessed = LegalBasisAssessed {
            application_id: submitted.application_id,
            version: submitted.version,
            stage: AssessmentStage::Submission,
            registries: self.assess_all(&submitted.request, &claims)?,
        };

        ctx.complete(|conn| {
            record(conn, &assessed, "submission")?;
            emit(conn, envelope, events::LEGAL_BASIS_ASSESSED, &assessed)
        })?;
        tracing::info!(application_id = %submitted.application_id, "legal basis assessed on submission");
        Ok(())
    }

    fn on_approved(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let approved: ApplicationApproved = envelope.payload_as()?;
        let application_id = approved.application_id;
        let claims = Claims {
            purpose: &approved.purpose,
            legal_basis: &approved.legal_basis,
            level: approved.request.disclosure_level,
            criteria: &approved.request.criteria,
        };
        let assessed = LegalBasisAssessed {
            application_id,
            version: approved.version,
            stage: AssessmentStage::Approval,
            registries: self.assess_all(&approved.request, &claims)?,
        };

        let rejections: Vec<String> = assessed
            .registries
            .iter()
            .filter(|r| r.verdict == Verdict::NotPermitted)
            .flat_map(|r| {
                r.reasons
                    .iter()
                    .map(move |reason| format!("{}: {reason}", r.registry.name()))
            })
            .collect();
        if !rejections.is_empty() {
            let failed = StepFailed {
                application_id,
                reason: format!(
                    "the final legal-basis check failed: {}",
                    rejections.join("; ")
                ),
            };
            tracing::info!(%application_id, "legal basis rejected at approval");
            ctx.complete(|conn| {
                record(conn, &assessed, "approval")?;
                emit(conn, envelope, events::LEGAL_BASIS_ASSESSED, &assessed)?;
                emit(conn, envelope, events::LEGAL_BASIS_REJECTED, &failed)
            })?;
            return Ok(());
        }

        if repository::permit_exists(ctx.conn(), application_id, approved.version)? {
            tracing::warn!(%application_id, version = approved.version, "permit already issued; approval ignored");
            return Ok(());
        }
        let permit_id = Uuid::now_v7();
        let exclusions = self.write_exclusions(ctx, &approved, permit_id)?;
        let permit = Permit {
            permit_id,
            application_id,
            application_version: approved.version,
            project_id: approved.project_id,
            project_title: approved.project_title,
            purpose: approved.purpose,
            registries: approved.request.registries,
            criteria: approved.request.criteria,
            disclosure_level: approved.request.disclosure_level,
            recipients: approved.recipients,
            valid_until: approved.valid_until,
            issued_at: Utc::now(),
        };
        let cleared = LegalBasisCleared { permit, exclusions };

        ctx.complete(|conn| {
            record(conn, &assessed, "approval")?;
            repository::insert_permit(
                conn,
                cleared.permit.permit_id,
                application_id,
                approved.version,
                &to_json(&cleared.permit)?,
                &to_json(&cleared.exclusions)?,
            )?;
            emit(conn, envelope, events::LEGAL_BASIS_ASSESSED, &assessed)?;
            emit(conn, envelope, events::LEGAL_BASIS_CLEARED, &cleared)
        })?;
        tracing::info!(%application_id, "legal basis cleared, permit issued");
        Ok(())
    }

    /// Writes one exclusion list per requested consent-based registry to the
    /// work store: the hashes of persons whose consent is withdrawn. The key
    /// contains the permit id, so an issued list is never overwritten.
    fn write_exclusions(
        &self,
        ctx: &mut Context<'_>,
        approved: &ApplicationApproved,
        permit_id: Uuid,
    ) -> Result<Vec<ExclusionList>, HandlerError> {
        let today = Utc::now().date_naive();
        let mut lists = Vec::new();
        for requested in &approved.request.registries {
            let consent_based = self
                .registries
                .iter()
                .any(|b| b.registry == requested.registry && b.kind == BasisKind::ConsentBased);
            if !consent_based {
                continue;
            }
            let hashes =
                repository::withdrawn_persons(ctx.conn(), requested.registry.name(), today)?;
            let mut body = String::with_capacity(hashes.len() * 65);
            for hash in &hashes {
                body.push_str(&hex(hash));
                body.push('\n');
            }
            let key = format!(
                "applications/{}/v{}/exclusions/{permit_id}/{}.txt",
                approved.application_id,
                approved.version,
                requested.registry.name()
            );
            let object = self
                .store
                .put(&key, body.as_bytes())
                .map_err(HandlerError::transient)?;
            lists.push(ExclusionList {
                registry: requested.registry,
                object,
                count: hashes.len() as u64,
            });
        }
        Ok(lists)
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<serde_json::Value, HandlerError> {
    serde_json::to_value(value).map_err(|error| HandlerError::permanent(error.to_string()))
}

fn record(
    conn: &mut diesel::PgConnection,
    assessed: &LegalBasisAssessed,
    stage: &str,
) -> Result<(), HandlerError> {
    repository::insert_assessment(
        conn,
        assessed.application_id,
        assessed.version,
        stage,
        &to_json(assessed)?,
    )?;
    Ok(())
}

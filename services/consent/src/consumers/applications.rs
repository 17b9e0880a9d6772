//! Assesses applications on submission and again on approval; on approval
//! that passes, issues the permit and records whom it leaves out.

use std::sync::Arc;

use chrono::Utc;
use hap_contracts::application::DataRequest;
use hap_contracts::events::{
    self, ApplicationApproved, ApplicationSubmitted, AssessmentStage, ExclusionList,
    LegalBasisAssessed, LegalBasisCleared, Permit, PersonSet, RegistryAssessment, StepFailed,
    Verdict,
};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_service::emit;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::assessment::{Claims, assess};
use crate::domain::basis::{BasisKind, RegistryBasis};
use crate::domain::exclusion::{PermitScope, digest, is_excluded};
use crate::repository;
use crate::repository::history::histories;

pub const ROUTING_KEYS: &[&str] = &[events::APPLICATION_SUBMITTED, events::APPLICATION_APPROVED];

pub struct ApplicationsHandler {
    pub registries: Arc<Vec<RegistryBasis>>,
}

/// The persons a new permit leaves out of one registry, sorted, and the
/// consented persons of a consent-based registry.
struct Excluded {
    list: ExclusionList,
    hashes: Vec<[u8; 32]>,
    /// The persons with a valid consent, for a consent-based registry.
    consented: Option<Vec<[u8; 32]>>,
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
    fn basis_of(
        &self,
        registry: hap_contracts::criteria::Registry,
    ) -> Result<&RegistryBasis, HandlerError> {
        self.registries
            .iter()
            .find(|basis| basis.registry == registry)
            .ok_or_else(|| {
                HandlerError::permanent(format!(
                    "registry `{}` has no legal basis configured",
                    registry.name()
                ))
            })
    }

    fn assess_all(
        &self,
        request: &DataRequest,
        claims: &Claims,
    ) -> Result<Vec<RegistryAssessment>, HandlerError> {
        request
            .registries
            .iter()
            .map(|requested| Ok(assess(self.basis_of(requested.registry)?, claims)))
            .collect()
    }

    fn on_submitted(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let submitted: ApplicationSubmitted = envelope.payload_as()?;
        let claims = Claims {
            purpose: &submitted.purpose,
            legal_basis: &submitted.legal_basis,
            level: submitted.request.disclosure_level,
            criteria: &submitted.request.criteria,
            period_end: None,
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
            period_end: Some(approved.valid_until),
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
        let issued_at = Utc::now();
        let excluded = self.exclusions(ctx, &approved, issued_at.date_naive())?;
        let conditions = self.conditions(&approved)?;
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
            issued_at,
        };
        let exclusions = excluded.iter().map(|e| e.list.clone()).collect();
        let cleared = LegalBasisCleared { permit, exclusions };
        let mut stored = to_json(&cleared.permit)?;
        if let Value::Object(fields) = &mut stored {
            fields.insert("conditions".into(), conditions);
        }

        ctx.complete(|conn| {
            record(conn, &assessed, "approval")?;
            repository::insert_permit(
                conn,
                permit_id,
                application_id,
                approved.version,
                &stored,
                &to_json(&cleared.exclusions)?,
            )?;
            for registry in &excluded {
                let consented = registry
                    .consented
                    .as_deref()
                    .zip(registry.list.consented.as_ref())
                    .map(|(hashes, set)| (hashes, set.sha256.as_str()));
                repository::exclusions::insert_lists(
                    conn,
                    permit_id,
                    registry.list.registry,
                    (&registry.hashes, &registry.list.sha256),
                    consented,
                )?;
            }
            emit(conn, envelope, events::LEGAL_BASIS_ASSESSED, &assessed)?;
            emit(conn, envelope, events::LEGAL_BASIS_CLEARED, &cleared)
        })?;
        tracing::info!(%application_id, "legal basis cleared, permit issued");
        Ok(())
    }

    /// Computes, per requested registry that is not statutory, the persons
    /// the permit leaves out at `permit_date`, and for a consent-based
    /// registry the persons whose consent covers the project. Linkage keeps
    /// only the latter from such a registry, so a person without any
    /// recorded consent is left out as well.
    fn exclusions(
        &self,
        ctx: &mut Context<'_>,
        approved: &ApplicationApproved,
        permit_date: chrono::NaiveDate,
    ) -> Result<Vec<Excluded>, HandlerError> {
        let scope = PermitScope {
            date: permit_date,
            purpose: &approved.purpose,
            criteria: &approved.request.criteria,
        };
        let mut excluded = Vec::new();
        for requested in &approved.request.registries {
            let basis = self.basis_of(requested.registry)?;
            if !basis.kind.has_exclusions() {
                continue;
            }
            let (left_out, kept): (Vec<_>, Vec<_>) =
                histories(ctx.conn(), requested.registry.name())?
                    .into_iter()
                    .partition(|person| is_excluded(basis.kind, &person.events, &scope));
            let hashes: Vec<[u8; 32]> = left_out.into_iter().map(|p| p.person_hash).collect();
            let consented: Option<Vec<[u8; 32]>> = (basis.kind == BasisKind::ConsentBased)
                .then(|| kept.into_iter().map(|p| p.person_hash).collect());
            excluded.push(Excluded {
                list: ExclusionList {
                    registry: requested.registry,
                    count: hashes.len() as u64,
                    sha256: digest(&hashes),
                    consented: consented.as_ref().map(|hashes| PersonSet {
                        count: hashes.len() as u64,
                        sha256: digest(hashes),
                    }),
                },
                hashes,
                consented,
            });
        }
        Ok(excluded)
    }

    /// Returns the obligations the requested registries' DUO terms put on
    /// the project, per registry, for the permit.
    fn conditions(&self, approved: &ApplicationApproved) -> Result<Value, HandlerError> {
        let mut conditions = Vec::new();
        for requested in &approved.request.registries {
            let basis = self.basis_of(requested.registry)?;
            for term in &basis.duo_terms {
                if let Some(obligation) = term.obligation() {
                    conditions.push(json!({
                        "registry": basis.registry,
                        "duo_term": term,
                        "condition": obligation,
                    }));
                }
            }
        }
        Ok(Value::Array(conditions))
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

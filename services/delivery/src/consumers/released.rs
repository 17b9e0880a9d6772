//! Packages each released dataset, encrypts it to the permit's recipients
//! and the custodian, uploads it to the delivery store and records the
//! delivery.
//!
//! The delivery id is derived from the permit id, so a redelivered message
//! overwrites the same objects instead of leaving a second package behind.

use std::path::Path;

use chrono::Utc;
use diesel::prelude::*;
use hap_contracts::events::{self, AnonymizationCompleted, DeliveryReady, StepFailed};
use hap_crypt4gh::PublicKey;
use hap_kit::store::WorkStore;
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_package::{EncryptedFile, PackageInput, build_package, encrypt_package};
use hap_service::emit;
use serde_json::{Value, json};
use tokio::runtime::Handle;
use uuid::Uuid;

use crate::codebook::{Generalisations, describe};
use crate::lifecycle;
use crate::schema::{deliveries, revoked_permits};
use crate::store::DeliveryStore;

pub const ROUTING_KEYS: &[&str] = &[events::ANONYMIZATION_COMPLETED];

/// Namespace of delivery ids derived from permit ids (UUID v5).
const DELIVERY_NAMESPACE: Uuid = Uuid::from_u128(0x6b1c_55a0_5d0e_4f59_9a4e_3c1d_0f27_8e11);

pub struct ReleasedHandler {
    pub work: WorkStore,
    pub deliveries: DeliveryStore,
    /// The custodian's public key, a recipient of every package.
    pub custodian: PublicKey,
    /// The runtime the store's asynchronous calls run on.
    pub runtime: Handle,
}

impl Handler for ReleasedHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let released: AnonymizationCompleted = envelope.payload_as()?;
        let permit = &released.permit;
        let application_id = permit.application_id;
        let delivery_id = Uuid::new_v5(&DELIVERY_NAMESPACE, permit.permit_id.as_bytes());
        tracing::info!(%application_id, %delivery_id, "delivery packaging started");

        let recipients = match self.recipients(&released) {
            Ok(keys) => keys,
            Err(reason) => return reject(ctx, envelope, application_id, reason),
        };
        if is_revoked(ctx.conn(), permit.permit_id)? {
            let reason = format!(
                "permit {} was revoked before its data could be delivered",
                permit.permit_id
            );
            return reject(ctx, envelope, application_id, reason);
        }
        if lifecycle::is_past_end(permit.valid_until, Utc::now().date_naive()) {
            let reason = format!(
                "permit {} ended on {}, before its data could be delivered",
                permit.permit_id, permit.valid_until
            );
            return reject(ctx, envelope, application_id, reason);
        }

        let staging = tempfile::tempdir().map_err(HandlerError::transient)?;
        let files = self.package(&released, &recipients, staging.path())?;
        for file in &files {
            let key = format!("{}/{}", lifecycle::prefix(delivery_id), file.name);
            let source = staging.path().join("encrypted").join(&file.name);
            self.runtime
                .block_on(self.deliveries.put_file(&key, &source))
                .map_err(HandlerError::transient)?;
        }
        drop(staging);

        let file_list: Vec<Value> = files
            .iter()
            .map(|file| json!({"name": file.name, "size": file.size, "sha256": file.sha256}))
            .collect();
        let names: Vec<String> = files.iter().map(|file| file.name.clone()).collect();
        let subjects: Vec<String> = permit
            .recipients
            .iter()
            .map(|r| r.subject.clone())
            .collect();
        let registries = permit.registry_names();
        let ready = DeliveryReady {
            application_id,
            delivery_id,
            files: names,
            expires_on: permit.valid_until,
        };
        ctx.complete(|conn| {
            diesel::insert_into(deliveries::table)
                .values((
                    deliveries::id.eq(delivery_id),
                    deliveries::application_id.eq(application_id),
                    deliveries::permit_id.eq(permit.permit_id),
                    deliveries::project_id.eq(permit.project_id),
                    deliveries::recipients.eq(&subjects),
                    deliveries::files.eq(Value::Array(file_list)),
                    deliveries::expires_on.eq(permit.valid_until),
                    deliveries::registries.eq(&registries),
                ))
                .execute(conn)?;
            emit(conn, envelope, events::DELIVERY_READY, &ready)
        })?;
        tracing::info!(%application_id, %delivery_id, files = files.len(), "delivery ready");
        Ok(())
    }
}

impl ReleasedHandler {
    /// Returns the public keys of the permit's recipients and the custodian,
    /// or why the permit names no usable recipient.
    fn recipients(&self, released: &AnonymizationCompleted) -> Result<Vec<PublicKey>, String> {
        let permit = &released.permit;
        if permit.recipients.is_empty() {
            return Err(format!("permit {} names no recipient", permit.permit_id));
        }
        let mut keys = Vec::with_capacity(permit.recipients.len() + 1);
        for recipient in &permit.recipients {
            let key =
                hap_crypt4gh::validate_public_key(&recipient.public_key).map_err(|error| {
                    format!(
                        "the public key of recipient `{}` is invalid: {error}",
                        recipient.subject
                    )
                })?;
            keys.push(key);
        }
        keys.push(self.custodian);
        Ok(keys)
    }

    /// Builds the plaintext package in `staging/plain`, encrypts it into
    /// `staging/encrypted` and removes the plaintext.
    fn package(
        &self,
        released: &AnonymizationCompleted,
        recipients: &[PublicKey],
        staging: &Path,
    ) -> Result<Vec<EncryptedFile>, HandlerError> {
        let permit = &released.permit;
        let table = self.read_table(released)?;
        let disclosure_report = self.read_json(&released.report)?;
        let linkage_report = self.read_json(&released.linkage_report)?;
        let generalisations: Generalisations =
            serde_json::from_value(disclosure_report.clone()).unwrap_or_default();
        let codebook = describe(&table, &generalisations);
        let permit_json = serde_json::to_value(permit)
            .map_err(|error| HandlerError::permanent(error.to_string()))?;

        let plain = staging.join("plain");
        let encrypted = staging.join("encrypted");
        let application = permit.application_id.to_string();
        let reports = [
            ("linkage-report.json", linkage_report),
            ("disclosure-report.json", disclosure_report),
            ("permit.json", permit_json),
        ];
        let input = PackageInput {
            title: &permit.project_title,
            application_id: &application,
            table: &table,
            codebook: &codebook,
            reports: &reports,
        };
        build_package(&input, &plain)
            .map_err(|error| HandlerError::permanent(error.to_string()))?;
        let files = encrypt_package(&plain, &encrypted, recipients)
            .map_err(|error| HandlerError::transient(std::io::Error::other(error.to_string())))?;

        // Only ciphertext leaves the staging folder.
        std::fs::remove_dir_all(&plain).map_err(HandlerError::transient)?;
        Ok(files)
    }

    fn read_table(
        &self,
        released: &AnonymizationCompleted,
    ) -> Result<hap_dataset::Table, HandlerError> {
        let stored = self
            .work
            .describe(&released.dataset.key)
            .map_err(HandlerError::transient)?;
        if stored.sha256 != released.dataset.sha256 {
            return Err(HandlerError::permanent(format!(
                "dataset `{}` does not match its SHA-256 in the message",
                released.dataset.key
            )));
        }
        let path = self
            .work
            .path(&released.dataset.key)
            .map_err(HandlerError::transient)?;
        hap_dataset::read_parquet(&path).map_err(HandlerError::transient)
    }

    fn read_json(&self, object: &events::ObjectRef) -> Result<Value, HandlerError> {
        let bytes = self.work.get(object).map_err(HandlerError::transient)?;
        serde_json::from_slice(&bytes).map_err(|error| {
            HandlerError::permanent(format!("report `{}` is not JSON: {error}", object.key))
        })
    }
}

/// Emits `delivery.failed` with `reason`, which returns the case to a case handler.
fn reject(
    ctx: &mut Context<'_>,
    envelope: &Envelope,
    application_id: Uuid,
    reason: String,
) -> Result<(), HandlerError> {
    tracing::warn!(%application_id, %reason, "delivery rejected");
    let failed = StepFailed {
        application_id,
        reason,
    };
    ctx.complete(|conn| emit(conn, envelope, events::DELIVERY_FAILED, &failed))?;
    Ok(())
}

fn is_revoked(conn: &mut PgConnection, permit_id: Uuid) -> Result<bool, HandlerError> {
    let count: i64 = revoked_permits::table
        .filter(revoked_permits::permit_id.eq(permit_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

//! Packages each released dataset, encrypts it to the permit's recipients
//! and records the delivery.
//!
//! The delivery id is derived from the permit id, so a redelivered message
//! rebuilds the same folder instead of leaving a second package behind.

use std::path::PathBuf;

use diesel::prelude::*;
use hap_contracts::events::{self, AnonymizationCompleted, DeliveryReady, StepFailed};
use hap_crypt4gh::PublicKey;
use hap_kit::store::WorkStore;
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use hap_package::{PackageInput, build_package, encrypt_package};
use hap_service::emit;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::codebook::{Generalisations, describe};
use crate::schema::deliveries;

pub const ROUTING_KEYS: &[&str] = &[events::ANONYMIZATION_COMPLETED];

/// Namespace of delivery ids derived from permit ids (UUID v5).
const DELIVERY_NAMESPACE: Uuid = Uuid::from_u128(0x6b1c_55a0_5d0e_4f59_9a4e_3c1d_0f27_8e11);

pub struct ReleasedHandler {
    pub store: WorkStore,
    pub delivery_dir: PathBuf,
}

impl Handler for ReleasedHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let released: AnonymizationCompleted = envelope.payload_as()?;
        let permit = &released.permit;
        let application_id = permit.application_id;
        let delivery_id = Uuid::new_v5(&DELIVERY_NAMESPACE, permit.permit_id.as_bytes());

        let recipients: Result<Vec<PublicKey>, _> = permit
            .recipients
            .iter()
            .map(|recipient| PublicKey::from_pem(&recipient.public_key))
            .collect();
        let recipients = match recipients {
            Ok(keys) if !keys.is_empty() => keys,
            Ok(_) | Err(_) => {
                let failed = StepFailed {
                    application_id,
                    reason: "the permit names no recipient with a valid Crypt4GH public key".into(),
                };
                ctx.complete(|conn| emit(conn, envelope, events::DELIVERY_FAILED, &failed))?;
                return Ok(());
            }
        };

        let table = self.read_table(&released)?;
        let disclosure_report = self.read_json(&released.report)?;
        let linkage_report = self.read_json(&released.linkage_report)?;
        let generalisations: Generalisations =
            serde_json::from_value(disclosure_report.clone()).unwrap_or_default();
        let codebook = describe(&table, &generalisations);
        let permit_json = serde_json::to_value(permit)
            .map_err(|error| HandlerError::permanent(error.to_string()))?;

        let final_dir = self.delivery_dir.join(delivery_id.to_string());
        let staging = self.delivery_dir.join(format!(".staging-{delivery_id}"));
        let _ = std::fs::remove_dir_all(&staging);
        let plain = staging.join("plain");
        let encrypted = staging.join("encrypted");
        std::fs::create_dir_all(&plain).map_err(HandlerError::transient)?;

        let application = application_id.to_string();
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
        let files = encrypt_package(&plain, &encrypted, &recipients)
            .map_err(|error| HandlerError::transient(std::io::Error::other(error.to_string())))?;

        // Only ciphertext stays: the plaintext package is removed before the
        // encrypted one takes its final name.
        std::fs::remove_dir_all(&plain).map_err(HandlerError::transient)?;
        let _ = std::fs::remove_dir_all(&final_dir);
        std::fs::rename(&encrypted, &final_dir).map_err(HandlerError::transient)?;
        let _ = std::fs::remove_dir_all(&staging);

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
                ))
                .execute(conn)?;
            emit(conn, envelope, events::DELIVERY_READY, &ready)
        })?;
        tracing::info!(%application_id, %delivery_id, files = files.len(), "delivery ready");
        Ok(())
    }
}

impl ReleasedHandler {
    fn read_table(
        &self,
        released: &AnonymizationCompleted,
    ) -> Result<hap_dataset::Table, HandlerError> {
        let stored = self
            .store
            .describe(&released.dataset.key)
            .map_err(HandlerError::transient)?;
        if stored.sha256 != released.dataset.sha256 {
            return Err(HandlerError::permanent(format!(
                "dataset `{}` does not match its SHA-256 in the message",
                released.dataset.key
            )));
        }
        let path = self
            .store
            .path(&released.dataset.key)
            .map_err(HandlerError::transient)?;
        hap_dataset::read_parquet(&path).map_err(HandlerError::transient)
    }

    fn read_json(&self, object: &events::ObjectRef) -> Result<Value, HandlerError> {
        let bytes = self.store.get(object).map_err(HandlerError::transient)?;
        serde_json::from_slice(&bytes).map_err(|error| {
            HandlerError::permanent(format!("report `{}` is not JSON: {error}", object.key))
        })
    }
}

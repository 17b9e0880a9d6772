//! Files attached to applications (protocol, ethics approval, other
//! approvals, DPIA): checked on upload, kept in the attachment store under
//! generated keys, frozen per submitted version, and audited on every
//! upload, download and delete.
//!
//! - [`access`]: who reads and who changes attachments.
//! - [`repository`]: the metadata rows and each version's attachments.

pub mod access;
pub mod repository;

use bytes::Bytes;
use chrono::Utc;
use diesel::prelude::*;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::{PgPool, blocking};
use hap_kit::http::{ApiError, Problem};
use hap_objects::{Store, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, NewAuditEntry};
use crate::domain::attachments::AttachmentKind;
use crate::domain::files;
use crate::repository as applications;
use crate::settings::AttachmentSettings;
use repository::AttachmentRow;

/// The attachment store and the upload rules.
#[derive(Clone, Debug)]
pub struct Attachments {
    pub store: Store,
    pub settings: AttachmentSettings,
}

/// What the uploader declares about a file.
#[derive(Clone, Debug)]
pub struct Declared {
    pub kind: AttachmentKind,
    pub file_name: String,
    pub content_type: String,
}

impl Attachments {
    /// Opens the store the settings name, creating the local folder when needed.
    pub fn open(settings: &AttachmentSettings) -> Result<Attachments, StoreError> {
        let store = Store::open(settings.backend, &settings.dir, &settings.s3)?;
        Ok(Attachments {
            store,
            settings: settings.clone(),
        })
    }

    /// Checks that uploads may declare `content_type`: 415 otherwise, with
    /// the allowed types.
    pub fn check_content_type(&self, content_type: &str) -> Result<(), Problem> {
        let allowed = self.settings.allowed_content_types();
        if allowed.contains(&content_type) {
            return Ok(());
        }
        Err(Problem::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-content-type",
            format!(
                "content type `{content_type}` is not accepted for attachments; send one of {}",
                allowed.join(", ")
            ),
        )
        .with("allowed", allowed))
    }

    /// Returns the 413 problem of a file larger than the limit.
    pub fn too_large(&self, size: u64) -> Problem {
        let max = self.settings.max_bytes;
        Problem::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "attachment-too-large",
            format!("the file has {size} bytes or more; an attachment has at most {max} bytes"),
        )
        .with("max_bytes", max)
    }
}

/// Returns the generated key of an attachment's object.
pub fn object_key(application_id: Uuid, attachment_id: Uuid) -> String {
    format!("applications/{application_id}/attachments/{attachment_id}")
}

/// Returns the lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Loads application `id` and checks that `principal` may change its
/// attachments, before the upload's body is read.
pub async fn check_can_change(
    pool: &PgPool,
    principal: &Principal,
    id: Uuid,
) -> Result<(), ApiError> {
    let principal = principal.clone();
    blocking(pool, move |conn| {
        let row = applications::find(conn, id)?.ok_or_else(|| not_found(id))?;
        access::check_can_change(&row, &principal)?;
        Ok::<_, ApiError>(())
    })
    .await
}

/// Stores an uploaded file and records it on the application's draft.
///
/// The object is written first, under a new key, and its row in the
/// transaction that checks the application's state, so a file uploaded
/// while the application was submitted is deleted again.
pub async fn upload(
    pool: &PgPool,
    attachments: &Attachments,
    principal: &Principal,
    application_id: Uuid,
    declared: Declared,
    bytes: Bytes,
) -> Result<AttachmentRow, ApiError> {
    if !files::matches_signature(&declared.content_type, &bytes) {
        return Err(Problem::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-mismatch",
            format!(
                "`{}` does not start as a {} file does; send the file with its real content type",
                declared.file_name, declared.content_type
            ),
        )
        .into());
    }
    let id = Uuid::now_v7();
    let row = AttachmentRow {
        id,
        application_id,
        kind: declared.kind.as_str().to_owned(),
        file_name: declared.file_name,
        content_type: declared.content_type,
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256_hex(&bytes),
        object_key: object_key(application_id, id),
        uploaded_by: principal.subject.clone(),
        uploaded_at: Utc::now(),
        removed_at: None,
    };
    attachments
        .store
        .put_bytes(&row.object_key, bytes)
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?;

    let principal = principal.clone();
    let stored = row.clone();
    let recorded = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let application = applications::lock(conn, application_id)?
                .ok_or_else(|| not_found(application_id))?;
            access::check_can_change(&application, &principal)?;
            repository::insert(conn, &stored)?;
            record_audit(
                conn,
                &principal,
                Role::Applicant.as_str(),
                "attachment-upload",
                &application,
                &stored,
            )?;
            Ok::<_, ApiError>(())
        })
    })
    .await;
    if let Err(error) = recorded {
        delete_object(attachments, &row.object_key).await;
        return Err(error);
    }
    tracing::info!(application_id = %application_id, attachment_id = %id, kind = %row.kind, bytes = row.size_bytes, "attachment uploaded");
    Ok(row)
}

/// Removes attachment `attachment_id` from the draft. A submitted version
/// that refers to it keeps it, with its object; otherwise the row and the
/// object are deleted.
pub async fn delete(
    pool: &PgPool,
    attachments: &Attachments,
    principal: &Principal,
    application_id: Uuid,
    attachment_id: Uuid,
) -> Result<(), ApiError> {
    let principal = principal.clone();
    let unreferenced_key = blocking(pool, move |conn| {
        conn.transaction(|conn| {
            let application = applications::lock(conn, application_id)?
                .ok_or_else(|| not_found(application_id))?;
            access::check_can_change(&application, &principal)?;
            let attachment = repository::find(conn, application_id, attachment_id)?
                .filter(|row| row.removed_at.is_none())
                .ok_or_else(|| attachment_not_found(application_id, attachment_id))?;
            let key = if repository::is_frozen(conn, attachment_id)? {
                repository::mark_removed(conn, attachment_id, Utc::now())?;
                None
            } else {
                repository::delete(conn, attachment_id)?;
                Some(attachment.object_key.clone())
            };
            record_audit(
                conn,
                &principal,
                Role::Applicant.as_str(),
                "attachment-delete",
                &application,
                &attachment,
            )?;
            Ok::<_, ApiError>(key)
        })
    })
    .await?;
    if let Some(key) = unreferenced_key {
        delete_object(attachments, &key).await;
    }
    tracing::info!(application_id = %application_id, attachment_id = %attachment_id, "attachment deleted");
    Ok(())
}

/// Reads attachment `attachment_id` for `principal`, checks its bytes
/// against the recorded SHA-256 and records the download.
pub async fn download(
    pool: &PgPool,
    attachments: &Attachments,
    principal: &Principal,
    application_id: Uuid,
    attachment_id: Uuid,
) -> Result<(AttachmentRow, Bytes), ApiError> {
    let reader = principal.clone();
    let (application, role, attachment) = blocking(pool, move |conn| {
        let application =
            applications::find(conn, application_id)?.ok_or_else(|| not_found(application_id))?;
        let role = access::read_role(&application, &reader)?;
        let attachment = repository::find(conn, application_id, attachment_id)?
            .ok_or_else(|| attachment_not_found(application_id, attachment_id))?;
        Ok::<_, ApiError>((application, role, attachment))
    })
    .await?;

    let bytes = attachments
        .store
        .get_bytes(&attachment.object_key)
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    if sha256_hex(&bytes) != attachment.sha256 {
        return Err(ApiError::Internal(format!(
            "attachment {attachment_id} of application {application_id}: the stored object `{}` does not match its recorded SHA-256",
            attachment.object_key
        )));
    }

    let principal = principal.clone();
    let recorded = attachment.clone();
    blocking(pool, move |conn| {
        record_audit(
            conn,
            &principal,
            role.as_str(),
            "attachment-download",
            &application,
            &recorded,
        )?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok((attachment, bytes))
}

fn record_audit(
    conn: &mut PgConnection,
    principal: &Principal,
    role: &str,
    action: &str,
    application: &applications::ApplicationRow,
    attachment: &AttachmentRow,
) -> QueryResult<()> {
    audit::record(
        conn,
        NewAuditEntry {
            application_id: application.id,
            actor: &principal.subject,
            role,
            action,
            from_state: Some(&application.state),
            to_state: Some(&application.state),
            changes: json!({"attachment": {
                "id": attachment.id,
                "kind": attachment.kind,
                "file_name": attachment.file_name,
                "content_type": attachment.content_type,
                "size_bytes": attachment.size_bytes,
                "sha256": attachment.sha256,
            }}),
        },
    )
}

/// Deletes an object no row refers to. A failure leaves an orphan object,
/// which is logged with its key.
async fn delete_object(attachments: &Attachments, key: &str) {
    if let Err(error) = attachments.store.delete(key).await {
        tracing::error!(%error, key, "deleting an attachment object failed; the object is left without a row");
    }
}

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(format!("application {id} does not exist"))
}

fn attachment_not_found(application_id: Uuid, attachment_id: Uuid) -> Problem {
    Problem::not_found(format!(
        "attachment {attachment_id} of application {application_id} does not exist"
    ))
}

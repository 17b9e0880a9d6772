//! Adding a recipient to a delivery after it was made: each encrypted file
//! gets header packets for the new key, opened with the custodian key, and
//! its data segments are copied unchanged.

use std::path::Path;

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use hap_crypt4gh::{PublicKey, SecretKey};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tracing::Instrument;
use uuid::Uuid;

use super::deliveries::load;
use crate::lifecycle;
use crate::recipient_lock::RecipientLock;
use crate::schema::{deliveries, delivery_events};
use crate::startup::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecipient {
    /// The recipient's `sub` claim.
    subject: String,
    /// The recipient's Crypt4GH public key file.
    public_key: String,
}

/// `POST /v1/deliveries/{id}/recipients`: adds a recipient, for case
/// handlers and deciders. Returns 422 for a malformed key. Additions to one
/// delivery run one after the other, under [`RecipientLock`].
#[utoipa::path(
    post,
    path = "/v1/deliveries/{id}/recipients",
    operation_id = "addRecipient",
    tag = "deliveries",
    params(("id" = Uuid, Path, description = "The delivery id")),
    request_body(content = NewRecipient, description = "The recipient's subject and Crypt4GH public key"),
    responses(
        (status = 200, description = "The delivery with the new recipient, whose key can now open every file", body = super::openapi::DeliveryBody),
        (status = 400, description = "Invalid JSON body, an empty subject or a delivery id that is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler or decider role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The subject is already a recipient", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "The delivery expired or was revoked and its files were deleted", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The public key is not a Crypt4GH public key", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn add(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: web::Json<NewRecipient>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let subject = body.subject.trim().to_owned();
    if subject.is_empty() {
        return Err(
            Problem::bad_request("invalid-recipient", "`subject` must not be empty").into(),
        );
    }
    let key = hap_crypt4gh::validate_public_key(&body.public_key).map_err(|error| {
        Problem::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-public-key",
            format!("the public key of `{subject}` is invalid: {error}"),
        )
    })?;
    let delivery_id = id.into_inner();
    let actor = principal.subject;
    // The addition runs as a task of its own, in the request's span, so a
    // client that disconnects does not stop it between rewriting the files
    // and recording them.
    let addition = async move {
        let lock = RecipientLock::acquire(&state.pool, delivery_id).await?;
        let added = add_locked(&state, delivery_id, subject, key, actor).await;
        // The addition's own outcome is the response, and a failed unlock
        // is logged.
        if let Err(error) = lock.release().await {
            tracing::error!(%delivery_id, %error, "releasing the recipient lock failed");
        }
        added
    };
    actix_web::rt::spawn(addition.instrument(tracing::Span::current()))
        .await
        .map_err(|error| ApiError::Internal(format!("adding a recipient stopped: {error}")))?
}

/// Adds `subject` with `key` to the delivery, under its recipient lock.
async fn add_locked(
    state: &AppState,
    delivery_id: Uuid,
    subject: String,
    key: PublicKey,
    actor: String,
) -> Result<HttpResponse, ApiError> {
    let delivery = load(state, delivery_id).await?;
    if let Some(gone) = delivery.gone() {
        return Err(gone.into());
    }
    if delivery.recipients.contains(&subject) {
        return Err(Problem::conflict(
            "recipient-exists",
            format!(
                "`{subject}` is already a recipient of delivery {}",
                delivery.id
            ),
        )
        .into());
    }

    let mut files = Vec::new();
    for file in delivery.files.as_array().into_iter().flatten() {
        let name = file["name"].as_str().unwrap_or_default().to_owned();
        let (size, sha256) = reencrypt_object(state, delivery.id, &name, key).await?;
        files.push(json!({"name": name, "size": size, "sha256": sha256}));
    }

    let mut recipients = delivery.recipients.clone();
    recipients.push(subject.clone());
    let event_detail = json!({"subject": subject, "files": files.len()});
    let event_actor = actor.clone();
    blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            diesel::update(deliveries::table.find(delivery_id))
                .set((
                    deliveries::recipients.eq(&recipients),
                    deliveries::files.eq(Value::Array(files)),
                ))
                .execute(conn)?;
            diesel::insert_into(delivery_events::table)
                .values((
                    delivery_events::delivery_id.eq(delivery_id),
                    delivery_events::event.eq("recipient-added"),
                    delivery_events::actor.eq(&event_actor),
                    delivery_events::detail.eq(event_detail),
                ))
                .execute(conn)
        })?;
        Ok::<_, ApiError>(())
    })
    .await?;
    tracing::info!(%delivery_id, added_by = %actor, "recipient added");

    let delivery = load(state, delivery_id).await?;
    Ok(HttpResponse::Ok().json(delivery))
}

/// Rewrites the header of one stored file for `key` and returns the new
/// size and SHA-256.
async fn reencrypt_object(
    state: &AppState,
    delivery_id: Uuid,
    name: &str,
    key: PublicKey,
) -> Result<(u64, String), ApiError> {
    let internal = |error: &dyn std::fmt::Display| ApiError::Internal(error.to_string());
    let object_key = format!("{}/{name}", lifecycle::prefix(delivery_id));
    let staging = tempfile::tempdir().map_err(|error| internal(&error))?;
    let original = staging.path().join("original");
    let rewritten = staging.path().join("rewritten");
    state
        .store
        .download_to(&object_key, &original)
        .await
        .map_err(|error| internal(&error))?;

    let custodian = state.custodian.clone();
    let (source, target) = (original.clone(), rewritten.clone());
    let sha256 =
        tokio::task::spawn_blocking(move || rewrite_header(&source, &target, &custodian, key))
            .await
            .map_err(|error| internal(&error))?
            .map_err(|error| internal(&error))?;

    let size = state
        .store
        .put_file(&object_key, &rewritten)
        .await
        .map_err(|error| internal(&error))?;
    Ok((size, sha256))
}

/// Writes `source` with header packets added for `key` into `target` and
/// returns the SHA-256 of `target`.
fn rewrite_header(
    source: &Path,
    target: &Path,
    custodian: &SecretKey,
    key: PublicKey,
) -> Result<String, std::io::Error> {
    let reader = std::io::BufReader::new(std::fs::File::open(source)?);
    let mut writer = std::io::BufWriter::new(std::fs::File::create(target)?);
    hap_crypt4gh::reencrypt_header(reader, &mut writer, custodian, &[key], None)
        .map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(target)?, &mut hasher)?;
    Ok(data_encoding::HEXLOWER.encode(&hasher.finalize()))
}

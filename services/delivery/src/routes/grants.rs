//! Download grants: a short-lived token that lets one recipient download
//! the files of one delivery. Only the token's SHA-256 is stored.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use diesel::prelude::*;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use rand::RngCore;
use rand::rngs::OsRng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::deliveries::load;
use crate::schema::{delivery_events, download_grants};
use crate::startup::AppState;

/// Random bytes in a grant token.
const TOKEN_BYTES: usize = 32;

/// A grant that was found valid for a download.
pub struct ValidGrant {
    pub id: Uuid,
    pub subject: String,
}

/// Returns the lowercase hex SHA-256 of a token, as stored.
fn token_digest(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// `POST /v1/deliveries/{id}/grants`: a grant for the caller, who must be a
/// recipient named in the permit. Returns the token once, its expiry and a
/// download URL per file.
#[utoipa::path(
    post,
    path = "/v1/deliveries/{id}/grants",
    operation_id = "createDownloadGrant",
    tag = "deliveries",
    params(("id" = Uuid, Path, description = "The delivery id")),
    responses(
        (status = 201, description = "A grant for the caller: the token, shown only once, its expiry and a download URL per file", body = super::openapi::GrantBody),
        (status = 400, description = "The delivery id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not a recipient of the delivery", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "The delivery expired or was revoked and its files were deleted", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let delivery = load(&state, id.into_inner()).await?;
    if !delivery.recipients.contains(&principal.subject) {
        tracing::warn!(delivery_id = %delivery.id, subject = %principal.subject, "download grant rejected: the caller is not a recipient");
        return Err(Problem::forbidden(
            "only recipients named in the permit may download this delivery",
        )
        .into());
    }
    if let Some(gone) = delivery.gone() {
        return Err(gone.into());
    }

    let mut random = [0_u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut random);
    let token = BASE64URL_NOPAD.encode(&random);
    let grant_id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::seconds(i64::from(state.grant_seconds));
    let (delivery_id, subject, digest) =
        (delivery.id, principal.subject.clone(), token_digest(&token));
    // The grant and its `grant-issued` event, which auditors read in the
    // delivery's events, commit together.
    blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            diesel::insert_into(download_grants::table)
                .values((
                    download_grants::id.eq(grant_id),
                    download_grants::delivery_id.eq(delivery_id),
                    download_grants::subject.eq(&subject),
                    download_grants::token_sha256.eq(&digest),
                    download_grants::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            diesel::insert_into(delivery_events::table)
                .values((
                    delivery_events::delivery_id.eq(delivery_id),
                    delivery_events::event.eq("grant-issued"),
                    delivery_events::actor.eq(&subject),
                    delivery_events::detail
                        .eq(json!({"grant_id": grant_id, "expires_at": expires_at})),
                ))
                .execute(conn)
        })?;
        Ok::<_, ApiError>(())
    })
    .await?;
    tracing::info!(%delivery_id, %grant_id, subject = %principal.subject, "download grant issued");

    let files: Vec<Value> = delivery
        .files
        .as_array()
        .into_iter()
        .flatten()
        .map(|file| {
            let name = file["name"].as_str().unwrap_or_default();
            json!({
                "name": name,
                "size": file["size"],
                "sha256": file["sha256"],
                "url": format!("/v1/deliveries/{delivery_id}/files/{name}?grant={token}"),
            })
        })
        .collect();
    Ok(HttpResponse::Created().json(json!({
        "grant_id": grant_id,
        "delivery_id": delivery_id,
        "token": token,
        "expires_at": expires_at,
        "files": files,
    })))
}

/// Checks `token` for a download from `delivery_id`: it must exist, belong
/// to that delivery and not have expired. Every failure is 403 with a reason
/// that reveals nothing about other grants.
pub async fn check(
    state: &AppState,
    delivery_id: Uuid,
    token: Option<&str>,
) -> Result<ValidGrant, ApiError> {
    let Some(token) = token.filter(|token| !token.is_empty()) else {
        return Err(Problem::forbidden(format!(
            "a download needs a grant: request one with POST /v1/deliveries/{delivery_id}/grants and pass its token as `?grant=`"
        ))
        .into());
    };
    let digest = token_digest(token);
    let found: Option<(Uuid, Uuid, String, DateTime<Utc>)> = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(
            download_grants::table
                .filter(download_grants::token_sha256.eq(&digest))
                .select((
                    download_grants::id,
                    download_grants::delivery_id,
                    download_grants::subject,
                    download_grants::expires_at,
                ))
                .first(conn)
                .optional()?,
        )
    })
    .await?;
    match found {
        Some((id, granted_for, subject, expires_at))
            if granted_for == delivery_id && expires_at > Utc::now() =>
        {
            Ok(ValidGrant { id, subject })
        }
        Some((_, granted_for, _, _)) if granted_for == delivery_id => {
            Err(Problem::forbidden("the download grant has expired; request a new one").into())
        }
        _ => Err(Problem::forbidden(format!(
            "the download grant is not valid for delivery {delivery_id}"
        ))
        .into()),
    }
}

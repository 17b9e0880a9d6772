use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::reads;
use crate::audit::{self, NewAuditEntry};
use crate::notes;
use crate::repository;
use crate::startup::AppState;

/// Maximum note size accepted, in bytes.
const MAX_NOTE_BYTES: usize = 20_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    body: String,
}

/// Returns the role under which `principal` may work with internal notes.
/// Applicants never read them, even on a case they also handle.
fn staff_role(principal: &Principal) -> Result<Role, Problem> {
    [Role::CaseHandler, Role::Decider, Role::Auditor]
        .into_iter()
        .find(|role| principal.has(*role))
        .ok_or_else(|| {
            Problem::forbidden("internal notes need the case-handler, decider or auditor role")
        })
}

/// `POST /v1/applications/{id}/notes`: adds an internal note for case work.
#[utoipa::path(
    post,
    path = "/v1/applications/{id}/notes",
    operation_id = "addNote",
    tag = "case work",
    params(
        ("id" = Uuid, Path, description = "The application id"),
    ),
    request_body(content = Object, description = "body: the note text"),
    responses(
        (status = 201, description = "The note", body = Object),
        (status = 400, description = "Empty or too long", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or the caller applied for the case", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn add(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: web::Json<NoteInput>,
) -> Result<HttpResponse, ApiError> {
    let role = staff_role(&principal)?;
    if role == Role::Auditor {
        return Err(Problem::forbidden("auditors read notes but do not write them").into());
    }
    let id = id.into_inner();
    let text = body.into_inner().body;
    if text.trim().is_empty() || text.len() > MAX_NOTE_BYTES {
        return Err(Problem::bad_request(
            "invalid-note",
            format!(
                "a note has 1 to {MAX_NOTE_BYTES} bytes; this one has {}",
                text.len()
            ),
        )
        .into());
    }

    let note = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = repository::lock(conn, id)?
                .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
            if row.applicant == principal.subject {
                return Err(Problem::forbidden(
                    "you applied for this application, so you cannot write its internal notes",
                )
                .into());
            }
            let note = notes::insert(conn, id, &principal.subject, &text)?;
            audit::record(
                conn,
                NewAuditEntry {
                    application_id: id,
                    actor: &principal.subject,
                    role: role.as_str(),
                    action: "note",
                    from_state: Some(&row.state),
                    to_state: Some(&row.state),
                    changes: json!({"note_id": note.id, "bytes": text.len()}),
                },
            )?;
            Ok::<_, ApiError>(note)
        })
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(note))
}

/// `GET /v1/applications/{id}/notes`: the internal notes, oldest first.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/notes",
    operation_id = "listNotes",
    tag = "case work",
    params(
        ("id" = Uuid, Path, description = "The application id"),
    ),
    responses(
        (status = 200, description = "The internal notes, oldest first", body = Object),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or the caller applied for the case", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    staff_role(&principal)?;
    let id = id.into_inner();
    let (row, items) = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>((repository::find(conn, id)?, notes::list(conn, id)?))
    })
    .await?;
    let row = row.ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
    if row.applicant == principal.subject {
        return Err(Problem::forbidden(
            "you applied for this application, so you cannot read its internal notes",
        )
        .into());
    }
    reads::record(&state.pool, &row, &principal, "notes").await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

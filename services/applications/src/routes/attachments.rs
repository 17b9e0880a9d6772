use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::BytesMut;
use futures::StreamExt;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::attachments::{self, Attachments, Declared, access, repository};
use crate::domain::attachments::AttachmentKind;
use crate::domain::files;
use crate::repository as applications;
use crate::startup::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    kind: String,
    file_name: String,
}

/// `POST /v1/applications/{id}/attachments?kind=..&file_name=..` with the
/// file as the body and its type as `Content-Type`.
#[utoipa::path(
    post,
    path = "/v1/applications/{id}/attachments",
    operation_id = "uploadAttachment",
    tag = "attachments",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("kind" = String, Query, description = "protocol, ethics-approval, other-approval or dpia"),
        ("file_name" = String, Query, description = "The file's name, without folders; shown and sent back on download"),
    ),
    request_body(content = Vec<u8>, description = "The file. Content-Type is one of attachments.content_types (PDF, DOCX, ODT, PNG, JPEG by default), and the file must start as that type does", content_type = "application/pdf"),
    responses(
        (status = 201, description = "The attachment: id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at", body = Object),
        (status = 400, description = "Unknown kind, an unsafe file name, or an id in the path that is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Only the applicant who owns the application uploads", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id is visible to the caller", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The application is neither a draft nor returned", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than attachments.max_bytes", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The content type is not allowed, or the file does not start as that type does", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn upload(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    query: web::Query<UploadQuery>,
    request: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    let kind: AttachmentKind = query
        .kind
        .parse()
        .map_err(|error: String| Problem::bad_request("invalid-kind", error))?;
    let file_name = files::check_file_name(&query.file_name)
        .map_err(|error| Problem::bad_request("invalid-file-name", error))?
        .to_owned();
    let content_type = media_type(&request);
    state.attachments.check_content_type(&content_type)?;
    attachments::check_can_change(&state.pool, &principal, id).await?;

    let bytes = read_limited(&state.attachments, &request, payload).await?;
    let declared = Declared {
        kind,
        file_name,
        content_type,
    };
    let row = attachments::upload(
        &state.pool,
        &state.attachments,
        &principal,
        id,
        declared,
        bytes,
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(row))
}

/// Returns the media type of the request's `Content-Type`, lowercase and
/// without parameters; empty when the header is missing.
fn media_type(request: &HttpRequest) -> String {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the body, rejecting it with 413 as soon as it is larger than
/// `attachments.max_bytes`, or before reading when `Content-Length` says so.
async fn read_limited(
    attachments: &Attachments,
    request: &HttpRequest,
    mut payload: web::Payload,
) -> Result<bytes::Bytes, ApiError> {
    let max = attachments.settings.max_bytes;
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = declared_length.filter(|length| *length > max) {
        return Err(attachments.too_large(length).into());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            Problem::bad_request("invalid-body", format!("reading the file failed: {error}"))
        })?;
        if (body.len() + chunk.len()) as u64 > max {
            return Err(attachments
                .too_large((body.len() + chunk.len()) as u64)
                .into());
        }
        body.extend_from_slice(&chunk);
    }
    if body.is_empty() {
        return Err(Problem::bad_request(
            "empty-file",
            "the file is empty; send its bytes as the body",
        )
        .into());
    }
    Ok(body.freeze())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    version: Option<i32>,
}

/// `GET /v1/applications/{id}/attachments`: the draft's attachments, or
/// with `version` those a submitted version refers to.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/attachments",
    operation_id = "listAttachments",
    tag = "attachments",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("version" = Option<i32>, Query, description = "A submitted version; without it, the attachments of the editable application"),
    ),
    responses(
        (status = 200, description = "items: the attachments, oldest first", body = Object),
        (status = 400, description = "An id in the path is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner, a case handler, a decider or an auditor", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id is visible to the caller", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = query.version;
    let items = blocking(&state.pool, move |conn| {
        let application = applications::find(conn, id)?
            .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
        access::read_role(&application, &principal)?;
        let items = match version {
            None => repository::list_current(conn, id)?,
            Some(version) => {
                if applications::find_version(conn, id, version)?.is_none() {
                    return Err(Problem::not_found(format!(
                        "application {id} has no submitted version {version}"
                    ))
                    .into());
                }
                repository::list_version(conn, id, version)?
            }
        };
        Ok::<_, ApiError>(items)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

/// `GET /v1/applications/{id}/attachments/{attachment_id}`: the file.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/attachments/{attachment_id}",
    operation_id = "downloadAttachment",
    tag = "attachments",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("attachment_id" = Uuid, Path, description = "The attachment id"),
    ),
    responses(
        (status = 200, description = "The file, with its content type, its name in Content-Disposition and its SHA-256 in X-Content-SHA256", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 400, description = "An id in the path is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner, a case handler, a decider or an auditor", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application or attachment", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn download(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let (row, bytes) = attachments::download(
        &state.pool,
        &state.attachments,
        &principal,
        id,
        attachment_id,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.as_str())
        .insert_header(disposition(&row.file_name))
        .insert_header(("x-content-sha256", row.sha256.as_str()))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(bytes))
}

/// Builds `Content-Disposition: attachment` with an ASCII `filename` and,
/// for a name with other characters, the UTF-8 `filename*` (RFC 6266).
fn disposition(file_name: &str) -> ContentDisposition {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii)];
    if !file_name.is_ascii() {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file_name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// `DELETE /v1/applications/{id}/attachments/{attachment_id}`
#[utoipa::path(
    delete,
    path = "/v1/applications/{id}/attachments/{attachment_id}",
    operation_id = "deleteAttachment",
    tag = "attachments",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("attachment_id" = Uuid, Path, description = "The attachment id"),
    ),
    responses(
        (status = 204, description = "Removed from the application; submitted versions that refer to it keep it"),
        (status = 400, description = "An id in the path is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Only the applicant who owns the application deletes", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application or attachment", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The application is neither a draft nor returned", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn delete(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    attachments::delete(
        &state.pool,
        &state.attachments,
        &principal,
        id,
        attachment_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem, check_name};
use serde::Deserialize;
use uuid::Uuid;

use super::deliveries::load;
use super::grants;
use super::range::{RangeRequest, interpret};
use crate::lifecycle;
use crate::schema::downloads;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct DownloadQuery {
    grant: Option<String>,
}

/// `GET /v1/deliveries/{id}/files/{name}?grant=`: one encrypted file, for
/// the recipient a download grant was issued to. A `Range` header resumes
/// an interrupted download. Every download is logged with who, when, which
/// file, the first byte and the number of bytes in the response, before
/// the body is sent.
#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}/files/{name}",
    operation_id = "downloadFile",
    tag = "deliveries",
    params(
        ("id" = Uuid, Path, description = "The delivery id"),
        ("name" = String, Path, description = "The file name, as listed in the delivery"),
        ("grant" = Option<String>, Query, description = "The token of a download grant for the caller"),
        ("Range" = Option<String>, Header, description = "One byte range, such as `bytes=1000-`, to resume a download"),
        ("If-Range" = Option<String>, Header, description = "The ETag of the file; a stale one gets the whole file"),
    ),
    responses(
        (status = 200, description = "The whole encrypted file", body = [u8], content_type = "application/octet-stream"),
        (status = 206, description = "The byte range the Range header requested, with Content-Range", body = [u8], content_type = "application/octet-stream"),
        (status = 400, description = "The delivery id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The grant is missing, expired or for another delivery, or its subject is no longer a recipient", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id, or no file with this name in it", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "The delivery expired or was revoked and its files were deleted", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 416, description = "The range starts beyond the end of the file; Content-Range gives the size"),
    ),
)]
pub async fn file(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(Uuid, String)>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    check_name("file name", &name)?;
    let grant = grants::check(&state, id, query.grant.as_deref()).await?;
    let delivery = load(&state, id).await?;
    if !delivery.recipients.contains(&grant.subject) {
        return Err(Problem::forbidden(
            "only recipients named in the permit may download this delivery",
        )
        .into());
    }
    if let Some(gone) = delivery.gone() {
        return Err(gone.into());
    }
    let Some(listed) = delivery.file(&name) else {
        return Err(Problem::not_found(format!("delivery {id} has no file `{name}`")).into());
    };
    let size = listed["size"].as_u64().unwrap_or_default();
    let etag = format!("\"{}\"", listed["sha256"].as_str().unwrap_or_default());

    let header_text = |name| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let range = match interpret(
        header_text(header::RANGE),
        header_text(header::IF_RANGE),
        size,
        &etag,
    ) {
        RangeRequest::Whole => None,
        RangeRequest::Partial(range) => Some(range),
        RangeRequest::Unsatisfiable => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish());
        }
    };

    let key = format!("{}/{name}", lifecycle::prefix(id));
    let object = state
        .store
        .get(&key, range.clone())
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?;

    let bytes = range.as_ref().map_or(size, |range| range.end - range.start);
    let range_start = range.as_ref().map(|range| range.start as i64);
    let (subject, file) = (grant.subject.clone(), name.clone());
    blocking(&state.pool, move |conn| {
        diesel::insert_into(downloads::table)
            .values((
                downloads::delivery_id.eq(id),
                downloads::subject.eq(&subject),
                downloads::file.eq(&file),
                downloads::range_start.eq(range_start),
                downloads::bytes.eq(bytes as i64),
                downloads::grant_id.eq(grant.id),
            ))
            .execute(conn)?;
        Ok::<_, ApiError>(())
    })
    .await?;
    tracing::info!(delivery_id = %id, subject = %grant.subject, file = %name, bytes, "download started");

    let mut response = match &range {
        Some(range) => {
            let mut builder = HttpResponse::build(StatusCode::PARTIAL_CONTENT);
            builder.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", range.start, range.end - 1),
            ));
            builder
        }
        None => HttpResponse::Ok(),
    };
    Ok(response
        .content_type(mime::APPLICATION_OCTET_STREAM)
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .no_chunking(bytes)
        .streaming(object.into_stream()))
}

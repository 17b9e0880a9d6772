use actix_files::NamedFile;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use uuid::Uuid;

use super::deliveries::find;
use crate::schema::downloads;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `GET /v1/deliveries/{id}/files/{name}`: one encrypted file, for a
/// recipient named in the permit. Range requests resume an interrupted
/// download. Every download is logged with who, when, which file and bytes.
pub async fn file(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let delivery = blocking(&state.pool, move |conn| Ok::<_, ApiError>(find(conn, id)?))
        .await?
        .ok_or_else(|| Problem::not_found(format!("delivery {id} does not exist")))?;
    if !delivery.recipients.contains(&principal.subject) {
        tracing::warn!(delivery_id = %id, subject = %principal.subject, "download rejected: the caller is not a recipient");
        return Err(Problem::forbidden(
            "only recipients named in the permit may download this delivery",
        )
        .into());
    }
    let listed = delivery.files.as_array().is_some_and(|files| {
        files
            .iter()
            .any(|f| f.get("name").and_then(|n| n.as_str()) == Some(&name))
    });
    if !listed {
        return Err(Problem::not_found(format!("delivery {id} has no file `{name}`")).into());
    }

    let path = state.delivery_dir.join(id.to_string()).join(&name);
    let file = NamedFile::open_async(&path).await.map_err(|error| {
        ApiError::Internal(format!(
            "delivery file {} could not be opened: {error}",
            path.display()
        ))
    })?;
    let size = file.metadata().len() as i64;
    let (range_start, bytes) = requested_range(&request, size);
    let response = file
        .set_content_type(mime_octet_stream())
        .set_content_disposition(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name.clone())],
        })
        .into_response(&request);

    if response.status().is_success() {
        let subject = principal.subject.clone();
        blocking(&state.pool, move |conn| {
            diesel::insert_into(downloads::table)
                .values((
                    downloads::delivery_id.eq(id),
                    downloads::subject.eq(&subject),
                    downloads::file.eq(&name),
                    downloads::range_start.eq(range_start),
                    downloads::bytes.eq(bytes),
                ))
                .execute(conn)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    }
    Ok(response)
}

fn mime_octet_stream() -> mime::Mime {
    mime::APPLICATION_OCTET_STREAM
}

/// Returns the start and length of a single `bytes=` range, or the whole file.
fn requested_range(request: &HttpRequest, size: i64) -> (Option<i64>, i64) {
    let Some(range) = request
        .headers()
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("bytes="))
    else {
        return (None, size);
    };
    let Some((start, end)) = range.split_once('-') else {
        return (None, size);
    };
    match (start.parse::<i64>(), end.parse::<i64>()) {
        (Ok(start), Ok(end)) => (Some(start), (end.min(size - 1) - start + 1).max(0)),
        (Ok(start), Err(_)) => (Some(start), (size - start).max(0)),
        (Err(_), Ok(suffix)) => (Some((size - suffix).max(0)), suffix.min(size)),
        _ => (None, size),
    }
}

use actix_web::{HttpResponse, web};
use hap_kit::db::blocking;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `GET /v1/applications/{id}/assessments`: every legal-basis assessment, oldest first.
pub async fn assessments(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::assessments_of(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"application_id": id, "items": items})))
}

/// `GET /v1/applications/{id}/permits`: the permits issued, one per
/// approved version, each with its conditions and, per registry, the count
/// and SHA-256 digest of the persons it leaves out.
pub async fn permits(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::permits_of(conn, id)?)
    })
    .await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|(mut permit, exclusions)| {
            if let Value::Object(fields) = &mut permit {
                fields.insert("exclusions".into(), exclusions);
            }
            permit
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"application_id": id, "items": items})))
}

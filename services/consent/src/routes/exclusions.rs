use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use hap_kit::store::hex;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::repository::access_log::{self, Action, NewAccess};
use crate::repository::exclusions::{PersonList, lists_of};
use crate::startup::AppState;

/// `GET /v1/permits/{permit_id}/exclusions`: per registry, the hashes of
/// the persons the permit leaves out, with their count and digest, and for
/// a consent-based registry under `consented` the persons whose data it may
/// use. Only platform services (the `service` role) may read them, and each
/// read is recorded in the access log.
#[utoipa::path(
    get,
    path = "/v1/permits/{permit_id}/exclusions",
    operation_id = "getPermitExclusions",
    tag = "permits",
    params(("permit_id" = Uuid, Path, description = "The permit id")),
    responses(
        (status = 200, description = "Per registry, the hashes of the persons the permit leaves out, with their count and digest", body = super::openapi::PermitExclusions),
        (status = 400, description = "The permit id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No permit with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn exclusions(
    state: web::Data<AppState>,
    principal: Principal,
    permit_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let permit_id = permit_id.into_inner();
    let subject = principal.subject.clone();

    // The read and its access-log entry commit together.
    let registries = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(registries) = lists_of(conn, permit_id)? else {
                return Ok::<_, ApiError>(None);
            };
            let counts: serde_json::Map<String, serde_json::Value> = registries
                .iter()
                .map(|registry| (registry.registry.clone(), json!(registry.excluded.count)))
                .collect();
            access_log::record(
                conn,
                NewAccess {
                    principal: &principal,
                    action: Action::Exclusions,
                    registry: None,
                    person_hash: None,
                    permit_id: Some(permit_id),
                    detail: json!({"persons": counts}),
                },
            )?;
            Ok(Some(registries))
        })
    })
    .await?
    .ok_or_else(|| Problem::not_found(format!("permit {permit_id} does not exist")))?;

    let registries: Vec<_> = registries
        .into_iter()
        .map(|registry| {
            json!({
                "registry": registry.registry,
                "count": registry.excluded.count,
                "sha256": registry.excluded.sha256,
                "person_hashes": hashes(&registry.excluded),
                "consented": registry.consented.as_ref().map(|consented| json!({
                    "count": consented.count,
                    "sha256": consented.sha256,
                    "person_hashes": hashes(consented),
                })),
            })
        })
        .collect();
    tracing::info!(%permit_id, %subject, "exclusion lists served");
    Ok(HttpResponse::Ok().json(json!({"permit_id": permit_id, "registries": registries})))
}

fn hashes(list: &PersonList) -> Value {
    list.person_hashes
        .iter()
        .map(|h| Value::String(hex(h)))
        .collect()
}

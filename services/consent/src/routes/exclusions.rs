use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use hap_kit::store::hex;
use serde_json::json;
use uuid::Uuid;

use crate::repository::access_log::{self, Action, NewAccess};
use crate::repository::exclusions::exclusions_of;
use crate::startup::AppState;

/// `GET /v1/permits/{permit_id}/exclusions`: per registry, the hashes of
/// the persons the permit leaves out, with their count and digest. Only
/// platform services (the `service` role) may read them, and each read is
/// recorded in the access log.
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
            let Some(registries) = exclusions_of(conn, permit_id)? else {
                return Ok::<_, ApiError>(None);
            };
            let counts: serde_json::Map<String, serde_json::Value> = registries
                .iter()
                .map(|registry| (registry.registry.clone(), json!(registry.count)))
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
            let hashes: Vec<String> = registry.person_hashes.iter().map(|h| hex(h)).collect();
            json!({
                "registry": registry.registry,
                "count": registry.count,
                "sha256": registry.sha256,
                "person_hashes": hashes,
            })
        })
        .collect();
    tracing::info!(%permit_id, %subject, "exclusion lists served");
    Ok(HttpResponse::Ok().json(json!({"permit_id": permit_id, "registries": registries})))
}

use actix_web::HttpResponse;
use hap_contracts::criteria::{Registry, catalogue};
use serde_json::json;

/// `GET /v1/catalogue`: the registries and the variables a request may name.
/// Public, so that applicants can plan a request before they sign in.
#[utoipa::path(
    get,
    path = "/v1/catalogue",
    operation_id = "getCatalogue",
    tag = "public",
    responses(
        (status = 200, description = "The registries and their variables", body = Object),
    ),
)]
pub async fn get() -> HttpResponse {
    let registries: Vec<_> = Registry::ALL
        .into_iter()
        .map(|registry| {
            let variables: Vec<_> = catalogue()
                .iter()
                .filter(|variable| variable.registry == registry)
                .map(|variable| {
                    json!({
                        "name": variable.name,
                        "type": variable.kind,
                        "description": variable.description,
                    })
                })
                .collect();
            json!({
                "registry": registry.name(),
                "consent_based": registry.is_consent_based(),
                "variables": variables,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({"registries": registries}))
}

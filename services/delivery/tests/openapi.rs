//! Checks of the OpenAPI document and Swagger UI that the service serves.
//! The document lists exactly the routes of the access table in
//! `src/routes/access.rs`, and it is structurally sound. Where
//! `HAP_OPENAPI_VALIDATOR` names the Python `openapi-spec-validator`
//! (`tools/install-openapi-validator.sh`), it also validates against the
//! OpenAPI schema.

use hap_delivery::routes;
use hap_testkit::openapi;

#[actix_web::test]
async fn every_route_is_documented() {
    let document = openapi::served_document(routes::configure).await;
    openapi::assert_documents_routes(
        routes::access::TABLE,
        routes::openapi::WITHOUT_DATABASE,
        &document,
    );
}

#[actix_web::test]
async fn document_is_structurally_sound() {
    let document = openapi::served_document(routes::configure).await;
    openapi::assert_structurally_sound(&document);
}

#[actix_web::test]
async fn swagger_ui_served_offline() {
    openapi::assert_swagger_ui_served(routes::configure).await;
}

#[actix_web::test]
async fn document_passes_openapi_spec_validator() {
    let document = openapi::served_document(routes::configure).await;
    openapi::assert_passes_spec_validator(&document);
}

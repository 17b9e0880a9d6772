//! Checks of a service's OpenAPI document: it is served with Swagger UI, it
//! documents exactly the routes of the service's access table, it is
//! structurally sound, and, where `HAP_OPENAPI_VALIDATOR` names the Python
//! `openapi-spec-validator` (`tools/install-openapi-validator.sh`), it
//! validates against the OpenAPI schema.
//!
//! The document and Swagger UI are fetched from an in-process `App` with
//! only the service's routes, because serving them needs no database.

use std::collections::BTreeSet;
use std::process::Command;

use actix_web::test as actix_test;
use actix_web::{App, web};
use hap_kit::auth::access::{Access, Endpoint, Method};
use serde_json::Value;

/// The HTTP methods an OpenAPI path item may document as operations.
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation, as (lower-case method, path).
pub type Operation = (String, String);

/// Returns the routes of an access table as (lower-case method, path).
/// Every route is registered through its service's table, so these are
/// the routes the service serves under `/v1`.
pub fn registered_routes(table: &[Endpoint]) -> BTreeSet<Operation> {
    table
        .iter()
        .map(|endpoint| {
            let method = endpoint.method.as_str().to_lowercase();
            (method, endpoint.path.to_owned())
        })
        .collect()
}

/// Returns every operation `document` lists, as (method, path).
pub fn documented_operations(document: &Value) -> BTreeSet<Operation> {
    let mut operations = BTreeSet::new();
    let paths = document["paths"].as_object().into_iter().flatten();
    for (path, item) in paths {
        for method in HTTP_METHODS {
            if item.get(method).is_some() {
                operations.insert((method.to_owned(), path.clone()));
            }
        }
    }
    operations
}

/// Asserts that `document` lists exactly the routes of the access table
/// `table`, that each operation behind a role check documents the 401 and
/// 403 responses that check returns, and that each `/v1` operation but
/// those in `without_database` documents the 503 of an unreachable
/// database.
pub fn assert_documents_routes(
    table: &[Endpoint],
    without_database: &[(Method, &str)],
    document: &Value,
) {
    let routes = registered_routes(table);
    let operations = documented_operations(document);

    assert!(!routes.is_empty(), "the access table has no rows");
    let undocumented: Vec<_> = routes.difference(&operations).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    let unrouted: Vec<_> = operations.difference(&routes).collect();
    assert!(
        unrouted.is_empty(),
        "documented operations without a route: {unrouted:?}"
    );
    let missing = undocumented_rejections(table, document);
    assert!(
        missing.is_empty(),
        "operations behind a role check without these answers documented: {missing:?}"
    );
    let stale: Vec<_> = without_database
        .iter()
        .filter(|(method, path)| !table.iter().any(|e| e.method == *method && e.path == *path))
        .collect();
    assert!(
        stale.is_empty(),
        "operations listed as without database that are not routes: {stale:?}"
    );
    let unavailable = undocumented_unavailable(table, without_database, document);
    assert!(
        unavailable.is_empty(),
        "operations that query the database without 503 documented: {unavailable:?}"
    );
}

/// Returns, per operation behind a role check, the responses of the check
/// (401 for a missing or invalid token, 403 for a token without one of the
/// roles) that `document` does not list.
pub fn undocumented_rejections(table: &[Endpoint], document: &Value) -> Vec<String> {
    let mut missing = Vec::new();
    for endpoint in table {
        let Access::Roles(_) = endpoint.access else {
            continue;
        };
        let method = endpoint.method.as_str().to_lowercase();
        let responses = &document["paths"][endpoint.path][&method]["responses"];
        for status in ["401", "403"] {
            if responses.get(status).is_none() {
                missing.push(format!("{} {}: {status}", endpoint.method, endpoint.path));
            }
        }
    }
    missing
}

/// Returns the `/v1` operations of `table` that do not document 503, the
/// response of [`hap_kit::http::ApiError::Unavailable`], other than those in
/// `without_database`, whose handlers never query the database.
pub fn undocumented_unavailable(
    table: &[Endpoint],
    without_database: &[(Method, &str)],
    document: &Value,
) -> Vec<String> {
    let mut missing = Vec::new();
    for endpoint in table {
        if !endpoint.path.starts_with("/v1/")
            || without_database.contains(&(endpoint.method, endpoint.path))
        {
            continue;
        }
        let method = endpoint.method.as_str().to_lowercase();
        let responses = &document["paths"][endpoint.path][&method]["responses"];
        if responses.get("503").is_none() {
            missing.push(format!("{} {}: 503", endpoint.method, endpoint.path));
        }
    }
    missing
}

/// Asserts what a reader and a client generator rely on: an OpenAPI 3
/// version, a title and version, the `bearer` scheme, a success response
/// and declared path parameters on every operation, unique operation ids,
/// and references that resolve.
pub fn assert_structurally_sound(document: &Value) {
    let version = document["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "openapi version `{version}`");
    assert!(document["info"]["title"].is_string(), "info.title missing");
    assert!(
        document["info"]["version"].is_string(),
        "info.version missing"
    );
    assert!(
        document["components"]["securitySchemes"]["bearer"].is_object(),
        "the bearer security scheme is missing"
    );

    let mut operation_ids = BTreeSet::new();
    for (method, path) in documented_operations(document) {
        let operation = &document["paths"][&path][&method];
        let name = format!("{method} {path}");
        let responses = operation["responses"].as_object();
        assert!(
            responses.is_some_and(|responses| responses.keys().any(|s| s.starts_with('2'))),
            "{name} has no success response"
        );
        let templated: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|part| part.split('}').next())
            .collect();
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|parameter| parameter["in"] == "path")
            .filter_map(|parameter| parameter["name"].as_str())
            .collect();
        assert_eq!(declared, templated, "{name} path parameters");
        let id = operation["operationId"].as_str();
        assert!(id.is_some(), "{name} has no operationId");
        let id = id.unwrap_or_default().to_owned();
        assert!(
            operation_ids.insert(id.clone()),
            "{name}: `{id}` is not unique"
        );
    }

    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap_or_default();
        let pointer = target.trim_start_matches('#');
        assert!(
            document.pointer(pointer).is_some(),
            "{target} does not resolve"
        );
    }
}

/// Runs `openapi-spec-validator` from `HAP_OPENAPI_VALIDATOR` on `document`
/// and asserts that it accepts it. Prints why and returns when the variable
/// is unset.
pub fn assert_passes_spec_validator(document: &Value) {
    let Ok(validator) = std::env::var("HAP_OPENAPI_VALIDATOR") else {
        eprintln!(
            "skipped: set HAP_OPENAPI_VALIDATOR=\"$(tools/install-openapi-validator.sh)\" \
             to validate the document with openapi-spec-validator"
        );
        return;
    };
    let file = std::env::temp_dir().join(format!("hap-openapi-{}.json", uuid::Uuid::new_v4()));
    let text = serde_json::to_vec_pretty(document)
        .unwrap_or_else(|error| panic!("serializing the document failed: {error}"));
    std::fs::write(&file, text)
        .unwrap_or_else(|error| panic!("writing {} failed: {error}", file.display()));

    let output = Command::new(&validator).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let output = output.unwrap_or_else(|error| panic!("running {validator} failed: {error}"));

    assert!(
        output.status.success(),
        "{validator} rejected the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Fetches `/openapi.json` from an `App` with the routes `configure`
/// registers. Call it from an actix runtime, such as `#[actix_web::test]`.
pub async fn served_document<F>(configure: F) -> Value
where
    F: FnOnce(&mut web::ServiceConfig),
{
    let app = actix_test::init_service(App::new().configure(configure)).await;
    let request = actix_test::TestRequest::get()
        .uri("/openapi.json")
        .to_request();
    let response = actix_test::call_service(&app, request).await;
    assert_eq!(response.status(), 200, "GET /openapi.json");
    let body = actix_test::read_body(response).await;
    serde_json::from_slice(&body)
        .unwrap_or_else(|error| panic!("/openapi.json is not JSON: {error}"))
}

/// Asserts that Swagger UI is served at `/swagger-ui/` from files in the
/// binary, with no script from the web, and that it loads `/openapi.json`.
pub async fn assert_swagger_ui_served<F>(configure: F)
where
    F: FnOnce(&mut web::ServiceConfig),
{
    let app = actix_test::init_service(App::new().configure(configure)).await;
    let get = |uri: &str| actix_test::TestRequest::get().uri(uri).to_request();

    let page = actix_test::call_service(&app, get("/swagger-ui/")).await;
    assert_eq!(page.status(), 200, "GET /swagger-ui/");
    let html = String::from_utf8_lossy(&actix_test::read_body(page).await).into_owned();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page loads from the web: {html}"
    );

    let bundle = actix_test::call_service(&app, get("/swagger-ui/swagger-ui-bundle.js")).await;
    assert_eq!(bundle.status(), 200, "GET /swagger-ui/swagger-ui-bundle.js");
    assert!(
        actix_test::read_body(bundle).await.len() > 100_000,
        "bundle too small"
    );

    let initializer =
        actix_test::call_service(&app, get("/swagger-ui/swagger-initializer.js")).await;
    assert_eq!(
        initializer.status(),
        200,
        "GET /swagger-ui/swagger-initializer.js"
    );
    let script = String::from_utf8_lossy(&actix_test::read_body(initializer).await).into_owned();
    assert!(script.contains("/openapi.json"), "{script}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_kit::auth::Role;
    use serde_json::json;

    const ROUTES: &[Endpoint] = &[
        Endpoint::new(Method::Get, "/v1/items", Access::Public),
        Endpoint::new(
            Method::Delete,
            "/v1/items/{id}",
            Access::Roles(&[Role::CaseHandler]),
        ),
    ];

    fn operation(method: &str, path: &str) -> Operation {
        (method.to_owned(), path.to_owned())
    }

    #[test]
    fn routes_read_from_access_table() {
        let routes = registered_routes(ROUTES);
        let expected = BTreeSet::from([
            operation("get", "/v1/items"),
            operation("delete", "/v1/items/{id}"),
        ]);
        assert_eq!(routes, expected);
    }

    /// `GET /v1/items` of [`ROUTES`], listed as a route that never queries
    /// the database.
    const WITHOUT_DATABASE: &[(Method, &str)] = &[(Method::Get, "/v1/items")];

    #[test]
    fn matching_document_accepted() {
        let document = json!({"paths": {
            "/v1/items": {"get": {"responses": {"503": {}}}},
            "/v1/items/{id}": {"delete": {"responses": {"401": {}, "403": {}, "503": {}}}},
        }});
        assert_documents_routes(ROUTES, &[], &document);
    }

    #[test]
    fn route_without_database_needs_no_503() {
        let document = json!({"paths": {
            "/v1/items": {"get": {"responses": {"200": {}}}},
            "/v1/items/{id}": {"delete": {"responses": {"401": {}, "403": {}, "503": {}}}},
        }});
        assert_documents_routes(ROUTES, WITHOUT_DATABASE, &document);
    }

    #[test]
    fn missing_unavailable_answer_named() {
        let document = json!({"paths": {
            "/v1/items": {"get": {"responses": {"200": {}}}},
            "/v1/items/{id}": {"delete": {"responses": {"401": {}, "403": {}}}},
        }});
        assert_eq!(
            undocumented_unavailable(ROUTES, WITHOUT_DATABASE, &document),
            vec!["DELETE /v1/items/{id}: 503".to_owned()]
        );
        assert_eq!(
            undocumented_unavailable(ROUTES, &[], &document),
            vec![
                "GET /v1/items: 503".to_owned(),
                "DELETE /v1/items/{id}: 503".to_owned()
            ]
        );
    }

    #[test]
    #[should_panic(expected = "operations that query the database without 503 documented")]
    fn missing_unavailable_answer_rejected() {
        let document = json!({"paths": {
            "/v1/items": {"get": {"responses": {"503": {}}}},
            "/v1/items/{id}": {"delete": {"responses": {"401": {}, "403": {}}}},
        }});
        assert_documents_routes(ROUTES, &[], &document);
    }

    #[test]
    #[should_panic(expected = "operations listed as without database that are not routes")]
    fn unrouted_database_exemption_rejected() {
        let document = json!({"paths": {
            "/v1/items": {"get": {"responses": {"503": {}}}},
            "/v1/items/{id}": {"delete": {"responses": {"401": {}, "403": {}, "503": {}}}},
        }});
        assert_documents_routes(ROUTES, &[(Method::Post, "/v1/items")], &document);
    }

    #[test]
    fn missing_forbidden_answer_named() {
        let document = json!({"paths": {
            "/v1/items": {"get": {}},
            "/v1/items/{id}": {"delete": {"responses": {"200": {}, "401": {}}}},
        }});
        assert_eq!(
            undocumented_rejections(ROUTES, &document),
            vec!["DELETE /v1/items/{id}: 403".to_owned()]
        );
    }

    #[test]
    #[should_panic(expected = "routes missing from the OpenAPI document")]
    fn undocumented_route_rejected() {
        let document = json!({"paths": {"/v1/items": {"get": {}}}});
        assert_documents_routes(ROUTES, &[], &document);
    }

    #[test]
    #[should_panic(expected = "documented operations without a route")]
    fn unrouted_operation_rejected() {
        let document = json!({"paths": {
            "/v1/items": {"get": {}, "post": {}},
            "/v1/items/{id}": {"delete": {}},
        }});
        assert_documents_routes(ROUTES, &[], &document);
    }
}

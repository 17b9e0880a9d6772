//! The OpenAPI document and Swagger UI the service serves: every route
//! in the access table `src/routes/access.rs` is documented, the document is
//! structurally sound, and, where `HAP_OPENAPI_VALIDATOR` names the Python
//! `openapi-spec-validator` (`tools/install-openapi-validator.sh`), it
//! validates against the OpenAPI schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::TestService;
use hap_applications::routes::access::TABLE;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const HTTP_METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Returns the routes that `routes::configure` registers, as (method, path):
/// the rows of the access table, since every route is registered through it.
fn registered_routes() -> BTreeSet<(String, String)> {
    TABLE
        .iter()
        .map(|endpoint| {
            let method = endpoint.method.as_str().to_lowercase();
            (method, endpoint.path.to_owned())
        })
        .collect()
}

async fn fetch_document(service: &TestService) -> Value {
    let reply = service
        .send(Method::GET, "/openapi.json", None, None, &[])
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_documented() {
    let service = TestService::start().await;
    let document = fetch_document(&service).await;
    let routes = registered_routes();

    assert!(
        routes.len() >= 13,
        "only {} routes in the table",
        routes.len()
    );
    for (method, path) in &routes {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            HTTP_METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum();
    assert_eq!(
        documented,
        routes.len(),
        "documented operations without a route"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_is_structurally_sound() {
    let service = TestService::start().await;
    let document = fetch_document(&service).await;

    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert!(document["info"]["title"].is_string());
    assert!(document["info"]["version"].is_string());
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    let mut operation_ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let templated: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|part| part.split('}').next())
            .collect();
        for method in HTTP_METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let name = format!("{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{name} has no responses");
            assert!(
                responses.keys().any(|status| status.starts_with('2')),
                "{name} has no success response"
            );
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(declared, templated, "{name} path parameters");
            let id = operation["operationId"].as_str().unwrap();
            assert!(
                operation_ids.insert(id.to_owned()),
                "{name}: `{id}` is not unique"
            );
        }
    }
    // Every reference points to a component that exists.
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap();
        let pointer = target.trim_start_matches('#');
        assert!(
            document.pointer(pointer).is_some(),
            "{target} does not resolve"
        );
    }
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_served_offline() {
    let service = TestService::start().await;
    let client = reqwest::Client::new();

    let page = client
        .get(format!("{}/swagger-ui/", service.base_url))
        .send()
        .await
        .unwrap();
    let page_status = page.status();
    let html = page.text().await.unwrap();
    let bundle = client
        .get(format!(
            "{}/swagger-ui/swagger-ui-bundle.js",
            service.base_url
        ))
        .send()
        .await
        .unwrap();
    let config = client
        .get(format!(
            "{}/swagger-ui/swagger-initializer.js",
            service.base_url
        ))
        .send()
        .await
        .unwrap();
    let config_status = config.status();
    let initializer = config.text().await.unwrap();

    assert_eq!(page_status, StatusCode::OK);
    assert!(html.contains("swagger-ui"), "{html}");
    // The page loads its scripts from the service itself, not from the web.
    assert!(!html.contains("https://"), "{html}");
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
    assert_eq!(config_status, StatusCode::OK);
    assert!(initializer.contains("/openapi.json"), "{initializer}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_passes_openapi_spec_validator() {
    let Ok(validator) = std::env::var("HAP_OPENAPI_VALIDATOR") else {
        eprintln!(
            "skipped: set HAP_OPENAPI_VALIDATOR=\"$(tools/install-openapi-validator.sh)\" \
             to validate the document with openapi-spec-validator"
        );
        return;
    };
    let service = TestService::start().await;
    let document = fetch_document(&service).await;
    let file = std::env::temp_dir().join(format!("hap-openapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, serde_json::to_vec_pretty(&document).unwrap()).unwrap();

    let output = Command::new(&validator).arg(&file).output().unwrap();
    std::fs::remove_file(&file).unwrap();

    assert!(
        output.status.success(),
        "{validator} rejected the document:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    service.stop().await;
}

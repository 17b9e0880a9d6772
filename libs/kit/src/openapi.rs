//! The parts that the OpenAPI 3.1 document of every service shares: the
//! problem schema of error responses, the `bearer` security scheme, the 503
//! response of an unreachable database, and serving the document at
//! `/openapi.json` with Swagger UI at `/swagger-ui/`.

use actix_web::web;
use serde::Serialize;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Object, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::{Modify, PartialSchema, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::access::Method;
use crate::http::error::RETRY_AFTER_SECONDS;

/// The path the OpenAPI document is served at.
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// The name of the shared 503 response under `components/responses`.
pub const UNAVAILABLE_RESPONSE: &str = "DatabaseUnavailable";

/// An RFC 9457 problem, the body of every error response.
///
/// Some problems carry more members next to these, such as `limit`,
/// `pointer` or `errors`, so the schema allows additional properties.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// A stable URN per kind of problem, such as `urn:hap:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code of the response.
    pub status: u16,
    /// A sentence for people, which may name the offending value.
    pub detail: String,
}

/// Declares the `bearer` scheme the annotated routes name: an OpenID Connect
/// access token (JWT) in the `Authorization` header.
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Documents the 503 response that [`crate::http::ApiError::Unavailable`]
/// returns when the database cannot be reached: a problem of type
/// `database-unavailable` with a `Retry-After` header. The response is
/// declared once under `components/responses` and referenced from every
/// operation under `/v1`, except the operations in `without_database`.
pub struct DatabaseUnavailable {
    /// The operations whose handlers never query the database, as (method,
    /// path) in the form of the service's access table.
    pub without_database: &'static [(Method, &'static str)],
}

impl Modify for DatabaseUnavailable {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .entry(ProblemBody::name().into_owned())
            .or_insert_with(ProblemBody::schema);
        components.responses.insert(
            UNAVAILABLE_RESPONSE.to_owned(),
            unavailable_response().into(),
        );

        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/v1/") {
                continue;
            }
            for (method, operation) in operations_mut(item) {
                let skipped = method
                    .is_some_and(|method| self.without_database.contains(&(method, path.as_str())));
                if skipped {
                    continue;
                }
                operation.responses.responses.insert(
                    "503".to_owned(),
                    RefOr::Ref(Ref::from_response_name(UNAVAILABLE_RESPONSE)),
                );
            }
        }
    }
}

/// Builds the 503 response, whose body and header match what
/// `ApiError::Unavailable` sends.
fn unavailable_response() -> Response {
    let retry_after = HeaderBuilder::new()
        .schema(Some(Object::with_type(Type::Integer)))
        .description(Some(format!(
            "Seconds to wait before retrying the request; the services send {RETRY_AFTER_SECONDS}"
        )))
        .build();
    let problem = Content::new(Some(Ref::from_schema_name(ProblemBody::name())));
    ResponseBuilder::new()
        .description(
            "The database cannot be reached (problem type `database-unavailable`); \
             the same request may succeed after `Retry-After` seconds",
        )
        .header("Retry-After", retry_after)
        .content("application/problem+json", problem)
        .build()
}

/// Returns the operations of a path item with their access-table method,
/// which is `None` for the methods no access table uses.
fn operations_mut(item: &mut PathItem) -> Vec<(Option<Method>, &mut Operation)> {
    let operations = [
        (Some(Method::Get), item.get.as_mut()),
        (Some(Method::Put), item.put.as_mut()),
        (Some(Method::Post), item.post.as_mut()),
        (Some(Method::Delete), item.delete.as_mut()),
        (None, item.options.as_mut()),
        (None, item.head.as_mut()),
        (None, item.patch.as_mut()),
        (None, item.trace.as_mut()),
        (None, item.query.as_mut()),
    ];
    operations
        .into_iter()
        .filter_map(|(method, operation)| operation.map(|operation| (method, operation)))
        .collect()
}

/// Registers `document` at [`DOCUMENT_PATH`] and Swagger UI, whose files
/// are compiled into the binary, at `/swagger-ui/`.
pub fn serve_document(config: &mut web::ServiceConfig, document: utoipa::openapi::OpenApi) {
    config.service(SwaggerUi::new("/swagger-ui/{_:.*}").url(DOCUMENT_PATH, document));
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use utoipa::openapi::path::{HttpMethod, OperationBuilder};
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

    use super::*;

    /// Returns a document with two `/v1` operations and a health check,
    /// after [`DatabaseUnavailable`] exempted `GET /v1/catalogue`.
    fn modified_document() -> Value {
        let operation = || {
            OperationBuilder::new()
                .response("200", Response::new("OK"))
                .build()
        };
        let paths = PathsBuilder::new()
            .path("/v1/items", PathItem::new(HttpMethod::Post, operation()))
            .path("/v1/catalogue", PathItem::new(HttpMethod::Get, operation()))
            .path("/health/ready", PathItem::new(HttpMethod::Get, operation()))
            .build();
        let mut document = OpenApiBuilder::new().paths(paths).build();
        let modifier = DatabaseUnavailable {
            without_database: &[(Method::Get, "/v1/catalogue")],
        };
        modifier.modify(&mut document);
        serde_json::to_value(&document).unwrap()
    }

    #[test]
    fn unavailable_added_to_v1_operations() {
        let document = modified_document();
        assert_eq!(
            document["paths"]["/v1/items"]["post"]["responses"]["503"],
            json!({"$ref": "#/components/responses/DatabaseUnavailable"})
        );
    }

    #[test]
    fn unavailable_skips_exempt_operations() {
        let document = modified_document();
        let catalogue = &document["paths"]["/v1/catalogue"]["get"]["responses"];
        assert!(catalogue.get("503").is_none(), "{catalogue}");
        let health = &document["paths"]["/health/ready"]["get"]["responses"];
        assert!(health.get("503").is_none(), "{health}");
    }

    #[test]
    fn unavailable_response_documents_retry_after() {
        let document = modified_document();
        let response = &document["components"]["responses"][UNAVAILABLE_RESPONSE];
        let header = &response["headers"]["Retry-After"];
        assert_eq!(header["schema"]["type"], "integer", "{response}");
        let description = header["description"].as_str().unwrap_or_default();
        assert!(
            description.ends_with(&format!("send {RETRY_AFTER_SECONDS}")),
            "{description}"
        );
        assert_eq!(
            response["content"]["application/problem+json"]["schema"],
            json!({"$ref": "#/components/schemas/ProblemBody"})
        );
        assert!(document["components"]["schemas"]["ProblemBody"].is_object());
    }
}

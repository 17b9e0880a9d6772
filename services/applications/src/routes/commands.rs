use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use uuid::Uuid;

use super::view::respond;
use crate::commands::{CommandInput, execute};
use crate::domain::Command;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `POST /v1/applications/{id}/{command}` with any command of the command
/// table but `edit`, which is `PUT`. The body is empty or a JSON object with
/// the members the command reads (`reason`, `questions`, `conditions`,
/// `handler`).
#[utoipa::path(
    post,
    path = "/v1/applications/{id}/{command}",
    operation_id = "issueCommand",
    tag = "case work",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("command" = String, Path, description = "submit, withdraw, claim, reassign, return, approve, approve-with-conditions, reject, appeal, revoke, close or expire"),
    ),
    request_body(content = Object, description = "Optional: reason, questions, conditions or handler, as the command needs"),
    responses(
        (status = 200, description = "The application after the command", body = Object),
        (status = 400, description = "A member the command needs is missing", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "None of the caller's roles may issue this command on this case", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Unknown command or application", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The command is not allowed in this state, or the case is claimed by another handler", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The application is incomplete", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn post(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let command = match name.parse::<Command>() {
        Ok(command) if command != Command::Edit => command,
        _ => {
            let names: Vec<&str> = Command::ALL
                .into_iter()
                .filter(|command| *command != Command::Edit)
                .map(Command::as_str)
                .collect();
            return Err(Problem::not_found(format!(
                "unknown command `{name}`; use one of {}",
                names.join(", ")
            ))
            .into());
        }
    };
    let input = command_input(&body)?;
    let cases = state.cases.clone();

    let caller = principal.clone();
    let row = blocking(&state.pool, move |conn| {
        execute(conn, id, command, &caller, &input, &cases)
    })
    .await?;
    state.relay_wake.notify();
    tracing::info!(application_id = %id, command = command.as_str(), state = %row.state, "command applied");
    Ok(respond(StatusCode::OK, row, &principal))
}

/// Parses the optional JSON body. An empty body means no input. A body with
/// an unknown field or a wrong type is rejected, not ignored, so a misspelt
/// `reason` does not go unnoticed.
fn command_input(body: &[u8]) -> Result<CommandInput, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CommandInput::default());
    }
    // serde quotes the offending value, which may be personal data, so
    // values are masked.
    serde_json::from_slice(body).map_err(|error| {
        Problem::bad_request(
            "invalid-json",
            format!(
                "invalid JSON body: {}",
                hap_messaging::redact::redact_values(&error.to_string())
            ),
        )
    })
}

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

/// `POST /v1/applications/{id}/{command}` with command `submit`, `withdraw`,
/// `claim`, `approve` or `reject`. The body is empty or a JSON object with
/// an optional `reason`.
pub async fn post(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let command = match name.as_str() {
        "submit" => Command::Submit,
        "withdraw" => Command::Withdraw,
        "claim" => Command::Claim,
        "approve" => Command::Approve,
        "reject" => Command::Reject,
        _ => {
            return Err(Problem::not_found(format!(
                "unknown command `{name}`; use submit, withdraw, claim, approve or reject"
            ))
            .into());
        }
    };
    let input = command_input(&body)?;
    let cases = state.cases.clone();

    let row = blocking(&state.pool, move |conn| {
        execute(conn, id, command, &principal, &input, &cases)
    })
    .await?;
    state.relay_wake.notify();
    tracing::info!(application_id = %id, command = command.as_str(), state = %row.state, "command applied");
    Ok(respond(StatusCode::OK, row))
}

/// Parses the optional JSON body. An empty body means no reason. A body with
/// an unknown field or a wrong type is rejected, not ignored, so a misspelt
/// `reason` does not go unnoticed.
fn command_input(body: &[u8]) -> Result<CommandInput, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CommandInput::default());
    }
    serde_json::from_slice(body).map_err(|error| {
        Problem::bad_request("invalid-json", format!("invalid JSON body: {error}"))
    })
}

//! `hapctl cases`: case work from the terminal against a running
//! applications service: list the queue, show a case, claim, decide.

use anyhow::Context;
use hap_client::ServiceClient;
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(clap::Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    action: Action,
    /// The applications service's base URL.
    #[arg(
        long,
        env = "HAP_APPLICATIONS_URL",
        default_value = "http://127.0.0.1:8081"
    )]
    url: String,
    /// A bearer token with the case-handler or decider role (see `hapctl token`).
    #[arg(long, env = "HAP_TOKEN", hide_env_values = true)]
    token: String,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Print the queue, earliest deadline first: one JSON object per line.
    Queue {
        /// submitted, appealed, in-review or returned.
        #[arg(long)]
        state: Option<String>,
        /// Only cases requesting this registry, such as `cancer`.
        #[arg(long)]
        registry: Option<String>,
        /// Only cases claimed by this subject.
        #[arg(long)]
        handler: Option<String>,
        /// Only cases past their deadline.
        #[arg(long)]
        overdue: bool,
        /// The maximum number of cases to print.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print a case with its timeline and internal notes as JSON.
    Show { id: Uuid },
    /// Claim a case, or renew the claim's lease.
    Claim { id: Uuid },
    /// Approve, approve with conditions or reject a case.
    Decide {
        id: Uuid,
        #[arg(value_enum)]
        decision: Decision,
        /// The reasons of a rejection, which the applicant reads.
        #[arg(long)]
        reason: Option<String>,
        /// A condition of the approval; repeat for several.
        #[arg(long = "condition")]
        conditions: Vec<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Decision {
    Approve,
    ApproveWithConditions,
    Reject,
}

impl Decision {
    fn command(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::ApproveWithConditions => "approve-with-conditions",
            Decision::Reject => "reject",
        }
    }
}

#[allow(clippy::print_stdout)]
pub fn run(args: CasesArgs) -> anyhow::Result<()> {
    let client = ServiceClient::new(&args.url, &args.token);
    let runtime = tokio::runtime::Runtime::new()?;

    runtime.block_on(async {
        match args.action {
            Action::Queue {
                state,
                registry,
                handler,
                overdue,
                limit,
            } => {
                let filters = queue_query(state, registry, handler, overdue);
                for case in queue(&client, &filters, limit).await? {
                    println!("{}", summary(&case));
                }
            }
            Action::Show { id } => {
                let case: Value = client.get(&format!("/v1/applications/{id}")).await?;
                let timeline: Value = client
                    .get(&format!("/v1/applications/{id}/timeline"))
                    .await?;
                let notes: Value = client.get(&format!("/v1/applications/{id}/notes")).await?;
                let shown = json!({
                    "application": case,
                    "timeline": timeline["entries"],
                    "notes": notes["items"],
                });
                println!("{}", serde_json::to_string_pretty(&shown)?);
            }
            Action::Claim { id } => {
                let case: Value = client
                    .post(&format!("/v1/applications/{id}/claim"), &json!({}))
                    .await?;
                println!("{}", summary(&case));
            }
            Action::Decide {
                id,
                decision,
                reason,
                conditions,
            } => {
                let body = json!({"reason": reason, "conditions": conditions});
                let path = format!("/v1/applications/{id}/{}", decision.command());
                let case: Value = client
                    .post(&path, &body)
                    .await
                    .with_context(|| format!("{} of application {id}", decision.command()))?;
                println!("{}", summary(&case));
            }
        }
        Ok(())
    })
}

/// Builds the query string of `GET /v1/queue` without paging members.
fn queue_query(
    state: Option<String>,
    registry: Option<String>,
    handler: Option<String>,
    overdue: bool,
) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(state) = state {
        query.push(("state", state));
    }
    if let Some(registry) = registry {
        query.push(("registry", registry));
    }
    if let Some(handler) = handler {
        query.push(("handler", handler));
    }
    if overdue {
        query.push(("overdue", "true".to_owned()));
    }
    query
}

/// Reads queue pages until `limit` cases or the last page.
async fn queue(
    client: &ServiceClient,
    filters: &[(&str, String)],
    limit: usize,
) -> anyhow::Result<Vec<Value>> {
    let mut cases = Vec::new();
    let mut cursor: Option<String> = None;
    while cases.len() < limit {
        let page_size = (limit - cases.len()).min(200);
        let mut pairs: Vec<(&str, String)> = filters.to_vec();
        pairs.push(("limit", page_size.to_string()));
        if let Some(cursor) = &cursor {
            pairs.push(("cursor", cursor.clone()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", encode(value)))
            .collect();
        let page: Value = client
            .get(&format!("/v1/queue?{}", query.join("&")))
            .await
            .context("reading the queue")?;
        cases.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    Ok(cases)
}

/// Percent-encodes a query value; the service's values are ASCII names,
/// dates and UUIDs, so every other byte is encoded.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Returns the one-line summary of a case.
fn summary(case: &Value) -> Value {
    json!({
        "id": case["id"],
        "state": case["state"],
        "deadline": case["deadline"],
        "overdue": case["overdue"],
        "handler": case["handler"],
        "title": case["content"]["title"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("in-review"), "in-review");
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn queue_query_keeps_given_filters() {
        let query = queue_query(Some("submitted".into()), None, Some("h-1".into()), true);
        assert_eq!(
            query,
            [
                ("state", "submitted".to_owned()),
                ("handler", "h-1".to_owned()),
                ("overdue", "true".to_owned()),
            ]
        );
    }
}

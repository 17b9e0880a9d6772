//! Creates applications through the HTTP API of a running applications
//! service and writes one `<id> <bearer token>` line per application, for
//! the read load test (`tools/bench/api.sh`).
//!
//! Usage: `seed_reads <base URL> <count> <output file>`, with the service's
//! development secret in `HAP__AUTH__DEV_SECRET`.
//!
//! The applications belong to 20 applicants. Even lines carry the applicant's
//! own token, which reads the applicant view; odd lines carry a case
//! handler's token, which reads the staff view.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use hap_client::ServiceClient;
use hap_client::scenario::{self, ApplicationSpec};
use hap_kit::auth::{Role, issue_dev_token};
use serde_json::Value;

const APPLICANTS: usize = 20;
const CONCURRENT_REQUESTS: usize = 16;
/// Lifetime of the tokens in the output, long enough for any load run.
const TOKEN_SECONDS: u64 = 4 * 3600;

struct Args {
    base: String,
    count: usize,
    output: String,
    secret: String,
}

fn parse_args() -> Result<Args, String> {
    let usage =
        "usage: seed_reads <base URL> <count> <output file>, with HAP__AUTH__DEV_SECRET set";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, count, output] = args.as_slice() else {
        return Err(usage.to_owned());
    };
    let count = count
        .parse::<usize>()
        .ok()
        .filter(|count| *count > 0)
        .ok_or_else(|| format!("count `{count}` is not a positive whole number; {usage}"))?;
    let secret = std::env::var("HAP__AUTH__DEV_SECRET")
        .map_err(|_| format!("HAP__AUTH__DEV_SECRET is not set; {usage}"))?;
    Ok(Args {
        base: base.clone(),
        count,
        output: output.clone(),
        secret,
    })
}

fn token(secret: &str, subject: &str, role: Role) -> Result<String, String> {
    issue_dev_token(secret, "hap-dev", subject, &[role], TOKEN_SECONDS)
        .map_err(|error| format!("signing a token for {subject} failed: {error}"))
}

/// Creates application number `index` and returns its id and the token to read it with.
async fn create(
    base: &str,
    index: usize,
    applicants: &[(String, String)],
    handler: &str,
    spec: &ApplicationSpec,
) -> Result<(String, String), String> {
    let (subject, applicant_token) = &applicants[index % applicants.len()];
    let client = ServiceClient::new(base, applicant_token);
    let content = scenario::application_content(subject, spec);
    let created: Value = client
        .post("/v1/applications", &content)
        .await
        .map_err(|error| error.to_string())?;
    let id = created["id"]
        .as_str()
        .ok_or_else(|| format!("the create response has no id: {created}"))?
        .to_owned();
    let reader = if index.is_multiple_of(2) {
        applicant_token
    } else {
        handler
    };
    Ok((id, reader.to_owned()))
}

async fn seed(args: &Args) -> Result<(), String> {
    let applicants = (0..APPLICANTS)
        .map(|n| {
            let subject = format!("load-applicant-{n}");
            token(&args.secret, &subject, Role::Applicant).map(|token| (subject, token))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let handler = token(&args.secret, "load-handler", Role::CaseHandler)?;
    let spec = ApplicationSpec {
        project_id: None,
        title: "Colorectal cancer surgery outcomes".into(),
        request: scenario::colorectal_request(),
        public_key: hap_crypt4gh::SecretKey::generate().public_key().to_pem(),
        traceparent: None,
    };

    let started = Instant::now();
    let shared = Arc::new((args.base.clone(), applicants, handler, spec));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENT_REQUESTS {
        let shared = Arc::clone(&shared);
        let count = args.count;
        workers.spawn(async move {
            let (base, applicants, handler, spec) = &*shared;
            let mut created = Vec::new();
            for index in (worker..count).step_by(CONCURRENT_REQUESTS) {
                created.push(create(base, index, applicants, handler, spec).await?);
            }
            Ok::<_, String>(created)
        });
    }
    let mut lines = Vec::with_capacity(args.count);
    while let Some(joined) = workers.join_next().await {
        let created = joined.map_err(|error| format!("a seeding task failed: {error}"))??;
        for (id, token) in created {
            lines.push(format!("{id} {token}\n"));
        }
    }

    let mut file = std::fs::File::create(&args.output)
        .map_err(|error| format!("creating {} failed: {error}", args.output))?;
    file.write_all(lines.concat().as_bytes())
        .map_err(|error| format!("writing {} failed: {error}", args.output))?;
    eprintln!(
        "created {} applications in {:.1} s",
        args.count,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("seed_reads: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("seed_reads: the async runtime could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(seed(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seed_reads: {message}");
            ExitCode::FAILURE
        }
    }
}

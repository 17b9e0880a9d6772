//! Hostile requests that every service must reject with a 4xx RFC 9457
//! problem response: malformed JSON, wrong types, unknown fields, invalid
//! UTF-8, oversize bodies and numbers, and path traversal.
//!
//! Each check sends its requests to a running service and panics with the
//! name of every class of input that got another answer, so one test per
//! service covers the whole list.

use reqwest::{Client, Method, RequestBuilder};
use serde_json::Value;

/// A JSON endpoint and a valid body for it.
pub struct JsonEndpoint {
    pub method: Method,
    pub url: String,
    /// Bearer token of a caller allowed to use the endpoint.
    pub token: String,
    /// A valid body, a JSON object. Its first member is given the wrong
    /// type and an oversize number.
    pub body: Value,
    /// The service's `http.max_body_bytes`.
    pub max_body_bytes: usize,
}

/// One response that was not a 4xx problem response.
#[derive(Debug)]
pub struct Failure {
    pub class: &'static str,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// Sends `request` and returns a failure unless the response is a 4xx
/// `application/problem+json` body with a `type`, `status` equal to the
/// HTTP status and a non-empty `detail`.
pub async fn expect_problem(class: &'static str, request: RequestBuilder) -> Option<Failure> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            return Some(Failure {
                class,
                status: 0,
                content_type: String::new(),
                body: format!("the request failed: {error}"),
            });
        }
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    let is_problem = parsed.as_ref().is_some_and(|problem| {
        problem["type"]
            .as_str()
            .is_some_and(|kind| kind.starts_with("urn:hap:problem:"))
            && problem["status"] == status
            && problem["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty())
    });
    let ok =
        (400..500).contains(&status) && content_type == "application/problem+json" && is_problem;
    (!ok).then_some(Failure {
        class,
        status,
        content_type,
        body,
    })
}

/// Panics with every failure, one per line.
pub fn assert_no_failures(failures: Vec<Failure>) {
    let lines: Vec<String> = failures
        .iter()
        .map(|failure| {
            format!(
                "{}: status {}, content type `{}`, body {}",
                failure.class, failure.status, failure.content_type, failure.body
            )
        })
        .collect();
    assert!(
        lines.is_empty(),
        "these hostile inputs did not get a 4xx problem response:\n{}",
        lines.join("\n")
    );
}

/// Sends every hostile body class to a JSON endpoint: malformed JSON, a
/// wrong type, an unknown field, invalid UTF-8, an oversize number, a body
/// over `max_body_bytes`, and a JSON body sent as `text/plain`.
pub async fn check_json_endpoint(client: &Client, endpoint: &JsonEndpoint) -> Vec<Failure> {
    let Some(object) = endpoint.body.as_object() else {
        panic!("the valid body of a JsonEndpoint must be a JSON object");
    };
    let Some(first) = object.keys().next().cloned() else {
        panic!("the valid body of a JsonEndpoint must have a member");
    };
    let request = |content_type: &str, body: Vec<u8>| {
        client
            .request(endpoint.method.clone(), &endpoint.url)
            .bearer_auth(&endpoint.token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
    };
    let with = |key: &str, raw_value: &str| {
        let mut text = String::from("{");
        for (name, value) in object {
            if name != key {
                text.push_str(&format!("{}:{value},", Value::from(name.as_str())));
            }
        }
        text.push_str(&format!("{}:{raw_value}}}", Value::from(key)));
        text.into_bytes()
    };
    let json = "application/json";

    let mut unknown = endpoint.body.clone();
    unknown["unexpected_member"] = Value::from(1);
    let mut invalid_utf8 = with(&first, "\"\u{1}\"");
    let quote = invalid_utf8.len() - 3;
    invalid_utf8[quote] = 0xff;
    let oversize = format!(
        "{{{}:\"{}\"}}",
        Value::from(first.as_str()),
        "x".repeat(endpoint.max_body_bytes)
    );

    let cases: Vec<(&'static str, RequestBuilder)> = vec![
        (
            "malformed JSON",
            request(json, b"{\"unterminated\": ".to_vec()),
        ),
        (
            "JSON array instead of object",
            request(json, b"[1, 2, 3]".to_vec()),
        ),
        (
            "wrong type",
            request(json, with(&first, "[[{\"nested\": []}]]")),
        ),
        (
            "unknown field",
            request(json, serde_json::to_vec(&unknown).unwrap_or_default()),
        ),
        ("invalid UTF-8 in body", request(json, invalid_utf8)),
        (
            "oversize integer",
            request(json, with(&first, "184467440737095516150000")),
        ),
        ("oversize float", request(json, with(&first, "1e400"))),
        (
            "body over the size limit",
            request(json, oversize.into_bytes()),
        ),
        (
            "JSON sent as text/plain",
            request(
                "text/plain",
                serde_json::to_vec(&endpoint.body).unwrap_or_default(),
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (class, request) in cases {
        failures.extend(expect_problem(class, request).await);
    }
    failures
}

/// Sends hostile path segments in place of `{}` in `url_template`:
/// traversal (`..`, encoded `/` and `\`), invalid UTF-8, a NUL byte and an
/// overlong segment.
pub async fn check_path_segment(
    client: &Client,
    method: Method,
    url_template: &str,
    token: &str,
) -> Vec<Failure> {
    assert!(
        url_template.contains("{}"),
        "the URL template `{url_template}` has no `{{}}` for the segment"
    );
    let long = "a".repeat(4096);
    let segments: [(&'static str, &str); 7] = [
        (
            "path traversal with encoded slashes",
            "..%2F..%2F..%2Fetc%2Fpasswd",
        ),
        ("path traversal with backslashes", "..%5C..%5Cwindows"),
        (
            "encoded dot-dot segment followed by a name",
            "%2E%2E%2Fsecret",
        ),
        ("invalid UTF-8 in path", "%FF%FE%FD"),
        ("NUL byte in path", "name%00.txt"),
        ("overlong path segment", long.as_str()),
        ("non-UUID id", "not-a-uuid"),
    ];
    let mut failures = Vec::new();
    for (class, segment) in segments {
        let url = url_template.replace("{}", segment);
        let request = client.request(method.clone(), url).bearer_auth(token);
        failures.extend(expect_problem(class, request).await);
    }
    failures
}

/// Sends hostile query strings to `url`: invalid UTF-8, an oversize number
/// and an unknown parameter, each added to `valid_query` (which may be empty).
pub async fn check_query(
    client: &Client,
    url: &str,
    valid_query: &str,
    token: &str,
) -> Vec<Failure> {
    let join = |extra: &str| {
        if valid_query.is_empty() {
            format!("{url}?{extra}")
        } else {
            format!("{url}?{valid_query}&{extra}")
        }
    };
    let cases: [(&'static str, String); 3] = [
        ("invalid UTF-8 in query", join("unexpected=%FF%FE")),
        (
            "oversize number in query",
            join("limit=184467440737095516150000"),
        ),
        ("unknown query parameter", join("unexpected_parameter=1")),
    ];
    let mut failures = Vec::new();
    for (class, url) in cases {
        let request = client.get(url).bearer_auth(token);
        failures.extend(expect_problem(class, request).await);
    }
    failures
}

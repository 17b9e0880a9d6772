#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `POST /v1/feasibility` on the running service, against the real
//! PostgreSQL and RabbitMQ, over a registry folder written by the test.

use std::fmt::Write as _;
use std::net::TcpListener;

use hap_identity::classic_check_digits;
use hap_kit::auth::{Role, issue_dev_token};
use hap_linkage_service::settings::{DEFAULTS, Settings};
use hap_testkit::hostile::{
    JsonEndpoint, assert_no_failures, check_json_endpoint, check_query, expect_problem,
};
use hap_testkit::{TestBroker, TestDatabase};
use serde_json::{Value, json};

const DEV_SECRET: &str = "linkage-tests-development-secret-0123456789";

/// A small `http.max_body_bytes`, so the oversize body is small too.
const MAX_BODY_BYTES: usize = 16_384;

/// Synthetic numbers (month plus 80) of persons born on 1 January 19`year`.
fn synthetic_numbers(year: u32, count: usize) -> Vec<String> {
    (0..500)
        .filter_map(|individual| {
            let first_nine = format!("0181{year:02}{individual:03}");
            let digits: [u8; 9] = first_nine
                .bytes()
                .map(|byte| byte - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            let [first, second] = classic_check_digits(&digits)?;
            Some(format!("{first_nine}{first}{second}"))
        })
        .take(count)
        .collect()
}

/// Writes a registry folder: 23 women born 1950 and 3 men born 1960, all
/// with a colorectal cancer, and breast cancer for 12 of the women.
fn write_registries(dir: &std::path::Path) {
    let women = synthetic_numbers(50, 23);
    let men = synthetic_numbers(60, 3);
    let mut population =
        "person_id,sex,birth_date,municipality,death_date,emigration_date,former_dnumber\n"
            .to_owned();
    let mut cancer = "person_id,icd10,diagnosis_date,stage\n".to_owned();
    for (number, sex, born) in women
        .iter()
        .map(|n| (n, "female", "1950-01-01"))
        .chain(men.iter().map(|n| (n, "male", "1960-01-01")))
    {
        writeln!(population, "{number},{sex},{born},0301,,,").unwrap();
        writeln!(cancer, "{number},C18.7,2015-01-01,II").unwrap();
    }
    for number in &women[..12] {
        writeln!(cancer, "{number},C50.9,2016-01-01,I").unwrap();
    }
    std::fs::write(dir.join("population.csv"), population).unwrap();
    std::fs::write(dir.join("cancer.csv"), cancer).unwrap();
}

struct Service {
    base_url: String,
    client: reqwest::Client,
    _database: TestDatabase,
    _broker: TestBroker,
    _registries: tempfile::TempDir,
}

impl Service {
    async fn start() -> Service {
        let database =
            TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_linkage_service::MIGRATIONS]);
        let broker = TestBroker::create();
        let registries = tempfile::tempdir().unwrap();
        write_registries(registries.path());
        let overrides = [
            ("http.host", "127.0.0.1".to_owned()),
            ("database.url", database.url().to_owned()),
            ("broker.url", broker.url().to_owned()),
            ("broker.namespace", broker.namespace().to_owned()),
            ("auth.dev_secret", DEV_SECRET.to_owned()),
            ("linkage.master_key", "11".repeat(32)),
            ("linkage.platform_key", "22".repeat(32)),
            ("linkage.identity.profile", "test".to_owned()),
            ("http.max_body_bytes", MAX_BODY_BYTES.to_string()),
            (
                "store.registry_dir",
                registries.path().display().to_string(),
            ),
            (
                "store.work_dir",
                registries.path().join("work").display().to_string(),
            ),
        ];
        let settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let running = hap_linkage_service::startup::start(settings, Some(listener))
            .await
            .unwrap();
        let base_url = format!("http://127.0.0.1:{}", running.port);
        actix_web::rt::spawn(running.wait());
        Service {
            base_url,
            client: reqwest::Client::new(),
            _database: database,
            _broker: broker,
            _registries: registries,
        }
    }

    async fn count(&self, role: Role, criteria: Value) -> (u16, Value) {
        let token = issue_dev_token(DEV_SECRET, "hap-dev", "applicant-1", &[role], 60).unwrap();
        let response = self
            .client
            .post(format!("{}/v1/feasibility", self.base_url))
            .bearer_auth(token)
            .json(&json!({"criteria": criteria}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

fn cancer(prefix: &str) -> Value {
    json!({"event": {"registry": "cancer", "icd10": {"column": "icd10", "prefixes": [prefix]}}})
}

#[actix_web::test]
async fn feasibility_counts_rounded_and_hidden() {
    let service = Service::start().await;

    // 26 persons round to 25, 23 women to 25, 12 breast cancers to 10.
    let (status, body) = service.count(Role::Applicant, cancer("C18")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cohort_size"], 25);
    let (_, body) = service
        .count(Role::Applicant, json!({"sex": "female"}))
        .await;
    assert_eq!(body["cohort_size"], 25);
    let (_, body) = service.count(Role::Applicant, cancer("C50")).await;
    assert_eq!(body["cohort_size"], 10);

    // 3 men, and 0 persons, are both below 5.
    let men = json!({"all": [cancer("C18"), {"sex": "male"}]});
    let (_, body) = service.count(Role::Applicant, men).await;
    assert_eq!(body["cohort_size"], "<5");
    let (_, body) = service.count(Role::Applicant, cancer("C61")).await;
    assert_eq!(body["cohort_size"], "<5");
}

#[actix_web::test]
async fn feasibility_points_at_bad_criteria() {
    let service = Service::start().await;
    let (status, body) = service
        .count(
            Role::Applicant,
            json!({"any": [{"sex": "male"}, {"present": "dental"}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["pointer"], "/criteria/any/1/present");
    let (status, body) = service.count(Role::Applicant, json!({"sex": "x"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["pointer"], "/criteria/sex");
}

#[actix_web::test]
async fn feasibility_needs_applicant_role() {
    let service = Service::start().await;
    let (status, _) = service.count(Role::CaseHandler, cancer("C18")).await;
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn feasibility_rejects_criteria_over_limits() {
    let service = Service::start().await;
    let mut deep = json!({"sex": "male"});
    for _ in 0..hap_contracts::criteria::MAX_DEPTH {
        deep = json!({ "not": deep });
    }
    let (status, body) = service.count(Role::Applicant, deep).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "urn:hap:problem:invalid-criteria");
    assert!(
        body["detail"].as_str().unwrap().contains("32 levels"),
        "{body}"
    );

    let many = vec![json!({"sex": "male"}); hap_contracts::criteria::MAX_CRITERIA];
    let (status, body) = service.count(Role::Applicant, json!({ "any": many })).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("1000 criteria"),
        "{body}"
    );
}

#[actix_web::test]
async fn hostile_input_gets_problem_responses() {
    let service = Service::start().await;
    let token = |role| issue_dev_token(DEV_SECRET, "hap-dev", "user-1", &[role], 60).unwrap();
    let base = &service.base_url;

    let mut failures = check_json_endpoint(
        &service.client,
        &JsonEndpoint {
            method: reqwest::Method::POST,
            url: format!("{base}/v1/feasibility"),
            token: token(Role::Applicant),
            body: json!({"criteria": cancer("C18")}),
            max_body_bytes: MAX_BODY_BYTES,
        },
    )
    .await;
    failures.extend(
        check_query(
            &service.client,
            &format!("{base}/v1/runs"),
            &format!("application_id={}", uuid::Uuid::nil()),
            &token(Role::Auditor),
        )
        .await,
    );
    let id_not_uuid = service
        .client
        .get(format!(
            "{base}/v1/runs?application_id=..%2F..%2Fetc%2Fpasswd"
        ))
        .bearer_auth(token(Role::Auditor));
    failures.extend(expect_problem("non-UUID application_id", id_not_uuid).await);
    assert_no_failures(failures);
}

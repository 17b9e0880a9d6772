#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every cell of the anonymization service's access table against the
//! running service and database.

mod common;

use hap_anonymization::routes::access::TABLE;
use hap_testkit::access::AccessProbe;

use common::TestService;

#[actix_web::test]
async fn every_cell_matches_table() {
    let service = TestService::start().await;
    let probe = AccessProbe {
        base_url: &service.base_url,
        dev_secret: common::DEV_SECRET,
        params: &[],
    };

    let mismatches = probe.mismatches(TABLE).await;

    assert!(mismatches.is_empty(), "{mismatches:#?}");
    service.stop().await;
}

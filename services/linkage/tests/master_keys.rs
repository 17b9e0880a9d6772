//! Master-key rotation against the real database: a project keeps the master
//! key it was first linked under, and new projects get the current one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use hap_linkage_service::keys::{KeyError, MasterKeys, project_key};
use hap_testkit::TestDatabase;
use uuid::Uuid;

const OLD: [u8; 32] = [0x11; 32];
const NEW: [u8; 32] = [0x22; 32];

fn database() -> TestDatabase {
    TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_linkage_service::MIGRATIONS])
}

#[test]
fn rotation_keeps_existing_project_keys() {
    let db = database();
    let mut conn = db.conn();
    let existing = Uuid::now_v7();
    let before = MasterKeys::new("2025".into(), OLD.to_vec(), HashMap::new());
    let first = before.for_project(&mut conn, existing).unwrap();
    assert_eq!(first, project_key(&OLD, existing));

    let after = MasterKeys::new(
        "2026".into(),
        NEW.to_vec(),
        HashMap::from([("2025".to_owned(), OLD.to_vec())]),
    );
    let again = after.for_project(&mut conn, existing).unwrap();
    assert_eq!(again, first, "the existing project keeps its key");

    let created = Uuid::now_v7();
    let fresh = after.for_project(&mut conn, created).unwrap();
    assert_eq!(
        fresh,
        project_key(&NEW, created),
        "a new project gets the new key"
    );
}

#[test]
fn dropped_master_key_named_in_error() {
    let db = database();
    let mut conn = db.conn();
    let project = Uuid::now_v7();
    MasterKeys::new("2025".into(), OLD.to_vec(), HashMap::new())
        .for_project(&mut conn, project)
        .unwrap();

    let without_old = MasterKeys::new("2026".into(), NEW.to_vec(), HashMap::new());
    let error = without_old.for_project(&mut conn, project).unwrap_err();

    assert!(matches!(error, KeyError::Missing { .. }), "{error}");
    assert!(error.to_string().contains("`2025`"), "{error}");
}

//! The pool's checkout check against the real PostgreSQL: a connection
//! returned within the bypass window is handed out unchecked, and one
//! returned earlier is checked and replaced when its server process has
//! gone. Each test sets its window so that timing cannot change the case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::thread::sleep;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::Integer;
use hap_messaging::MIGRATIONS;
use hap_messaging::pool::{PgManager, PgPool};
use hap_testkit::TestDatabase;

#[derive(QueryableByName)]
struct Backend {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// Returns the server process id of a connection checked out of `pool`.
fn backend_pid(pool: &PgPool) -> QueryResult<i32> {
    let mut conn = pool.get().unwrap();
    let backend: Backend =
        diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(&mut **conn)?;
    Ok(backend.pid)
}

/// Ends the server process `pid` from a connection of its own.
fn terminate(database: &TestDatabase, pid: i32) {
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
        .execute(&mut database.conn())
        .unwrap();
    // The server process needs a moment to exit.
    sleep(Duration::from_millis(100));
}

fn one_connection_pool(database: &TestDatabase, bypass: Duration) -> PgPool {
    PgManager::with_validation_bypass(database.url(), bypass).pool_unchecked(1)
}

#[test]
fn idle_connection_checked_and_replaced() {
    let database = TestDatabase::create(&[&MIGRATIONS]);
    let pool = one_connection_pool(&database, Duration::ZERO);
    let first = backend_pid(&pool).unwrap();

    terminate(&database, first);

    let second = backend_pid(&pool).expect("the checkout check replaces the dead connection");
    assert_ne!(first, second);
}

#[test]
fn recent_connection_handed_out_unchecked() {
    let database = TestDatabase::create(&[&MIGRATIONS]);
    let pool = one_connection_pool(&database, Duration::from_secs(3600));
    let first = backend_pid(&pool).unwrap();

    terminate(&database, first);

    // Within the window the dead connection is handed out and its query fails.
    assert!(backend_pid(&pool).is_err());
    // The pool drops the broken connection, so the next checkout opens a new one.
    let second = backend_pid(&pool).expect("a new connection after the broken one");
    assert_ne!(first, second);
}

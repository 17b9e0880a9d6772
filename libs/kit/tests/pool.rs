#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The connection pool against the real PostgreSQL: a connection that the
//! server closed, and that has been back in the pool for longer than the
//! validation bypass window, is replaced before the next query uses it.

use std::time::Duration;

use diesel::sql_types::Integer;
use diesel::{Connection, PgConnection, RunQueryDsl};
use hap_kit::Secret;
use hap_kit::db::{self, DatabaseSettings, DbError, PgPool, VALIDATION_BYPASS};

/// The maintenance database: the test only reads its own backend's process id.
const URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn one_connection_pool() -> PgPool {
    db::connect(&DatabaseSettings {
        url: Secret::new(URL),
        pool_size: 1,
        migrate_on_start: false,
        connect_timeout_seconds: 10,
    })
}

async fn backend_pid(pool: &PgPool) -> Result<i32, DbError> {
    db::blocking(pool, |conn| {
        Ok(diesel::select(diesel::dsl::sql::<Integer>("pg_backend_pid()")).get_result(conn)?)
    })
    .await
}

/// Ends the server process of one connection, as a server restart would.
fn terminate(pid: i32) {
    let mut admin = PgConnection::establish(URL).unwrap();
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
        .execute(&mut admin)
        .unwrap();
}

#[tokio::test]
async fn pool_replaces_connection_server_closed() {
    let pool = one_connection_pool();
    let first = backend_pid(&pool).await.unwrap();
    terminate(first);
    // Past the window, the checkout runs its check on this connection.
    tokio::time::sleep(VALIDATION_BYPASS + Duration::from_millis(200)).await;

    // The checkout test finds the connection closed and opens another one
    // before the query, so the caller sees no error.
    let second = backend_pid(&pool)
        .await
        .expect("the pool opens a new connection");
    assert_ne!(second, first);
}

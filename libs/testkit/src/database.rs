//! A fresh PostgreSQL database per test.

use diesel::backend::Backend;
use diesel::migration::{Migration, MigrationSource};
use diesel::prelude::*;
use diesel::r2d2::Pool;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use hap_messaging::redact::redact_url;
use hap_messaging::{PgManager, PgPool};

/// Server URL used when `HAP_TEST_DATABASE_URL` is not set.
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Connections per test database: enough for a relay, a consumer and the
/// test itself, few enough that parallel tests stay under the server's
/// default `max_connections` of 100.
const POOL_SIZE: u32 = 4;

/// A uniquely named database with migrations applied, dropped with
/// `DROP DATABASE … WITH (FORCE)` when the value is dropped.
pub struct TestDatabase {
    name: String,
    url: String,
    /// URL of the server's maintenance database, used to create and drop.
    admin_url: String,
    pool: PgPool,
}

impl TestDatabase {
    /// Creates a database on `HAP_TEST_DATABASE_URL` (default
    /// `postgres://postgres@127.0.0.1:5432/postgres`) and runs each set of
    /// `migrations` in order.
    ///
    /// # Panics
    ///
    /// Panics when the server is unreachable, naming the URL and the command
    /// that starts it, and when a migration fails.
    pub fn create(migrations: &[&EmbeddedMigrations]) -> Self {
        let admin_url =
            std::env::var("HAP_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let name = format!("hap_test_{}", uuid::Uuid::new_v4().simple());
        let url = with_database(&admin_url, &name);

        let mut admin = connect_or_panic(&admin_url);
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .unwrap_or_else(|error| panic!("creating test database {name} failed: {error}"));

        let mut conn = connect_or_panic(&url);
        for set in migrations {
            if let Err(error) = conn.run_pending_migrations(Borrowed(set)) {
                panic!("migrating test database {name} failed: {error}");
            }
        }

        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .build(PgManager::new(&url))
            .unwrap_or_else(|error| panic!("connection pool for {name} failed: {error}"));

        Self {
            name,
            url,
            admin_url,
            pool,
        }
    }

    /// Database name, `hap_test_<uuid>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connection pool of the database. Cloning it is cheap.
    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// A new connection of its own to the database, outside the pool, so
    /// that generic diesel calls take `&mut conn` directly.
    ///
    /// # Panics
    ///
    /// Panics when the connection fails.
    pub fn conn(&self) -> PgConnection {
        connect_or_panic(&self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let result = PgConnection::establish(&self.admin_url).and_then(|mut admin| {
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .map_err(|error| diesel::ConnectionError::BadConnection(error.to_string()))
        });
        if let Err(error) = result {
            eprintln!("dropping test database {} failed: {error}", self.name);
        }
    }
}

/// Migration source over a borrowed set, because `EmbeddedMigrations` is
/// neither `Clone` nor a source by reference.
struct Borrowed<'a>(&'a EmbeddedMigrations);

impl<DB: Backend> MigrationSource<DB> for Borrowed<'_> {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}

fn connect_or_panic(url: &str) -> PgConnection {
    PgConnection::establish(url).unwrap_or_else(|error| {
        panic!(
            "PostgreSQL is unreachable at {}: {error}\n\
             Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point HAP_TEST_DATABASE_URL at a running server.",
            redact_url(url)
        )
    })
}

/// Returns `url` with its database name replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[authority_start..]
        .find('/')
        .map(|i| authority_start + i);
    let query_start = url.find('?');

    let head = &url[..path_start.or(query_start).unwrap_or(url.len())];
    let query = query_start.map_or("", |i| &url[i..]);
    format!("{head}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_the_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@db/postgres?sslmode=disable", "t1"),
            "postgres://u:p@db/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://db", "t1"), "postgres://db/t1");
    }
}

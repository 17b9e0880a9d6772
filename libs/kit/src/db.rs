//! Database access: one PostgreSQL database per service, a diesel r2d2 pool,
//! and embedded migrations applied at start or by the `migrate` command.
//!
//! diesel is synchronous, so async code reaches the database through
//! [`blocking`], which runs the closure on tokio's blocking thread pool.

use std::time::Duration;

use diesel::migration::{Migration, MigrationSource};
use diesel::pg::{Pg, PgConnection};
use diesel::r2d2::Pool;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use serde::Deserialize;

use crate::Secret;

pub use hap_messaging::pool::{PgManager, PgPool, PgPooled, VALIDATION_BYPASS};

/// `[database]` settings.
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database`; this service's own database.
    pub url: Secret,
    pub pool_size: u32,
    /// Apply pending migrations when the service starts. Clusters set this to
    /// false and run `<service> migrate` as a Job before the upgrade.
    pub migrate_on_start: bool,
    pub connect_timeout_seconds: u64,
}

/// An error from the pool, a migration or a query run through [`blocking`].
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database connection failed: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database connection failed: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database task was cancelled")]
    Cancelled,
}

/// Builds the pool. Connections open lazily, so a database that is down at
/// start shows in the readiness probe rather than stopping the process.
pub fn connect(settings: &DatabaseSettings) -> PgPool {
    let manager = PgManager::new(settings.url.expose());
    Pool::builder()
        .max_size(settings.pool_size)
        .connection_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .build_unchecked(manager)
}

/// A borrowed migration set: diesel takes sources by value and
/// `EmbeddedMigrations` is not `Clone`.
struct Borrowed(&'static EmbeddedMigrations);

impl MigrationSource<Pg> for Borrowed {
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<Pg>>>> {
        MigrationSource::<Pg>::migrations(self.0)
    }
}

/// Applies every pending migration of each set, in order.
pub fn run_migrations(pool: &PgPool, sets: &[&'static EmbeddedMigrations]) -> Result<(), DbError> {
    let mut conn = pool.get()?;
    for set in sets {
        let applied = conn
            .run_pending_migrations(Borrowed(set))
            .map_err(|error| DbError::Migration(error.to_string()))?;
        for version in applied {
            tracing::info!(%version, "applied migration");
        }
    }
    Ok(())
}

/// Creates the database named in `url` when it does not exist yet, through
/// the server's `postgres` maintenance database. For development and demos;
/// in a cluster the database is provisioned beforehand.
pub fn ensure_database_exists(url: &Secret) -> Result<(), DbError> {
    let (server, name) = crate::database_url::split(url.expose())
        .ok_or_else(|| DbError::Migration("database.url has no database name".into()))?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError::Migration(format!(
            "database name `{name}` may contain only letters, digits and underscores"
        )));
    }

    let mut admin = PgConnection::establish(&format!("{server}/postgres"))?;
    let exists: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut admin)?;
    if exists == 0 {
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin)?;
        tracing::info!(database = name, "created database");
    }
    Ok(())
}

/// Runs `work` with a pooled connection on the blocking thread pool.
pub async fn blocking<T, E>(
    pool: &PgPool,
    work: impl FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    // A child of the request's span, so events enqueued in `work` carry its
    // trace context and log lines its request id.
    let span = tracing::info_span!("db", db.system = "postgresql");
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = pool.get().map_err(DbError::from)?;
        work(&mut conn)
    })
    .await
    .map_err(|_| E::from(DbError::Cancelled))?
}

/// Checks that the database responds, for the readiness probe.
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    blocking(pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
}

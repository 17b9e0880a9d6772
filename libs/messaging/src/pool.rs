//! The PostgreSQL connection pool that the services and the messaging layer
//! share, with a checkout check that skips connections in recent use.
//!
//! r2d2 checks a connection with `SELECT 1` at every checkout by default, a
//! second round trip for a request that runs one query. [`PgManager`] skips
//! the check for a connection returned to the pool less than
//! [`VALIDATION_BYPASS`] ago, as HikariCP does with its
//! `aliveBypassWindowMs` (also 500 ms). A connection that breaks inside
//! that window fails the query that uses it, and the pool then drops it.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::PgConnection;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection};

/// How long after its return to the pool a connection is handed out again
/// without the `SELECT 1` check.
pub const VALIDATION_BYPASS: Duration = Duration::from_millis(500);

/// Connection pool type that the services, the relay and the consumers use.
pub type PgPool = Pool<PgManager>;

/// A connection checked out of a [`PgPool`]. It dereferences to
/// [`PgConnection`]; generic diesel calls take `&mut **conn`.
pub type PgPooled = PooledConnection<PgManager>;

/// Opens connections to one database and checks them at checkout unless
/// they were in use within [`VALIDATION_BYPASS`].
#[derive(Debug)]
pub struct PgManager {
    inner: ConnectionManager<PgConnection>,
    bypass: Duration,
}

impl PgManager {
    /// Creates a manager for the database at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_validation_bypass(url, VALIDATION_BYPASS)
    }

    /// Creates a manager that checks connections returned `bypass` or
    /// longer ago; `Duration::ZERO` checks every checkout.
    pub fn with_validation_bypass(url: impl Into<String>, bypass: Duration) -> Self {
        PgManager {
            inner: ConnectionManager::new(url),
            bypass,
        }
    }

    /// Builds a pool of at most `max_size` connections that opens them
    /// lazily, with r2d2's defaults otherwise.
    pub fn pool_unchecked(self, max_size: u32) -> PgPool {
        Pool::builder().max_size(max_size).build_unchecked(self)
    }
}

/// A pooled PostgreSQL connection and when it was last returned.
pub struct PgPoolConnection {
    connection: PgConnection,
    returned_at: Instant,
}

impl Deref for PgPoolConnection {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.connection
    }
}

impl DerefMut for PgPoolConnection {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.connection
    }
}

impl ManageConnection for PgManager {
    type Connection = PgPoolConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgPoolConnection, Self::Error> {
        Ok(PgPoolConnection {
            connection: self.inner.connect()?,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PgPoolConnection) -> Result<(), Self::Error> {
        if conn.returned_at.elapsed() < self.bypass {
            return Ok(());
        }
        self.inner.is_valid(&mut conn.connection)
    }

    /// Reports whether the connection is broken. r2d2 calls this when a
    /// connection comes back to the pool, so it also stamps the return time
    /// that [`ManageConnection::is_valid`] reads.
    fn has_broken(&self, conn: &mut PgPoolConnection) -> bool {
        conn.returned_at = Instant::now();
        self.inner.has_broken(&mut conn.connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable_manager() -> PgManager {
        // Port 1 on the loopback address refuses connections at once.
        PgManager::new("postgres://postgres@127.0.0.1:1/none")
    }

    #[test]
    fn connect_error_reported() {
        let manager = unreachable_manager();
        assert!(manager.connect().is_err());
    }

    #[test]
    fn default_bypass_is_half_a_second() {
        assert_eq!(VALIDATION_BYPASS, Duration::from_millis(500));
        assert_eq!(unreachable_manager().bypass, VALIDATION_BYPASS);
    }
}

//! One recipient addition at a time per delivery, across replicas.
//!
//! Adding a recipient rewrites every file of a delivery from its stored
//! version. Two additions running together would start from the same
//! version, and the later upload would drop the header packets of the
//! other. So an addition holds a PostgreSQL session-level advisory lock on
//! the delivery, on a connection of its own, from before it reads the
//! delivery until after it records the new recipient. A second addition
//! waits for the lock. When a process dies, its connection closes and the
//! server releases the lock. An addition so takes two connections of the
//! pool at once, the locked one and one for its queries.

use diesel::sql_types::BigInt;
use diesel::{PgConnection, RunQueryDsl};
use hap_kit::db::{DbError, PgPool, PgPooled};
use uuid::Uuid;

/// The advisory lock of one delivery's recipients, held until
/// [`RecipientLock::release`].
pub struct RecipientLock {
    conn: Option<PgPooled>,
    key: i64,
}

impl RecipientLock {
    /// Waits for the lock of `delivery_id` and returns it.
    pub async fn acquire(pool: &PgPool, delivery_id: Uuid) -> Result<Self, DbError> {
        let pool = pool.clone();
        let key = lock_key(delivery_id);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let session: &mut PgConnection = &mut conn;
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<BigInt, _>(key)
                .execute(session)?;
            Ok(RecipientLock {
                conn: Some(conn),
                key,
            })
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// Releases the lock and returns the connection to the pool.
    pub async fn release(mut self) -> Result<(), DbError> {
        let conn = self.conn.take();
        let key = self.key;
        tokio::task::spawn_blocking(move || unlock(conn, key))
            .await
            .map_err(|_| DbError::Cancelled)?
    }
}

impl Drop for RecipientLock {
    /// Unlocks when the lock was not released, after a panic, so that the
    /// connection does not go back to the pool still holding it. This runs
    /// one short query on the current thread.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && let Err(error) = unlock(Some(conn), self.key)
        {
            tracing::error!(%error, "releasing a recipient lock failed");
        }
    }
}

fn unlock(conn: Option<PgPooled>, key: i64) -> Result<(), DbError> {
    if let Some(mut conn) = conn {
        let session: &mut PgConnection = &mut conn;
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<BigInt, _>(key)
            .execute(session)?;
    }
    Ok(())
}

/// Folds the delivery id into the 64-bit key of `pg_advisory_lock`.
fn lock_key(delivery_id: Uuid) -> i64 {
    let (high, low) = delivery_id.as_u64_pair();
    i64::from_ne_bytes((high ^ low).to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_key_differs_per_delivery() {
        let first = Uuid::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        let second = Uuid::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6678);
        assert_ne!(lock_key(first), lock_key(second));
        assert_eq!(lock_key(first), lock_key(first));
    }
}

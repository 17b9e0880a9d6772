//! Reading a service's transactional outbox, to check what it published.

use diesel::RunQueryDsl;
use diesel::sql_types::{Bool, Text};

use crate::Platform;

/// One row of a service's outbox.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct OutboxRow {
    #[diesel(sql_type = Text)]
    pub message_id: String,
    #[diesel(sql_type = Text)]
    pub message_type: String,
    /// Whether the relay has published the row and marked it so.
    #[diesel(sql_type = Bool)]
    pub published: bool,
}

impl Platform {
    /// Returns every row of a service's outbox in position order, read
    /// directly from the database server, bypassing any proxy.
    pub fn outbox(&self, service: &str) -> Vec<OutboxRow> {
        let mut conn = self.connect_database(service);
        diesel::sql_query(
            "SELECT message_id::text AS message_id, message_type, \
             published_at IS NOT NULL AS published FROM outbox ORDER BY position",
        )
        .load(&mut conn)
        .unwrap_or_else(|error| panic!("reading the {service} outbox failed: {error}"))
    }
}

//! Case handlers' internal notes on an application. Only staff routes read
//! them; no applicant response includes them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::notes;

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = notes)]
pub struct Note {
    pub id: i64,
    pub application_id: Uuid,
    pub at: DateTime<Utc>,
    pub author: String,
    pub body: String,
}

pub fn insert(
    conn: &mut PgConnection,
    application_id: Uuid,
    author: &str,
    body: &str,
) -> QueryResult<Note> {
    diesel::insert_into(notes::table)
        .values((
            notes::application_id.eq(application_id),
            notes::author.eq(author),
            notes::body.eq(body),
        ))
        .returning(Note::as_returning())
        .get_result(conn)
}

pub fn list(conn: &mut PgConnection, application_id: Uuid) -> QueryResult<Vec<Note>> {
    notes::table
        .filter(notes::application_id.eq(application_id))
        .order(notes::id)
        .select(Note::as_select())
        .load(conn)
}

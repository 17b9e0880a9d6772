//! Database access for attachments and the attachments of each version.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::attachments::AttachmentKind;
use crate::schema::{attachments, version_attachments};

/// One attached file's metadata; the bytes are in the attachment store.
#[derive(Clone, Debug, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub application_id: Uuid,
    /// An [`AttachmentKind`] name.
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
    #[serde(skip)]
    pub object_key: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    #[serde(skip)]
    pub removed_at: Option<DateTime<Utc>>,
}

pub fn insert(conn: &mut PgConnection, row: &AttachmentRow) -> QueryResult<()> {
    diesel::insert_into(attachments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Returns attachment `id` of application `application_id`, also one
/// removed from the draft that a submitted version still refers to.
pub fn find(
    conn: &mut PgConnection,
    application_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(id)
        .filter(attachments::application_id.eq(application_id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

/// Lists the attachments of the editable application, oldest first.
pub fn list_current(
    conn: &mut PgConnection,
    application_id: Uuid,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .filter(attachments::removed_at.is_null())
        .order((attachments::uploaded_at, attachments::id))
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Lists the attachments submitted version `version` refers to, oldest first.
pub fn list_version(
    conn: &mut PgConnection,
    application_id: Uuid,
    version: i32,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .inner_join(version_attachments::table)
        .filter(version_attachments::application_id.eq(application_id))
        .filter(version_attachments::version.eq(version))
        .order((attachments::uploaded_at, attachments::id))
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Returns the kinds among the current attachments.
pub fn current_kinds(
    conn: &mut PgConnection,
    application_id: Uuid,
) -> QueryResult<Vec<AttachmentKind>> {
    let names: Vec<String> = attachments::table
        .filter(attachments::application_id.eq(application_id))
        .filter(attachments::removed_at.is_null())
        .select(attachments::kind)
        .distinct()
        .load(conn)?;
    Ok(names.iter().filter_map(|name| name.parse().ok()).collect())
}

/// Makes version `version` refer to the current attachments.
pub fn freeze(conn: &mut PgConnection, application_id: Uuid, version: i32) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO version_attachments (application_id, version, attachment_id) \
         SELECT application_id, $2, id FROM attachments \
         WHERE application_id = $1 AND removed_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(application_id)
    .bind::<diesel::sql_types::Integer, _>(version)
    .execute(conn)
}

/// Returns whether a submitted version refers to attachment `id`.
pub fn is_frozen(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        version_attachments::table.filter(version_attachments::attachment_id.eq(id)),
    ))
    .get_result(conn)
}

/// Marks attachment `id` as removed from the draft, keeping the row for
/// the versions that refer to it.
pub fn mark_removed(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(attachments::table.find(id))
        .set(attachments::removed_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(attachments::table.find(id))
        .execute(conn)
        .map(drop)
}

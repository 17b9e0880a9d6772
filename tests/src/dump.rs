//! Every row of every table of a database, as PostgreSQL's text form of the
//! row (`SELECT t::text FROM t`), where `bytea` values appear as hex.

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    text: String,
}

/// The rows of one table.
pub struct TableDump {
    /// `schema.table`, quoted where PostgreSQL needs it.
    pub table: String,
    pub rows: Vec<String>,
}

/// Returns every base table of the database at `url` outside the system
/// schemas, with its rows.
pub fn dump_tables(url: &str) -> Vec<TableDump> {
    let mut connection = PgConnection::establish(url)
        .unwrap_or_else(|error| panic!("connecting to {url} failed: {error}"));
    let tables: Vec<TextRow> = diesel::sql_query(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS text \
         FROM information_schema.tables \
         WHERE table_type = 'BASE TABLE' \
         AND table_schema NOT IN ('pg_catalog', 'information_schema') \
         ORDER BY 1",
    )
    .load(&mut connection)
    .expect("listing the tables");
    tables
        .into_iter()
        .map(|table| {
            let rows: Vec<TextRow> =
                diesel::sql_query(format!("SELECT t::text AS text FROM {} t", table.text))
                    .load(&mut connection)
                    .unwrap_or_else(|error| panic!("reading {} failed: {error}", table.text));
            TableDump {
                table: table.text,
                rows: rows.into_iter().map(|row| row.text).collect(),
            }
        })
        .collect()
}

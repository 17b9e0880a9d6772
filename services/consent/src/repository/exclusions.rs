//! The persons each permit leaves out, and the persons with consent in a
//! consent-based registry, frozen when the permit is issued.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Text};
use hap_contracts::criteria::Registry;
use uuid::Uuid;

use super::history::to_hash;
use crate::schema::{permit_consents, permit_exclusions, permit_registries, permits};

/// Rows per `INSERT` of person hashes (three parameters a row).
const ROWS_PER_INSERT: usize = 10_000;

/// The persons a permit leaves out of one registry and, for a
/// consent-based registry, the persons whose data it may use.
pub struct RegistryLists {
    pub registry: String,
    pub excluded: PersonList,
    pub consented: Option<PersonList>,
}

/// A set of person hashes with its count and digest.
pub struct PersonList {
    pub count: i64,
    pub sha256: String,
    /// Sorted ascending.
    pub person_hashes: Vec<[u8; 32]>,
}

/// Records the persons a permit leaves out of one registry, and the
/// consented persons of a consent-based registry, with counts and digests.
pub fn insert_lists(
    conn: &mut PgConnection,
    permit_id: Uuid,
    registry: Registry,
    excluded: (&[[u8; 32]], &str),
    consented: Option<(&[[u8; 32]], &str)>,
) -> QueryResult<()> {
    diesel::insert_into(permit_registries::table)
        .values((
            permit_registries::permit_id.eq(permit_id),
            permit_registries::registry.eq(registry.name()),
            permit_registries::excluded_count.eq(excluded.0.len() as i64),
            permit_registries::excluded_sha256.eq(excluded.1),
            permit_registries::consented_count.eq(consented.map(|(hashes, _)| hashes.len() as i64)),
            permit_registries::consented_sha256.eq(consented.map(|(_, sha256)| sha256)),
        ))
        .execute(conn)?;
    for chunk in excluded.0.chunks(ROWS_PER_INSERT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|hash| {
                (
                    permit_exclusions::permit_id.eq(permit_id),
                    permit_exclusions::registry.eq(registry.name()),
                    permit_exclusions::person_hash.eq(hash.to_vec()),
                )
            })
            .collect();
        diesel::insert_into(permit_exclusions::table)
            .values(values)
            .execute(conn)?;
    }
    for chunk in consented
        .map_or(&[][..], |(hashes, _)| hashes)
        .chunks(ROWS_PER_INSERT)
    {
        let values: Vec<_> = chunk
            .iter()
            .map(|hash| {
                (
                    permit_consents::permit_id.eq(permit_id),
                    permit_consents::registry.eq(registry.name()),
                    permit_consents::person_hash.eq(hash.to_vec()),
                )
            })
            .collect();
        diesel::insert_into(permit_consents::table)
            .values(values)
            .execute(conn)?;
    }
    Ok(())
}

/// Returns the lists of a permit per registry, or `None` when no permit has
/// that id.
pub fn lists_of(
    conn: &mut PgConnection,
    permit_id: Uuid,
) -> QueryResult<Option<Vec<RegistryLists>>> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        permits::table.filter(permits::permit_id.eq(permit_id)),
    ))
    .get_result(conn)?;
    if !exists {
        return Ok(None);
    }
    type Row = (String, i64, String, Option<i64>, Option<String>);
    let registries: Vec<Row> = permit_registries::table
        .filter(permit_registries::permit_id.eq(permit_id))
        .order(permit_registries::registry)
        .select((
            permit_registries::registry,
            permit_registries::excluded_count,
            permit_registries::excluded_sha256,
            permit_registries::consented_count,
            permit_registries::consented_sha256,
        ))
        .load(conn)?;
    let mut result = Vec::with_capacity(registries.len());
    for (registry, count, sha256, consented_count, consented_sha256) in registries {
        let excluded: Vec<Vec<u8>> = permit_exclusions::table
            .filter(permit_exclusions::permit_id.eq(permit_id))
            .filter(permit_exclusions::registry.eq(&registry))
            .order(permit_exclusions::person_hash)
            .select(permit_exclusions::person_hash)
            .load(conn)?;
        let consented = match (consented_count, consented_sha256) {
            (Some(count), Some(sha256)) => {
                let hashes: Vec<Vec<u8>> = permit_consents::table
                    .filter(permit_consents::permit_id.eq(permit_id))
                    .filter(permit_consents::registry.eq(&registry))
                    .order(permit_consents::person_hash)
                    .select(permit_consents::person_hash)
                    .load(conn)?;
                Some(PersonList {
                    count,
                    sha256,
                    person_hashes: to_hashes(&hashes)?,
                })
            }
            _ => None,
        };
        result.push(RegistryLists {
            registry,
            excluded: PersonList {
                count,
                sha256,
                person_hashes: to_hashes(&excluded)?,
            },
            consented,
        });
    }
    Ok(Some(result))
}

fn to_hashes(rows: &[Vec<u8>]) -> QueryResult<Vec<[u8; 32]>> {
    rows.iter().map(|hash| to_hash(hash)).collect()
}

/// A permit that did not leave out persons whose withdrawal or opt-out an
/// import has just recorded.
#[derive(Debug, QueryableByName)]
pub struct AffectedPermit {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub permit_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub application_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub project_id: Uuid,
    #[diesel(sql_type = Text)]
    pub registry: String,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
    #[diesel(sql_type = Date)]
    pub earliest: NaiveDate,
    #[diesel(sql_type = Date)]
    pub latest: NaiveDate,
}

/// Returns the permits covering the registry of import `import_id` that
/// did not leave out a person the import records a withdrawal or opt-out
/// for, with how many such persons there are.
pub fn permits_affected_by(
    conn: &mut PgConnection,
    import_id: Uuid,
) -> QueryResult<Vec<AffectedPermit>> {
    diesel::sql_query(
        "SELECT p.permit_id, p.application_id, p.version,
                (p.permit->>'project_id')::uuid AS project_id, pr.registry,
                count(DISTINCT e.person_hash) AS persons,
                min(e.event_date) AS earliest, max(e.event_date) AS latest
         FROM consent_events e
         JOIN permit_registries pr ON pr.registry = e.registry
         JOIN permits p ON p.permit_id = pr.permit_id
         WHERE e.import_id = $1
           AND e.event IN ('withdrawn', 'opted-out')
           AND NOT EXISTS (
               SELECT 1 FROM permit_exclusions x
               WHERE x.permit_id = pr.permit_id
                 AND x.registry = e.registry
                 AND x.person_hash = e.person_hash)
         GROUP BY p.permit_id, p.application_id, p.version, pr.registry
         ORDER BY p.application_id, p.version",
    )
    .bind::<diesel::sql_types::Uuid, _>(import_id)
    .load(conn)
}

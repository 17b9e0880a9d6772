//! The custodian key: a Crypt4GH key pair of the platform that is a
//! recipient of every package, so that a recipient added to a permit later
//! gets header packets without the data being encrypted again.
//!
//! NOTE: anyone with the custodian secret key can read every package that
//! has not expired. Configure `delivery.custodian_secret_key` from a secret
//! store in production; the key generated into the database when it is unset
//! is meant for development.

use diesel::prelude::*;
use hap_crypt4gh::{KeyProtection, SecretKey};
use hap_kit::db::{DbError, PgPool, blocking};
use hap_kit::settings::SettingsError;
use hap_service::StartError;

use crate::schema::custodian_key;

const SETTING: &str = "delivery.custodian_secret_key";

/// Returns the configured key, or the one kept in the database, generating
/// and storing it on first use.
pub async fn load(pool: &PgPool, configured: Option<&str>) -> Result<SecretKey, StartError> {
    let invalid = |reason: String| {
        StartError::Settings(SettingsError::Invalid {
            key: SETTING,
            reason,
        })
    };
    if let Some(text) = configured {
        return SecretKey::from_pem(text, None).map_err(|error| invalid(error.to_string()));
    }
    let generated = SecretKey::generate()
        .to_pem(KeyProtection::None)
        .map_err(|error| invalid(error.to_string()))?;
    let stored = blocking(pool, move |conn| {
        diesel::insert_into(custodian_key::table)
            .values((
                custodian_key::id.eq(1),
                custodian_key::secret_key.eq(&generated),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .map_err(DbError::from)?;
        custodian_key::table
            .find(1)
            .select(custodian_key::secret_key)
            .first::<String>(conn)
            .map_err(DbError::from)
    })
    .await?;
    tracing::warn!("{SETTING} is not set; using the custodian key kept in the database");
    SecretKey::from_pem(&stored, None)
        .map_err(|error| invalid(format!("the key kept in the database is unusable: {error}")))
}

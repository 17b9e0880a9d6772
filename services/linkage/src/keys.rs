//! Per-project pseudonym keys, derived from the master key so the same
//! person gets the same pseudonym in every delivery to one project and a
//! different one in every other project.
//!
//! Master keys carry ids. A project keeps the master key it was first linked
//! under, recorded in `project_master_keys`, so rotating the master key
//! gives new projects the new key and leaves existing projects' pseudonyms
//! unchanged.

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::project_master_keys;

/// Returns HMAC-SHA256(master key, context || project id), the derivation
/// `hapctl link` shares through [`hap_linkage::project_key`].
pub fn project_key(master_key: &[u8], project_id: Uuid) -> [u8; 32] {
    hap_linkage::project_key(master_key, project_id.as_bytes())
}

/// A project's master key is not configured, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "project {project_id} was first linked under master key `{key_id}`, which is neither \
         linkage.master_key_id nor in linkage.retired_master_keys; configure that key again \
         under its id"
    )]
    Missing { project_id: Uuid, key_id: String },
    #[error("the project's master key could not be read: {0}")]
    Database(#[from] diesel::result::Error),
}

/// The current master key, which new projects get, and the retired ones
/// that projects first linked under them keep.
pub struct MasterKeys {
    current_id: String,
    keys: HashMap<String, Vec<u8>>,
}

impl MasterKeys {
    /// Ids are compared in lower case, because configuration keys read from
    /// the environment (`HAP__LINKAGE__RETIRED_MASTER_KEYS__<ID>`) arrive in
    /// lower case.
    pub fn new(current_id: String, current: Vec<u8>, retired: HashMap<String, Vec<u8>>) -> Self {
        let current_id = current_id.to_lowercase();
        let mut keys: HashMap<String, Vec<u8>> = retired
            .into_iter()
            .map(|(id, key)| (id.to_lowercase(), key))
            .collect();
        keys.insert(current_id.clone(), current);
        Self { current_id, keys }
    }

    /// Returns the project's pseudonym key, derived from the master key the
    /// project was first linked under. A new project is recorded under the
    /// current key.
    pub fn for_project(
        &self,
        conn: &mut PgConnection,
        project_id: Uuid,
    ) -> Result<[u8; 32], KeyError> {
        diesel::insert_into(project_master_keys::table)
            .values((
                project_master_keys::project_id.eq(project_id),
                project_master_keys::master_key_id.eq(&self.current_id),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        let key_id: String = project_master_keys::table
            .find(project_id)
            .select(project_master_keys::master_key_id)
            .first(conn)?;
        match self.keys.get(&key_id) {
            Some(master_key) => Ok(project_key(master_key, project_id)),
            None => Err(KeyError::Missing { project_id, key_id }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_project_same_key() {
        let project = Uuid::now_v7();
        assert_eq!(
            project_key(b"master", project),
            project_key(b"master", project)
        );
    }

    #[test]
    fn other_project_other_key() {
        assert_ne!(
            project_key(b"master", Uuid::now_v7()),
            project_key(b"master", Uuid::now_v7())
        );
    }

    #[test]
    fn derivation_is_hmac_of_context_and_project() {
        use hmac::{Hmac, Mac};
        let project = Uuid::now_v7();
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"master").unwrap();
        mac.update(b"hap/project-pseudonym-key/v1/");
        mac.update(project.as_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(project_key(b"master", project), expected);
    }
}

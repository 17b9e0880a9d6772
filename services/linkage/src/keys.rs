//! Per-project pseudonym keys, derived from the master key so the same
//! person gets the same pseudonym in every delivery to one project and a
//! different one in every other project.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Domain separation, so a project key can never equal another use of the
/// master key.
const CONTEXT: &[u8] = b"hap/project-pseudonym-key/v1/";

/// Returns HMAC-SHA256(master key, context || project id).
pub fn project_key(master_key: &[u8], project_id: Uuid) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master_key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(CONTEXT);
    mac.update(project_id.as_bytes());
    mac.finalize().into_bytes().into()
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
}

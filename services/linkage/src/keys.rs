//! Per-project pseudonym keys, derived from the master key so the same
//! person gets the same pseudonym in every delivery to one project and a
//! different one in every other project.

use uuid::Uuid;

/// Returns HMAC-SHA256(master key, context || project id), the derivation
/// `hapctl link` shares through [`hap_linkage::project_key`].
pub fn project_key(master_key: &[u8], project_id: Uuid) -> [u8; 32] {
    hap_linkage::project_key(master_key, project_id.as_bytes())
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

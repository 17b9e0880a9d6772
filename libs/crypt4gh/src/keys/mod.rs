//! X25519 key pairs and the Crypt4GH key file formats.

mod armour;
mod error;
mod kdf;
mod secret_format;
mod validate;

pub use error::KeyError;
pub use secret_format::KeyProtection;
pub use validate::validate_public_key;

use armour::Armour;
use rand::rngs::OsRng;

/// Length of an X25519 public or secret key in bytes.
pub const KEY_LEN: usize = 32;

/// An X25519 public key: a recipient of a Crypt4GH file, or the writer of a header packet.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(x25519_dalek::PublicKey);

impl PublicKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> PublicKey {
        PublicKey(x25519_dalek::PublicKey::from(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
    }

    /// Parses a public key file: `-----BEGIN CRYPT4GH PUBLIC KEY-----`, the base64 of the
    /// 32 key bytes, `-----END CRYPT4GH PUBLIC KEY-----`.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let bytes = armour::decode(text, Armour::Public)?;
        let bytes =
            <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| KeyError::WrongLength {
                key_kind: "public key",
                expected: KEY_LEN,
                found: bytes.len(),
            })?;
        Ok(PublicKey::from_bytes(bytes))
    }

    /// Formats the key as a public key file that `crypt4gh` reads.
    pub fn to_pem(&self) -> String {
        armour::encode(self.as_bytes(), Armour::Public)
    }

    pub(crate) fn as_dalek(&self) -> &x25519_dalek::PublicKey {
        &self.0
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: String = self
            .as_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        write!(formatter, "PublicKey({hex})")
    }
}

/// An X25519 secret key. `Debug` does not print the key, and the key bytes are zeroed
/// when the value is dropped.
#[derive(Clone)]
pub struct SecretKey(x25519_dalek::StaticSecret);

impl SecretKey {
    /// Generates a key from the operating system's random number generator.
    pub fn generate() -> SecretKey {
        SecretKey(x25519_dalek::StaticSecret::random_from_rng(OsRng))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretKey {
        SecretKey(x25519_dalek::StaticSecret::from(bytes))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(x25519_dalek::PublicKey::from(&self.0))
    }

    /// Parses a private key file (`-----BEGIN CRYPT4GH PRIVATE KEY-----` around the base64
    /// of a `c4gh-v1` key). A key protected with scrypt, bcrypt or PBKDF2-HMAC-SHA256
    /// needs `passphrase`, and an unprotected key ignores it.
    pub fn from_pem(text: &str, passphrase: Option<&str>) -> Result<SecretKey, KeyError> {
        let bytes = armour::decode(text, Armour::Private)?;
        let key = secret_format::decode(&bytes, passphrase)?;
        Ok(SecretKey::from_bytes(key))
    }

    /// Formats the key as a private key file that `crypt4gh` reads.
    pub fn to_pem(&self, protection: KeyProtection<'_>) -> Result<String, KeyError> {
        let bytes = secret_format::encode(&self.0.to_bytes(), protection)?;
        Ok(armour::encode(&bytes, Armour::Private))
    }

    pub(crate) fn as_dalek(&self) -> &x25519_dalek::StaticSecret {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "SecretKey(<redacted>, public {:?})",
            self.public_key()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_pem_round_trip() {
        let public = SecretKey::generate().public_key();
        assert_eq!(PublicKey::from_pem(&public.to_pem()).unwrap(), public);
    }

    #[test]
    fn public_key_wrong_length_rejected() {
        let text = "-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n-----END CRYPT4GH PUBLIC KEY-----\n";
        let error = PublicKey::from_pem(text).unwrap_err();
        assert!(matches!(
            error,
            KeyError::WrongLength {
                expected: 32,
                found: 3,
                ..
            }
        ));
        assert!(error.to_string().contains("found 3"));
    }

    #[test]
    fn secret_key_pem_round_trip_unprotected() {
        let secret = SecretKey::generate();
        let text = secret.to_pem(KeyProtection::None).unwrap();
        let parsed = SecretKey::from_pem(&text, None).unwrap();
        assert_eq!(parsed.public_key(), secret.public_key());
    }

    #[test]
    fn secret_key_pem_round_trip_scrypt() {
        let secret = SecretKey::generate();
        let text = secret
            .to_pem(KeyProtection::Scrypt { passphrase: "pw" })
            .unwrap();
        let parsed = SecretKey::from_pem(&text, Some("pw")).unwrap();
        assert_eq!(parsed.public_key(), secret.public_key());
    }

    #[test]
    fn secret_pem_is_not_public_pem() {
        let text = SecretKey::generate().to_pem(KeyProtection::None).unwrap();
        assert!(PublicKey::from_pem(&text).is_err());
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(
            SecretKey::generate().public_key(),
            SecretKey::generate().public_key()
        );
    }

    #[test]
    fn secret_debug_hides_key() {
        let bytes = [0xab_u8; KEY_LEN];
        let text = format!("{:?}", SecretKey::from_bytes(bytes));
        assert!(text.contains("<redacted>"));
        assert!(!text.contains("abababab"));
    }

    #[test]
    fn public_key_matches_rfc7748_vector() {
        // RFC 7748, section 6.1: Alice's secret key and public key.
        let secret = hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let public = hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assert_eq!(
            SecretKey::from_bytes(secret).public_key().as_bytes(),
            &public
        );
    }

    fn hex32(text: &str) -> [u8; KEY_LEN] {
        let mut out = [0_u8; KEY_LEN];
        for (index, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).unwrap();
        }
        out
    }
}

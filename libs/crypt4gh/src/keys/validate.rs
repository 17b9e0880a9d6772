//! Checking a recipient's public key when it is registered.

use super::{KeyError, PublicKey, SecretKey};

/// Parses a Crypt4GH public key file and checks that the key can receive data.
///
/// Rejects what [`PublicKey::from_pem`] rejects (armour, base64, length) and also a
/// low-order X25519 point, such as all zero bytes, for which every shared key is
/// predictable. The error text names the problem and is safe to return to the caller.
pub fn validate_public_key(text: &str) -> Result<PublicKey, KeyError> {
    let key = PublicKey::from_pem(text)?;
    let probe = SecretKey::generate();
    if !probe
        .as_dalek()
        .diffie_hellman(key.as_dalek())
        .was_contributory()
    {
        return Err(KeyError::LowOrderPublicKey);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_accepted() {
        let public = SecretKey::generate().public_key();
        assert_eq!(validate_public_key(&public.to_pem()).unwrap(), public);
    }

    #[test]
    fn zero_key_rejected() {
        let text = PublicKey::from_bytes([0; 32]).to_pem();
        let error = validate_public_key(&text).unwrap_err();
        assert!(matches!(error, KeyError::LowOrderPublicKey));
        assert!(error.to_string().contains("low-order"), "{error}");
    }

    #[test]
    fn text_without_armour_rejected() {
        let error = validate_public_key("not a key").unwrap_err();
        assert!(
            matches!(error, KeyError::MissingBeginLine { .. }),
            "{error}"
        );
    }

    #[test]
    fn short_key_rejected() {
        let text = "-----BEGIN CRYPT4GH PUBLIC KEY-----\nAAAA\n-----END CRYPT4GH PUBLIC KEY-----\n";
        let error = validate_public_key(text).unwrap_err();
        assert!(matches!(error, KeyError::WrongLength { .. }), "{error}");
    }
}

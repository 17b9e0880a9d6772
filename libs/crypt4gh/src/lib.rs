//! The GA4GH Crypt4GH file format, version 1: X25519 keys, per-recipient header
//! packets and ChaCha20-Poly1305 data segments of 64 KiB.
//!
//! Files written here decrypt with the Python `crypt4gh` tool and the other way round
//! (tested against `crypt4gh` 1.8.6). Supported: header packet method 0
//! (X25519_chacha20_ietf_poly1305), data method 0 (chacha20_ietf_poly1305), edit lists
//! on decryption. Not supported: data method 1 (AEAD mode), which is rejected.
//!
//! Module map:
//! - `keys`: `PublicKey`, `SecretKey` and their key files (`armour`, the `c4gh-v1`
//!   secret format in `secret_format`, passphrase KDFs in `kdf`).
//! - `header`: header layout (`mod.rs`), packet encryption (`packet_cipher`) and packet
//!   plaintext (`packet_content`).
//! - `segment`: encryption of one 64 KiB data segment.
//! - `edit_list`: applying an edit list to decrypted output.
//! - `encrypt`, `decrypt`, `reencrypt`: the streaming operations.
//! - `inspect`: the header length of a stream, read without a key.
//! - `keys/validate`: the check of a recipient's public key at registration.
//! - `error`: `Crypt4ghError`; key file errors are `KeyError`.

mod decrypt;
mod edit_list;
mod encrypt;
mod error;
mod header;
mod inspect;
mod keys;
mod read_full;
mod reencrypt;
mod segment;

pub use decrypt::{DecryptSummary, decrypt};
pub use encrypt::encrypt;
pub use error::Crypt4ghError;
pub use inspect::header_length;
pub use keys::{KEY_LEN, KeyError, KeyProtection, PublicKey, SecretKey, validate_public_key};
pub use reencrypt::reencrypt_header;
pub use segment::SEGMENT_SIZE;

//! Streaming decryption of a Crypt4GH stream.

use std::io::{Read, Write};

use crate::Crypt4ghError;
use crate::edit_list::EditedOutput;
use crate::header;
use crate::keys::{PublicKey, SecretKey};
use crate::read_full::read_full;
use crate::segment::{self, CIPHER_SEGMENT_SIZE, MAC_LEN, NONCE_LEN, SEGMENT_SIZE};

/// Facts about a completed decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptSummary {
    /// Plaintext bytes written, after the edit list was applied.
    pub plaintext_bytes: u64,
    /// Public keys that wrote the header packets this secret key decrypted. A
    /// one-time key when the sender chose to stay anonymous.
    pub writers: Vec<PublicKey>,
}

/// Decrypts the Crypt4GH stream in `reader` into `writer` with `secret_key`.
///
/// Segments are authenticated and written one at a time, so memory use stays near two
/// 64 KiB buffers. When a segment fails authentication the function returns
/// `AuthenticationFailed`, but the segments before it have already been written: the
/// caller must discard the partial output. A header edit list is applied to the output.
///
/// Each segment is authenticated on its own, so the format (data method 0) cannot
/// detect a file cut at a segment boundary, or whole segments removed or reordered.
pub fn decrypt<R: Read, W: Write>(
    mut reader: R,
    writer: W,
    secret_key: &SecretKey,
) -> Result<DecryptSummary, Crypt4ghError> {
    let packets = header::read_header(&mut reader)?;
    let opened = header::open_header(&packets, secret_key)?;
    let ciphers: Vec<_> = opened.data_keys.iter().map(segment::cipher_for).collect();

    let mut output = EditedOutput::new(writer, opened.edit_list);
    let mut stored = vec![0_u8; CIPHER_SEGMENT_SIZE];
    let mut plaintext = Vec::with_capacity(SEGMENT_SIZE);
    let mut offset: u64 = 0;
    for index in 0_u64.. {
        let count = read_full(&mut reader, &mut stored).map_err(Crypt4ghError::Read)?;
        if count == 0 {
            break;
        }
        if count < NONCE_LEN + MAC_LEN {
            return Err(Crypt4ghError::TruncatedSegment {
                segment: index,
                len: count,
            });
        }
        if !segment::decrypt_segment(&ciphers, &stored[..count], &mut plaintext) {
            return Err(Crypt4ghError::AuthenticationFailed {
                segment: index,
                offset,
            });
        }
        output
            .write_plaintext(&plaintext)
            .map_err(Crypt4ghError::Write)?;
        offset += count as u64;
        if count < CIPHER_SEGMENT_SIZE {
            break;
        }
    }
    output.flush().map_err(Crypt4ghError::Write)?;

    Ok(DecryptSummary {
        plaintext_bytes: output.written(),
        writers: opened.writers,
    })
}

//! Streaming encryption of plaintext into a Crypt4GH stream.

use std::io::{Read, Write};

use rand::RngCore;
use rand::rngs::OsRng;

use crate::Crypt4ghError;
use crate::header::{self, DATA_KEY_LEN, DataKey, EncryptedPacket, SealError};
use crate::keys::{PublicKey, SecretKey};
use crate::read_full::read_full;
use crate::segment::{self, CIPHER_SEGMENT_SIZE, SEGMENT_SIZE};

/// Encrypts everything `reader` yields into `writer` for each of `recipients`.
///
/// A fresh random data key encrypts the data, and the header contains one packet with that
/// key per recipient. The packets are written by `sender`, or by a one-time key
/// generated here when `sender` is `None`, which leaves recipients unable to tell who
/// wrote the file. Memory use is bounded by two 64 KiB segment buffers whatever the
/// input size. Returns the number of plaintext bytes read; `writer` is flushed.
pub fn encrypt<R: Read, W: Write>(
    mut reader: R,
    mut writer: W,
    recipients: &[PublicKey],
    sender: Option<&SecretKey>,
) -> Result<u64, Crypt4ghError> {
    if recipients.is_empty() {
        return Err(Crypt4ghError::NoRecipients);
    }
    let one_time_sender;
    let sender = match sender {
        Some(sender) => sender,
        None => {
            one_time_sender = SecretKey::generate();
            &one_time_sender
        }
    };

    let mut data_key = DataKey([0; DATA_KEY_LEN]);
    OsRng.fill_bytes(&mut data_key.0);
    let packets = seal_for_recipients(&[header::encode_data_key(&data_key)], recipients, sender)?;
    header::write_header(&mut writer, &packets)?;

    let cipher = segment::cipher_for(&data_key);
    let mut plaintext = vec![0_u8; SEGMENT_SIZE];
    let mut stored = Vec::with_capacity(CIPHER_SEGMENT_SIZE);
    let mut total: u64 = 0;
    loop {
        let count = read_full(&mut reader, &mut plaintext).map_err(Crypt4ghError::Read)?;
        if count == 0 {
            break;
        }
        segment::encrypt_segment(&cipher, &plaintext[..count], &mut stored)
            .map_err(|_| Crypt4ghError::Encryption { len: count })?;
        writer.write_all(&stored).map_err(Crypt4ghError::Write)?;
        total += count as u64;
        if count < SEGMENT_SIZE {
            break;
        }
    }
    writer.flush().map_err(Crypt4ghError::Write)?;
    Ok(total)
}

/// Seals every plaintext in `plaintexts` for every recipient, recipient by recipient.
pub(crate) fn seal_for_recipients(
    plaintexts: &[Vec<u8>],
    recipients: &[PublicKey],
    sender: &SecretKey,
) -> Result<Vec<EncryptedPacket>, Crypt4ghError> {
    let mut packets = Vec::with_capacity(plaintexts.len() * recipients.len());
    for (index, recipient) in recipients.iter().enumerate() {
        for plaintext in plaintexts {
            let packet =
                header::seal(plaintext, sender, recipient).map_err(|error| match error {
                    SealError::LowOrderPublicKey => Crypt4ghError::LowOrderPublicKey { index },
                    SealError::Encryption => Crypt4ghError::Encryption {
                        len: plaintext.len(),
                    },
                })?;
            packets.push(packet);
        }
    }
    Ok(packets)
}

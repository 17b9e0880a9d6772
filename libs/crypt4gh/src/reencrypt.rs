//! Adding recipients to a Crypt4GH stream by rewriting only its header.

use std::io::{ErrorKind, Read, Write};

use crate::Crypt4ghError;
use crate::encrypt::seal_for_recipients;
use crate::header;
use crate::keys::{PublicKey, SecretKey};

const COPY_BUFFER_LEN: usize = 64 * 1024;

/// Copies the Crypt4GH stream in `reader` to `writer`, adding header packets for
/// `new_recipients`.
///
/// `secret_key` must decrypt at least one packet of the header. Every packet it decrypts
/// (data keys and any edit list) is encrypted again for each new recipient, written by
/// `sender` or by a one-time key when `sender` is `None`. The existing packets stay, so
/// current recipients keep access, and the data segments are copied byte for byte
/// without being decrypted or authenticated. Returns the number of data bytes copied.
pub fn reencrypt_header<R: Read, W: Write>(
    mut reader: R,
    mut writer: W,
    secret_key: &SecretKey,
    new_recipients: &[PublicKey],
    sender: Option<&SecretKey>,
) -> Result<u64, Crypt4ghError> {
    if new_recipients.is_empty() {
        return Err(Crypt4ghError::NoRecipients);
    }
    let mut packets = header::read_header(&mut reader)?;
    let opened = header::open_header(&packets, secret_key)?;

    let one_time_sender;
    let sender = match sender {
        Some(sender) => sender,
        None => {
            one_time_sender = SecretKey::generate();
            &one_time_sender
        }
    };
    packets.extend(seal_for_recipients(
        &opened.plaintexts,
        new_recipients,
        sender,
    )?);
    header::write_header(&mut writer, &packets)?;

    let copied = copy_data(&mut reader, &mut writer)?;
    writer.flush().map_err(Crypt4ghError::Write)?;
    Ok(copied)
}

/// Copies `reader` to `writer`, telling read errors from write errors.
fn copy_data(reader: &mut impl Read, writer: &mut impl Write) -> Result<u64, Crypt4ghError> {
    let mut buffer = vec![0_u8; COPY_BUFFER_LEN];
    let mut total: u64 = 0;
    loop {
        let count = match reader.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(count) => count,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(Crypt4ghError::Read(error)),
        };
        writer
            .write_all(&buffer[..count])
            .map_err(Crypt4ghError::Write)?;
        total += count as u64;
    }
}

//! Reading a reader until a buffer is full or the input ends.

use std::io::{ErrorKind, Read};

/// Fills `buffer` from `reader` and returns how many bytes were read.
///
/// The count is smaller than `buffer.len()` only at the end of the input, unlike
/// `Read::read`, which may return less at any time.
pub(crate) fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns at most 3 bytes per `read` call.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let count = self.0.len().min(buffer.len()).min(3);
            buffer[..count].copy_from_slice(&self.0[..count]);
            self.0 = &self.0[count..];
            Ok(count)
        }
    }

    #[test]
    fn fills_across_short_reads() {
        let mut buffer = [0_u8; 8];
        let count = read_full(&mut Trickle(b"0123456789"), &mut buffer).unwrap();
        assert_eq!(count, 8);
        assert_eq!(&buffer, b"01234567");
    }

    #[test]
    fn stops_at_end_of_input() {
        let mut buffer = [0_u8; 8];
        let count = read_full(&mut Trickle(b"01234"), &mut buffer).unwrap();
        assert_eq!(count, 5);
        assert_eq!(&buffer[..5], b"01234");
    }
}

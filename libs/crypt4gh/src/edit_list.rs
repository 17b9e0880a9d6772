//! Applying a header edit list to the decrypted plaintext stream.
//!
//! The list alternates lengths to discard and to keep, starting with a discard. When the
//! list ends after a discard, the rest of the plaintext is kept; when it ends after a
//! keep, the rest is discarded. An empty list keeps everything.

use std::collections::VecDeque;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Discard(u64),
    Keep(u64),
    KeepRest,
    DiscardRest,
}

/// Passes plaintext to `inner`, dropping the bytes that the edit list discards.
pub(crate) struct EditedOutput<W> {
    inner: W,
    lengths: VecDeque<u64>,
    step: Step,
    written: u64,
}

impl<W: Write> EditedOutput<W> {
    /// Wraps `inner`. An `edit_list` of `None` keeps all plaintext.
    pub(crate) fn new(inner: W, edit_list: Option<Vec<u64>>) -> EditedOutput<W> {
        let mut lengths: VecDeque<u64> = edit_list.unwrap_or_default().into();
        let step = match lengths.pop_front() {
            Some(discard) => Step::Discard(discard),
            None => Step::KeepRest,
        };
        EditedOutput {
            inner,
            lengths,
            step,
            written: 0,
        }
    }

    /// Bytes passed to `inner` so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    pub(crate) fn write_plaintext(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            match self.step {
                Step::KeepRest => {
                    self.inner.write_all(data)?;
                    self.written += data.len() as u64;
                    return Ok(());
                }
                Step::DiscardRest => return Ok(()),
                Step::Discard(0) => self.step = self.after_discard(),
                Step::Keep(0) => self.step = self.after_keep(),
                Step::Discard(remaining) => {
                    let count = prefix_len(remaining, data.len());
                    data = &data[count..];
                    self.step = Step::Discard(remaining - count as u64);
                }
                Step::Keep(remaining) => {
                    let count = prefix_len(remaining, data.len());
                    self.inner.write_all(&data[..count])?;
                    self.written += count as u64;
                    data = &data[count..];
                    self.step = Step::Keep(remaining - count as u64);
                }
            }
        }
        Ok(())
    }

    fn after_discard(&mut self) -> Step {
        match self.lengths.pop_front() {
            Some(keep) => Step::Keep(keep),
            None => Step::KeepRest,
        }
    }

    fn after_keep(&mut self) -> Step {
        match self.lengths.pop_front() {
            Some(discard) => Step::Discard(discard),
            None => Step::DiscardRest,
        }
    }
}

/// Bytes to take from a chunk of `available` bytes while `remaining` are left in a step.
fn prefix_len(remaining: u64, available: usize) -> usize {
    usize::try_from(remaining).map_or(available, |remaining| remaining.min(available))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `edit_list` to `input` fed in chunks of `chunk` bytes.
    fn apply(edit_list: Option<Vec<u64>>, input: &[u8], chunk: usize) -> (Vec<u8>, u64) {
        let mut output = EditedOutput::new(Vec::new(), edit_list);
        for piece in input.chunks(chunk) {
            output.write_plaintext(piece).unwrap();
        }
        let written = output.written();
        (output.inner, written)
    }

    #[test]
    fn no_edit_list_keeps_all() {
        assert_eq!(apply(None, b"abcdef", 4).0, b"abcdef");
    }

    #[test]
    fn empty_edit_list_keeps_all() {
        assert_eq!(apply(Some(vec![]), b"abcdef", 4).0, b"abcdef");
    }

    #[test]
    fn even_list_discards_tail() {
        let (output, written) = apply(Some(vec![1, 2, 1, 1]), b"abcdefgh", 3);
        assert_eq!(output, b"bce");
        assert_eq!(written, 3);
    }

    #[test]
    fn odd_list_keeps_tail() {
        assert_eq!(apply(Some(vec![2, 1, 2]), b"abcdefgh", 1).0, b"cfgh");
    }

    #[test]
    fn zero_discard_keeps_start() {
        assert_eq!(apply(Some(vec![0, 3]), b"abcdefgh", 5).0, b"abc");
    }

    #[test]
    fn result_does_not_depend_on_chunking() {
        let input: Vec<u8> = (0..=255).collect();
        let edit_list = vec![10, 20, 0, 5, 100, 7, 3];
        let (whole, _) = apply(Some(edit_list.clone()), &input, input.len());
        for chunk in [1, 2, 7, 64] {
            assert_eq!(
                apply(Some(edit_list.clone()), &input, chunk).0,
                whole,
                "chunk {chunk}"
            );
        }
    }
}

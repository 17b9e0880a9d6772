//! A boundary around calls into the Parquet reader.
//!
//! The Parquet crate still panics on some damaged files where it should
//! return an error: a data page that refers to a dictionary its column
//! chunk lacks, for one. A registry extract comes from outside the
//! platform, and one damaged file must fail its run with a read error that
//! names the file, not take down the worker that reads it. So every call
//! into the reader runs inside [`guarded`], which turns a panic into
//! [`RunError::Read`].
//!
//! Only the reader's own calls run inside the guard, never HAP code, so a
//! panic in HAP code still surfaces as a panic.

use std::any::Any;
use std::cell::Cell;
use std::fmt::Display;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use crate::columnar::error::RunError;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// True while this thread runs a call into the Parquet reader whose panic
/// [`guarded`] turns into a read error.
///
/// A process-wide panic hook that aborts, as libFuzzer installs, ends the
/// process before the guard catches the panic. Such a hook checks this
/// first and lets a guarded panic unwind.
pub fn inside_reader_guard() -> bool {
    INSIDE.with(Cell::get)
}

/// Resets the flag when the call ends, also by unwinding.
struct Inside {
    outer: bool,
}

impl Inside {
    fn enter() -> Self {
        Self {
            outer: INSIDE.with(|inside| inside.replace(true)),
        }
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.with(|inside| inside.set(self.outer));
    }
}

/// Runs `call`, a call into the Parquet reader on the file at `path`, and
/// returns its result with the error as [`RunError::Read`]. A panic in
/// the call becomes a read error too.
pub(crate) fn guarded<T, E: Display>(
    path: &Path,
    call: impl FnOnce() -> Result<T, E>,
) -> Result<T, RunError> {
    let outcome = {
        let _inside = Inside::enter();
        // The call's state is dropped with the error, so nothing it left
        // half-changed is used again.
        panic::catch_unwind(AssertUnwindSafe(call))
    };
    match outcome {
        Ok(result) => result.map_err(|error| RunError::Read {
            path: path.to_path_buf(),
            message: error.to_string(),
        }),
        Err(payload) => Err(RunError::Read {
            path: path.to_path_buf(),
            message: format!(
                "the Parquet reader stopped on damaged data ({}); the file is damaged, so \
                 export the extract again",
                panic_message(payload.as_ref())
            ),
        }),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_read_error_naming_file_and_message() {
        let path = Path::new("cancer.parquet");
        let result: Result<(), RunError> = guarded(path, || -> Result<(), String> {
            panic!("Decoder for dict should have been set")
        });
        match result {
            Err(RunError::Read { path, message }) => {
                assert_eq!(path, Path::new("cancer.parquet"));
                assert!(message.contains("Decoder for dict"), "{message}");
                assert!(message.contains("export the extract again"), "{message}");
            }
            other => panic!("expected a read error, found {other:?}"),
        }
        assert!(!inside_reader_guard());
    }

    #[test]
    fn flag_is_set_only_inside_the_call() {
        assert!(!inside_reader_guard());
        let seen = guarded(Path::new("x"), || Ok::<_, String>(inside_reader_guard())).unwrap();
        assert!(seen);
        assert!(!inside_reader_guard());
    }

    #[test]
    fn reader_error_keeps_its_message() {
        let result: Result<(), RunError> = guarded(Path::new("x"), || Err("bad magic"));
        assert!(matches!(result, Err(RunError::Read { message, .. }) if message == "bad magic"));
    }
}

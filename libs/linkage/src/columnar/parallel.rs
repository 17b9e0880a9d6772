//! Running numbered parts on a fixed number of worker threads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::columnar::error::RunError;

/// Runs `work` on parts `0..parts` with up to `threads` threads and returns
/// the results in part order. The first error stops the other workers
/// after their current part.
pub(crate) fn run_parts<T: Send>(
    parts: usize,
    threads: usize,
    work: impl Fn(usize) -> Result<T, RunError> + Sync,
) -> Result<Vec<T>, RunError> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T, RunError>>>> =
        Mutex::new((0..parts).map(|_| None).collect());
    let failed = std::sync::atomic::AtomicBool::new(false);
    thread::scope(|scope| {
        for _ in 0..threads.clamp(1, parts.max(1)) {
            scope.spawn(|| {
                loop {
                    let part = next.fetch_add(1, Ordering::Relaxed);
                    if part >= parts || failed.load(Ordering::Relaxed) {
                        return;
                    }
                    let result = work(part);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut results) = results.lock() {
                        results[part] = Some(result);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut values = Vec::with_capacity(parts);
    for result in results {
        match result {
            Some(Ok(value)) => values.push(value),
            Some(Err(error)) => return Err(error),
            // A part is skipped only after another part failed, and that
            // failure comes first in part order or later in this loop.
            None => continue,
        }
    }
    Ok(values)
}

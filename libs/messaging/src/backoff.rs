//! Reconnect delays, once-per-outage logging and stop signals for
//! long-running tasks.

use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Exponential back-off: each failure doubles the delay up to `max`.
#[derive(Debug)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            next: min,
        }
    }

    /// Returns the delay before the next attempt and doubles the one after.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    pub(crate) fn reset(&mut self) {
        self.next = self.min;
    }
}

/// Tracks a run of failures so that each outage is logged once when it
/// starts and once when it ends, not at every retry.
#[derive(Debug)]
pub(crate) struct Outage {
    /// Task name for the log lines, e.g. `outbox relay` or `consumer consent`.
    task: String,
    /// Start of the current outage and the failures counted in it.
    current: Option<(Instant, u64)>,
}

impl Outage {
    pub(crate) fn new(task: impl Into<String>) -> Self {
        Self {
            task: task.into(),
            current: None,
        }
    }

    /// Records a failure; logs a warning only for the first of an outage.
    pub(crate) fn failed(&mut self, error: &dyn std::error::Error, retry_in: Duration) {
        match &mut self.current {
            Some((_, failures)) => {
                *failures += 1;
                tracing::debug!(task = %self.task, %error, ?retry_in, "still failing");
            }
            None => {
                self.current = Some((Instant::now(), 1));
                tracing::warn!(
                    task = %self.task,
                    %error,
                    ?retry_in,
                    "broker or database unavailable; retrying with back-off"
                );
            }
        }
    }

    /// Records a success; logs the end of an outage if one was in progress.
    pub(crate) fn recovered(&mut self) {
        if let Some((since, failures)) = self.current.take() {
            tracing::info!(
                task = %self.task,
                failures,
                outage = ?since.elapsed(),
                "recovered after outage"
            );
        }
    }
}

/// Completes when `stop` is `true` or its sender is gone.
pub(crate) async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    // The guard returned by `wait_for` is not `Send`, so it is dropped here
    // instead of living across an `.await` in the caller.
    let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Collects formatted log lines.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn outage_logs_start_and_end_once() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let error = io::Error::other("connection refused");

        tracing::subscriber::with_default(subscriber, || {
            let mut outage = Outage::new("outbox relay");
            for _ in 0..5 {
                outage.failed(&error, Duration::from_millis(500));
            }
            outage.recovered();
            outage.recovered();
            outage.failed(&error, Duration::from_millis(500));
        });

        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.matches("retrying with back-off").count(), 2, "{text}");
        assert_eq!(text.matches("recovered after outage").count(), 1, "{text}");
        assert!(text.contains("failures=5"), "{text}");
    }

    #[test]
    fn backoff_doubles_up_to_max_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(backoff.next_delay(), Duration::from_millis(100));
        assert_eq!(backoff.next_delay(), Duration::from_millis(200));
        assert_eq!(backoff.next_delay(), Duration::from_millis(350));
        assert_eq!(backoff.next_delay(), Duration::from_millis(350));
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(100));
    }
}

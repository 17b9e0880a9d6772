//! Posts pending webhook deliveries, oldest first per subscription, and
//! retries a failed one with exponential back-off before any later one.

use std::time::Duration;

use chrono::Utc;
use hap_kit::db::{PgPool, blocking};
use tokio::task::AbortHandle;

use super::store::{self, PendingDelivery};
use crate::settings::WebhookSettings;

/// Stops the dispatcher when the last copy of the application state drops,
/// that is when the HTTP server has stopped.
pub struct DispatcherGuard(AbortHandle);

impl Drop for DispatcherGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the dispatcher on the current Tokio runtime.
///
/// NOTE: every replica runs a dispatcher and nothing locks a delivery, so
/// with several replicas a receiver may get an event more than once, which
/// at-least-once delivery allows.
pub fn spawn_dispatcher(pool: PgPool, settings: WebhookSettings) -> DispatcherGuard {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(settings.timeout_ms))
        .build()
        .unwrap_or_default();
    let task = tokio::spawn(async move {
        loop {
            if let Err(error) = dispatch_due(&pool, &http, &settings).await {
                tracing::error!(%error, "webhook dispatch failed; retrying on the next poll");
            }
            tokio::time::sleep(Duration::from_millis(settings.poll_interval_ms)).await;
        }
    });
    DispatcherGuard(task.abort_handle())
}

/// Sends the due head of every subscription once.
async fn dispatch_due(
    pool: &PgPool,
    http: &reqwest::Client,
    settings: &WebhookSettings,
) -> Result<(), hap_kit::http::ApiError> {
    let heads = blocking(pool, |conn| {
        Ok::<_, hap_kit::http::ApiError>(store::heads(conn)?)
    })
    .await?;
    let now = Utc::now();

    for delivery in heads.into_iter().filter(|d| d.next_attempt_at <= now) {
        let outcome = post(http, &delivery).await;
        let id = delivery.id;
        match outcome {
            Ok(()) => {
                blocking(pool, move |conn| {
                    Ok::<_, hap_kit::http::ApiError>(store::mark_delivered(conn, id)?)
                })
                .await?;
            }
            Err(error) => {
                let delay = backoff(settings, delivery.attempts + 1);
                tracing::warn!(
                    delivery = id,
                    subscription = %delivery.subscription_id,
                    attempt = delivery.attempts + 1,
                    retry_in_ms = delay.as_millis() as u64,
                    %error,
                    "webhook delivery failed"
                );
                let next =
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                blocking(pool, move |conn| {
                    Ok::<_, hap_kit::http::ApiError>(store::mark_failed(conn, id, next, &error)?)
                })
                .await?;
            }
        }
    }
    Ok(())
}

async fn post(http: &reqwest::Client, delivery: &PendingDelivery) -> Result<(), String> {
    let response = http
        .post(&delivery.url)
        .header("x-hap-delivery", delivery.id.to_string())
        .json(&delivery.event)
        .send()
        .await
        .map_err(|error| format!("request failed: {error}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("receiver returned {}", response.status()))
    }
}

/// Returns the wait after the `failures`-th failed attempt: the base delay
/// doubled per earlier failure, at most the configured maximum.
pub fn backoff(settings: &WebhookSettings, failures: i32) -> Duration {
    let doublings = u32::try_from(failures.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let delay = settings.base_backoff_ms.saturating_mul(1 << doublings);
    Duration::from_millis(delay.min(settings.max_backoff_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_maximum() {
        let settings = WebhookSettings {
            base_backoff_ms: 1_000,
            max_backoff_ms: 10_000,
            poll_interval_ms: 500,
            timeout_ms: 10_000,
        };
        let delays: Vec<u128> = (1..=6)
            .map(|failures| backoff(&settings, failures).as_millis())
            .collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    }
}

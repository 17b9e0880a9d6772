//! Posts pending webhook deliveries, oldest first per subscription, and
//! retries a failed one with exponential back-off before any later one.
//!
//! Every replica runs a dispatcher. A dispatcher sends a subscription's
//! head while holding that subscription's row lock (`FOR UPDATE SKIP
//! LOCKED`) in one transaction, and records the outcome in it, so one
//! replica at a time sends for a subscription and the others skip it. A
//! replica that dies mid-request releases the lock with its connection, and
//! the delivery is sent again, which at-least-once delivery allows.

use std::time::Duration;

use chrono::Utc;
use diesel::Connection;
use hap_kit::db::{PgPool, blocking};
use hap_kit::http::ApiError;
use tokio::runtime::Handle;
use tokio::task::AbortHandle;
use uuid::Uuid;

use super::store::{self, PendingDelivery};
use super::target;
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
pub fn spawn_dispatcher(pool: PgPool, settings: WebhookSettings) -> DispatcherGuard {
    let task = tokio::spawn(async move {
        loop {
            if let Err(error) = dispatch_due(&pool, &settings).await {
                tracing::error!(%error, "webhook dispatch failed; retrying on the next poll");
            }
            tokio::time::sleep(Duration::from_millis(settings.poll_interval_ms)).await;
        }
    });
    DispatcherGuard(task.abort_handle())
}

/// Sends the due head of every subscription once.
pub async fn dispatch_due(pool: &PgPool, settings: &WebhookSettings) -> Result<(), ApiError> {
    let heads = blocking(pool, |conn| Ok::<_, ApiError>(store::heads(conn)?)).await?;
    let now = Utc::now();
    let due: Vec<Uuid> = heads
        .into_iter()
        .filter(|delivery| delivery.next_attempt_at <= now)
        .map(|delivery| delivery.subscription_id)
        .collect();
    for subscription_id in due {
        dispatch_head(pool, settings, subscription_id).await?;
    }
    Ok(())
}

/// Sends the head of one subscription, unless another replica holds the
/// subscription or the head is no longer due, and records the outcome in
/// the transaction that holds the lock.
async fn dispatch_head(
    pool: &PgPool,
    settings: &WebhookSettings,
    subscription_id: Uuid,
) -> Result<(), ApiError> {
    let runtime = Handle::current();
    let settings = settings.clone();
    blocking(pool, move |conn| {
        conn.transaction(|conn| {
            if !store::try_lock(conn, subscription_id)? {
                return Ok(());
            }
            // Read again under the lock: another replica may have sent it.
            let Some(delivery) = store::head(conn, subscription_id)? else {
                return Ok(());
            };
            if delivery.next_attempt_at > Utc::now() {
                return Ok(());
            }
            // This thread is one of Tokio's blocking threads, which may
            // wait on the runtime. NOTE: the pooled connection stays taken
            // for up to `timeout_ms` per delivery, one at a time per replica.
            match runtime.block_on(post(&settings, &delivery)) {
                Ok(()) => store::mark_delivered(conn, delivery.id)?,
                Err(error) => {
                    let failures = delivery.attempts + 1;
                    let delay = backoff(&settings, failures);
                    tracing::warn!(
                        delivery = delivery.id,
                        subscription = %subscription_id,
                        attempt = failures,
                        retry_in_ms = delay.as_millis() as u64,
                        %error,
                        "webhook delivery failed"
                    );
                    let next = Utc::now()
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                    store::mark_failed(conn, delivery.id, next, &error)?;
                }
            }
            Ok::<_, ApiError>(())
        })
    })
    .await
}

/// Checks the receiver's host again, then posts the event to the addresses
/// just checked, so a name that now resolves to an internal address is not
/// reached. Redirects are not followed, since their target is unchecked.
async fn post(settings: &WebhookSettings, delivery: &PendingDelivery) -> Result<(), String> {
    let checked = target::resolve(&delivery.url, settings.allow_private_hosts).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(settings.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&checked.host, &checked.addresses)
        .build()
        .map_err(|error| format!("building the HTTP client failed: {error}"))?;
    let response = http
        .post(checked.url)
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
            allow_private_hosts: false,
        };
        let delays: Vec<u128> = (1..=6)
            .map(|failures| backoff(&settings, failures).as_millis())
            .collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    }
}

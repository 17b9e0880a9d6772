//! Builds the running service from its settings, so `main` and the tests
//! start it the same way.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::web;
use hap_kit::db::PgPool;
use hap_kit::settings::SettingsError;
use hap_messaging::OutboxNotifier;
use hap_service::{Base, Running, StartError};

use crate::attachments::Attachments;
use crate::consumers::pipeline::{PipelineHandler, ROUTING_KEYS};
use crate::expiry::{ExpiryGuard, spawn_expiry};
use crate::metrics::{StateGaugeGuard, spawn_state_gauge};
use crate::settings::{CaseSettings, Settings, WebhookSettings};
use crate::webhooks::{DispatcherGuard, spawn_dispatcher};
use crate::{MIGRATIONS, NAME, routes};

/// State shared by the route handlers.
pub struct AppState {
    pub pool: PgPool,
    pub cases: CaseSettings,
    /// The attachment store and the upload rules.
    pub attachments: Attachments,
    /// Wakes the outbox relay after a command that enqueued events.
    pub relay_wake: OutboxNotifier,
    /// Keeps the webhook dispatcher running while the server runs.
    pub webhooks: DispatcherGuard,
    /// The webhook settings, for the subscription checks.
    pub webhooks_settings: WebhookSettings,
    /// Keeps the applications-by-state gauge current while the server runs.
    pub state_gauge: StateGaugeGuard,
    /// Keeps the expiry job running while the server runs.
    pub expiry: ExpiryGuard,
}

/// Starts the service; `listener` overrides the configured port (tests pass
/// one bound to port 0).
pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    base.consume("pipeline", ROUTING_KEYS, PipelineHandler)?;
    base.consume(
        "withdrawals",
        crate::consumers::withdrawals::ROUTING_KEYS,
        crate::consumers::withdrawals::WithdrawalsHandler,
    )?;

    let attachments = Attachments::open(&settings.attachments).map_err(|error| {
        StartError::Settings(SettingsError::Invalid {
            key: "attachments.backend",
            reason: error.to_string(),
        })
    })?;
    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        cases: settings.cases.clone(),
        attachments,
        relay_wake: base.outbox_notifier(),
        webhooks: spawn_dispatcher(base.pool.clone(), settings.webhooks.clone()),
        webhooks_settings: settings.webhooks.clone(),
        state_gauge: spawn_state_gauge(base.pool.clone(), base.registry())?,
        expiry: spawn_expiry(
            base.pool.clone(),
            settings.cases.clone(),
            Duration::from_secs(settings.cases.expiry_interval_seconds),
            base.outbox_notifier(),
        ),
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

//! Builds the running service from its settings, so `main` and the tests
//! start it the same way.

use std::net::TcpListener;

use actix_web::web;
use hap_kit::db::PgPool;
use hap_messaging::OutboxNotifier;
use hap_service::{Base, Running, StartError};

use crate::consumers::pipeline::{PipelineHandler, ROUTING_KEYS};
use crate::settings::{CaseSettings, Settings};
use crate::{MIGRATIONS, NAME, routes};

/// State shared by the route handlers.
pub struct AppState {
    pub pool: PgPool,
    pub cases: CaseSettings,
    /// Wakes the outbox relay after a command that enqueued events.
    pub relay_wake: OutboxNotifier,
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

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        cases: settings.cases.clone(),
        relay_wake: base.outbox_notifier(),
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

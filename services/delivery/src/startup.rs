//! Builds the running service from its settings.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::web;
use hap_crypt4gh::SecretKey;
use hap_kit::db::PgPool;
use hap_kit::settings::SettingsError;
use hap_kit::store::WorkStore;
use hap_service::{Base, Running, StartError};
use tokio::runtime::Handle;

use crate::consumers::released::{self, ReleasedHandler};
use crate::consumers::revoked::{self, RevokedHandler};
use crate::settings::Settings;
use crate::store::DeliveryStore;
use crate::{MIGRATIONS, NAME, custodian, lifecycle, routes};

pub struct AppState {
    pub pool: PgPool,
    pub store: DeliveryStore,
    /// Lifetime of a download grant in seconds.
    pub grant_seconds: u32,
    /// The custodian key, which opens every package's header to add recipients.
    pub custodian: SecretKey,
}

pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    let store = crate::store::open(&settings.store).map_err(|error| {
        StartError::Settings(SettingsError::Invalid {
            key: "store.delivery_backend",
            reason: error.to_string(),
        })
    })?;
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    let custodian = custodian::load(
        &base.pool,
        settings
            .delivery
            .custodian_secret_key
            .as_ref()
            .map(|key| key.expose()),
    )
    .await?;

    base.consume(
        "released",
        released::ROUTING_KEYS,
        ReleasedHandler {
            work: WorkStore::new(&settings.store.work_dir),
            deliveries: store.clone(),
            custodian: custodian.public_key(),
            runtime: Handle::current(),
        },
    )?;
    base.consume(
        "revoked",
        revoked::ROUTING_KEYS,
        RevokedHandler {
            deliveries: store.clone(),
            runtime: Handle::current(),
        },
    )?;
    // NOTE: the sweeper task is not stopped with the server; it ends with the process.
    lifecycle::spawn_sweeper(
        base.pool.clone(),
        store.clone(),
        base.outbox_notifier(),
        Duration::from_secs(u64::from(settings.delivery.sweep_seconds)),
    );

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        store,
        grant_seconds: settings.delivery.grant_seconds,
        custodian,
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

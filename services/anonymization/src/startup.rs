//! Builds the running service from its settings.

use std::net::TcpListener;

use actix_web::web;
use hap_kit::db::PgPool;
use hap_kit::store::WorkStore;
use hap_service::{Base, Running, StartError};

use crate::consumers::linked::{AlterRelease, LinkedHandler, ROUTING_KEYS, keep_release};
use crate::settings::Settings;
use crate::{MIGRATIONS, NAME, routes};

pub struct AppState {
    pub pool: PgPool,
}

pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    start_altering(settings, listener, keep_release).await
}

/// Starts the service with `alter_release` applied to each microdata
/// release before its independent check; see [`LinkedHandler`]. Only tests
/// pass anything but [`keep_release`].
pub async fn start_altering(
    settings: Settings,
    listener: Option<TcpListener>,
    alter_release: AlterRelease,
) -> Result<Running, StartError> {
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    base.consume(
        "linked",
        ROUTING_KEYS,
        LinkedHandler {
            store: WorkStore::new(&settings.store.work_dir),
            profile: settings.anonymization.clone(),
            alter_release,
        },
    )?;

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

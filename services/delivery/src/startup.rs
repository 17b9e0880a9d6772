//! Builds the running service from its settings.

use std::net::TcpListener;
use std::path::PathBuf;

use actix_web::web;
use hap_kit::db::PgPool;
use hap_kit::store::WorkStore;
use hap_service::{Base, Running, StartError};

use crate::consumers::released::{ROUTING_KEYS, ReleasedHandler};
use crate::settings::Settings;
use crate::{MIGRATIONS, NAME, routes};

pub struct AppState {
    pub pool: PgPool,
    pub delivery_dir: PathBuf,
}

pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    let delivery_dir = PathBuf::from(&settings.store.delivery_dir);
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    base.consume(
        "released",
        ROUTING_KEYS,
        ReleasedHandler {
            store: WorkStore::new(&settings.store.work_dir),
            delivery_dir: delivery_dir.clone(),
        },
    )?;

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        delivery_dir,
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

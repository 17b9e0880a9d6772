//! Builds the running service from its settings.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::web;
use hap_identity::Rules;
use hap_kit::db::PgPool;
use hap_kit::settings::decode_hex_key;
use hap_service::{Base, Running, StartError};

use crate::consumers::applications::{ApplicationsHandler, ROUTING_KEYS};
use crate::domain::basis::RegistryBasis;
use crate::settings::Settings;
use crate::{MIGRATIONS, NAME, routes};

/// State shared by the route handlers.
pub struct AppState {
    pub pool: PgPool,
    pub registries: Arc<Vec<RegistryBasis>>,
    pub platform_key: Vec<u8>,
    pub identity: Rules,
    pub max_import_bytes: usize,
}

pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    let platform_key = decode_hex_key("consent.platform_key", &settings.consent.platform_key)?;
    let registries = Arc::new(settings.consent.registries.clone());
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    base.consume(
        "applications",
        ROUTING_KEYS,
        ApplicationsHandler {
            registries: registries.clone(),
        },
    )?;

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        registries,
        platform_key,
        identity: settings.consent.identity,
        max_import_bytes: settings.consent.max_import_bytes,
    });
    let max_import = settings.consent.max_import_bytes;
    base.serve(&settings.common, listener, move |config| {
        config
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(max_import + 1));
        routes::configure(config);
    })
    .await
}

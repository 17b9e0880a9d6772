//! Builds the running service from its settings.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::web;
use hap_identity::Rules;
use hap_kit::db::PgPool;
use hap_kit::http::BodyLimit;
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
    });
    // The CSV import is the only raw body of this service, so its limit
    // applies to every `Bytes` extractor here. JSON bodies keep the
    // `http.max_body_bytes` limit.
    let import_limit = BodyLimit::new(
        settings.consent.max_import_bytes,
        "consent.max_import_bytes",
    );
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        import_limit.register(config);
        routes::configure(config);
    })
    .await
}

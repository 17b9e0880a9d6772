//! Builds the running service from its settings.

use std::net::TcpListener;

use actix_web::web;
use hap_kit::db::PgPool;
use hap_kit::settings::{SettingsError, decode_hex_key};
use hap_kit::store::WorkStore;
use hap_service::{Base, Running, StartError};

use crate::consumers::cleared::{ClearedHandler, ROUTING_KEYS};
use crate::exclusions::ExclusionClient;
use crate::keys::MasterKeys;
use crate::settings::Settings;
use crate::{MIGRATIONS, NAME, routes};

pub struct AppState {
    pub pool: PgPool,
    /// The registry extracts that feasibility counts read.
    pub registry_dir: std::path::PathBuf,
    /// Identity-number rules for feasibility counts.
    pub rules: hap_identity::Rules,
}

pub async fn start(
    settings: Settings,
    listener: Option<TcpListener>,
) -> Result<Running, StartError> {
    let handler = ClearedHandler {
        store: WorkStore::new(&settings.store.work_dir),
        registry_dir: settings.store.registry_dir.clone().into(),
        master_keys: MasterKeys::new(
            settings.linkage.master_key_id.clone(),
            decode_hex_key("linkage.master_key", &settings.linkage.master_key)?,
            settings.linkage.retired_keys()?,
        ),
        platform_key: decode_hex_key("linkage.platform_key", &settings.linkage.platform_key)?,
        rules: settings.linkage.identity,
        exclusions: ExclusionClient::new(&settings.linkage.consent, &settings.common.auth)
            .map_err(|reason| {
                StartError::Settings(SettingsError::Invalid {
                    key: "linkage.consent",
                    reason,
                })
            })?,
    };
    let mut base = Base::start(
        NAME,
        &settings.common,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
    )
    .await?;
    base.consume("cleared", ROUTING_KEYS, handler)?;

    let state = web::Data::new(AppState {
        pool: base.pool.clone(),
        registry_dir: settings.store.registry_dir.clone().into(),
        rules: settings.linkage.identity,
    });
    base.serve(&settings.common, listener, move |config| {
        config.app_data(state.clone());
        routes::configure(config);
    })
    .await
}

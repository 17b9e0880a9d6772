use std::future::Future;
use std::process::ExitCode;

use diesel_migrations::EmbeddedMigrations;
use hap_kit::db;
use hap_kit::settings::{self, Validate};
use serde::de::DeserializeOwned;

use crate::{HasCommon, Running, StartError};

/// Runs the `main` of every service binary.
///
/// With no argument it starts the service. With `migrate` it creates the
/// database when missing, applies the migrations and exits, which is what the
/// Kubernetes pre-upgrade Job runs.
pub fn run_main<S, F, Fut>(
    name: &'static str,
    defaults: &str,
    migrations: &[&'static EmbeddedMigrations],
    start: F,
) -> ExitCode
where
    S: DeserializeOwned + Validate + HasCommon,
    F: FnOnce(S) -> Fut,
    Fut: Future<Output = Result<Running, StartError>>,
{
    let command = std::env::args().nth(1);
    let settings: S = match settings::load(defaults) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{name}: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = match hap_kit::telemetry::init(name, &settings.common().telemetry) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("{name}: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: the async runtime could not start: {error}");
            return ExitCode::FAILURE;
        }
    };

    match command.as_deref() {
        None | Some("serve") => runtime.block_on(async {
            let running = match start(settings).await {
                Ok(running) => running,
                Err(error) => {
                    tracing::error!(%error, "start failed");
                    return ExitCode::FAILURE;
                }
            };
            match running.wait().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!(%error, "server failed");
                    ExitCode::FAILURE
                }
            }
        }),
        Some("migrate") => {
            let database = &settings.common().database;
            let pool = db::connect(database);
            let result = db::ensure_database_exists(&database.url)
                .and_then(|()| db::run_migrations(&pool, migrations));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!(%error, "migration failed");
                    ExitCode::FAILURE
                }
            }
        }
        Some(other) => {
            eprintln!("{name}: unknown command `{other}`; use `serve` (the default) or `migrate`");
            ExitCode::from(2)
        }
    }
}

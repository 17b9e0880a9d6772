use std::process::ExitCode;

use hap_applications::settings::{DEFAULTS, Settings};
use hap_applications::{MIGRATIONS, NAME, startup};

fn main() -> ExitCode {
    hap_service::run_main(
        NAME,
        DEFAULTS,
        &[&hap_messaging::MIGRATIONS, &MIGRATIONS],
        |settings: Settings| startup::start(settings, None),
    )
}

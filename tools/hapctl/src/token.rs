//! `hapctl token`

use anyhow::Context;
use hap_kit::auth::{Role, issue_dev_steward_token};

#[derive(clap::Args)]
pub struct TokenArgs {
    /// Role to put in the token; repeat for several.
    #[arg(long = "role", required = true, value_parser = parse_role)]
    roles: Vec<Role>,
    /// A registry the subject is steward of (`cancer`); repeat for several.
    /// A steward reaches only the consent records and access logs of the
    /// registries its token names.
    #[arg(long = "registry")]
    registries: Vec<String>,
    /// The token's subject (`sub`).
    #[arg(long, default_value = "dev-user")]
    subject: String,
    /// The development issuer's secret, as the services have it in `auth.dev_secret`.
    #[arg(long, env = "HAP__AUTH__DEV_SECRET", hide_env_values = true)]
    secret: String,
    /// The development issuer's name (`auth.dev_issuer`).
    #[arg(long, default_value = "hap-dev")]
    issuer: String,
    /// Lifetime of the token in seconds.
    #[arg(long, default_value_t = 3600)]
    lifetime: u64,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

#[allow(clippy::print_stdout)]
pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    let registries: Vec<&str> = args.registries.iter().map(String::as_str).collect();
    let token = issue_dev_steward_token(
        &args.secret,
        &args.issuer,
        &args.subject,
        &args.roles,
        &registries,
        args.lifetime,
    )
    .context("signing the development token")?;
    println!("{token}");
    Ok(())
}

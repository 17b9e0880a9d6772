//! `hapctl token`

use anyhow::Context;
use hap_kit::auth::{Role, issue_dev_token};

#[derive(clap::Args)]
pub struct TokenArgs {
    /// Role to put in the token; repeat for several.
    #[arg(long = "role", required = true, value_parser = parse_role)]
    roles: Vec<Role>,
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
    let token = issue_dev_token(
        &args.secret,
        &args.issuer,
        &args.subject,
        &args.roles,
        args.lifetime,
    )
    .context("signing the development token")?;
    println!("{token}");
    Ok(())
}

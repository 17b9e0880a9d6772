#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `hapctl token` signs development tokens that the services' authenticator
//! accepts, with the roles and a steward's registries given on the command
//! line.

use std::process::Command;

use hap_kit::auth::{AuthSettings, Authenticator, Role};

const SECRET: &str = "a-development-secret-of-enough-length";

fn token(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_hapctl"))
        .arg("token")
        .args(args)
        .env("HAP__AUTH__DEV_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn authenticator() -> Authenticator {
    Authenticator::new(AuthSettings::development(SECRET))
}

#[tokio::test]
async fn steward_token_names_registries() {
    let token = token(&[
        "--role",
        "steward",
        "--registry",
        "quality",
        "--registry",
        "birth",
        "--subject",
        "sara",
    ]);

    let principal = authenticator().authenticate(&token).await.unwrap();

    assert_eq!(principal.subject, "sara");
    assert_eq!(principal.roles, [Role::Steward]);
    assert!(principal.stewards("quality"));
    assert!(principal.stewards("birth"));
    assert!(!principal.stewards("cancer"));
}

#[tokio::test]
async fn token_without_registry_names_none() {
    let token = token(&["--role", "steward"]);

    let principal = authenticator().authenticate(&token).await.unwrap();

    assert!(principal.registries.is_empty());
    assert!(!principal.stewards("quality"));
}

//! `hapctl demo`: one application through the running services, as an
//! applicant and a case handler would run it, then a summary of what was
//! delivered.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use hap_client::Endpoints;
use hap_client::scenario::{self, Actors, ApplicationSpec};
use hap_contracts::criteria::Registry;
use hap_kit::auth::{Role, issue_dev_steward_token, issue_dev_token};
use serde_json::Value;

use crate::keys::{DecryptArgs, KeygenArgs, decrypt, keygen};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Port of the applications service; the consent, linkage,
    /// anonymization and delivery services listen on the next four ports.
    #[arg(long, default_value_t = 8081)]
    first_port: u16,
    /// The development issuer's secret, as the services have it.
    #[arg(long, env = "HAP__AUTH__DEV_SECRET", hide_env_values = true)]
    secret: String,
    /// The registry folder, whose quality_consent.csv is imported first.
    #[arg(long, default_value = "var/registries")]
    registry_dir: PathBuf,
    /// Folder for the keys, the encrypted download and the decrypted files.
    #[arg(long, default_value = "var/demo")]
    out: PathBuf,
    /// How long to wait for the delivery after approval, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

#[allow(clippy::print_stdout)]
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let endpoints = Endpoints::local(args.first_port);
    let token = |subject: &str, role: Role| {
        issue_dev_token(&args.secret, "hap-dev", subject, &[role], 3600)
    };
    // The demo's steward imports the consent records of the quality registry.
    let steward = issue_dev_steward_token(
        &args.secret,
        "hap-dev",
        "demo-steward",
        &[Role::Steward],
        &[Registry::Quality.name()],
        3600,
    )?;
    let actors = Actors {
        applicant_subject: "demo-applicant".into(),
        applicant: token("demo-applicant", Role::Applicant)?,
        case_handler: token("demo-case-handler", Role::CaseHandler)?,
        decider: token("demo-decider", Role::Decider)?,
        steward,
    };

    let key_prefix = args.out.join("keys").join("applicant");
    keygen(KeygenArgs {
        out: key_prefix.clone(),
    })?;
    let public_key = fs::read_to_string(key_prefix.with_extension("pub"))?;

    let outcome = runtime.block_on(async {
        scenario::wait_until_ready(&endpoints, Duration::from_secs(60)).await?;
        let consents = args.registry_dir.join("quality_consent.csv");
        let csv = fs::read(&consents).with_context(|| format!("reading {}", consents.display()))?;
        let imported = scenario::import_consents(&endpoints, &actors.steward, csv).await?;
        println!(
            "imported consent events: {} accepted, {} duplicates, {} rejected",
            imported["accepted"],
            imported["duplicates"],
            imported["rejected"].as_array().map_or(0, Vec::len)
        );
        let spec = ApplicationSpec {
            project_id: None,
            title: "Colorectal cancer surgery outcomes".into(),
            request: scenario::colorectal_request(),
            public_key,
            traceparent: None,
        };
        anyhow::Ok(
            scenario::run(
                &endpoints,
                &actors,
                &spec,
                Duration::from_secs(args.timeout),
            )
            .await?,
        )
    })?;

    let folder = args.out.join(outcome.delivery_id.to_string());
    let encrypted = folder.join("encrypted");
    let plain = folder.join("decrypted");
    fs::create_dir_all(&encrypted)?;
    for file in &outcome.files {
        fs::write(encrypted.join(&file.name), &file.bytes)?;
    }
    let manifest = decrypt(DecryptArgs {
        input: encrypted.clone(),
        out: plain.clone(),
        key: key_prefix.with_extension("sec"),
    })?;

    let linkage: Value = serde_json::from_slice(&fs::read(plain.join("linkage-report.json"))?)?;
    let disclosure: Value =
        serde_json::from_slice(&fs::read(plain.join("disclosure-report.json"))?)?;
    println!();
    println!("application   {}", outcome.application_id);
    println!("delivery      {}", outcome.delivery_id);
    println!("cohort size   {}", linkage["cohort_size"]);
    for file in linkage["files"].as_array().into_iter().flatten() {
        let rate = file["linkage_rate"]
            .as_f64()
            .map_or("-".to_owned(), |r| format!("{:.2} %", r * 100.0));
        println!(
            "linkage rate  {:<22} {rate} of {} rows",
            file["file"].as_str().unwrap_or("?"),
            file["rows_read"]
        );
    }
    println!(
        "k reached     {} (required {})",
        disclosure["k_reached"], disclosure["settings"]["k"]
    );
    println!(
        "suppressed    {} of {} records",
        disclosure["records_suppressed"], disclosure["records"]
    );
    for level in disclosure["quasi_identifiers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        println!(
            "generalised   {:<22} {}",
            level["column"].as_str().unwrap_or("?"),
            level["level_name"].as_str().unwrap_or("?")
        );
    }
    println!(
        "files         {}",
        manifest
            .files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("encrypted in  {}", encrypted.display());
    println!("decrypted in  {}", plain.display());
    println!(
        "pipeline      {:.1} s from approval to a downloadable delivery",
        outcome.pipeline_time.as_secs_f64()
    );
    Ok(())
}

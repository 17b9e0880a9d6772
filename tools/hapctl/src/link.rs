//! `hapctl link`: a linkage run offline from files, for operators and
//! benchmarks.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use hap_contracts::criteria::Criterion;
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::columnar::work::Worker;
use hap_linkage::columnar::{
    PersonLists, RegistryDescriptor, RegistryLists, RunPlan, SpineDescriptor, run, run_with,
};
use hap_linkage_queue::{QueueRunner, serve};
use sha2::{Digest, Sha256};

#[derive(clap::Args)]
pub struct LinkArgs {
    /// Spine descriptor (JSON): the population file, its columns and the identity history.
    #[arg(long, value_name = "FILE")]
    spine: PathBuf,
    /// Registry descriptor (JSON); repeat for each registry to link.
    #[arg(long = "registry", value_name = "FILE", required = true)]
    registries: Vec<PathBuf>,
    /// Cohort criteria (JSON), such as {"present": "cancer"}.
    #[arg(long, value_name = "FILE")]
    criteria: PathBuf,
    /// File with the master key in hex (at least 64 hex digits); the
    /// project key derives from it as in the linkage service.
    #[arg(long, value_name = "FILE")]
    master_key_file: PathBuf,
    /// Project id (UUID) whose pseudonyms to write.
    #[arg(long, value_name = "UUID")]
    project: uuid::Uuid,
    /// Exclusion and consent lists (JSON): per registry name, `excluded` and
    /// optionally `consented`, each a list of HMAC-SHA256 person hashes in
    /// hex under the platform key, as the consent service exports them.
    #[arg(long, value_name = "FILE", requires = "platform_key_file")]
    lists: Option<PathBuf>,
    /// File with the platform key in hex, the key of the list hashes.
    #[arg(long, value_name = "FILE", requires = "lists")]
    platform_key_file: Option<PathBuf>,
    /// Output folder, new or empty: persons.parquet, one folder per registry, report.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Check-digit rules: `classic`, or `allow-2032` to also accept numbers issued from 2032.
    #[arg(long, default_value_t = ChecksumPolicy::Allow2032)]
    policy: ChecksumPolicy,
    /// `production` leaves synthetic and test numbers unlinked; `test` links them.
    #[arg(long, default_value_t = Profile::Production)]
    profile: Profile,
    /// Worker threads; the output is the same for every value. Default: one per core.
    #[arg(long)]
    threads: Option<usize>,
    /// Share the run with other processes through the RabbitMQ server at
    /// URL (such as amqp://guest:guest@127.0.0.1:5672/%2f). Start each
    /// other process with the same arguments and --worker. Every process
    /// must mount the same output folder.
    #[arg(long, value_name = "URL")]
    queue: Option<String>,
    /// Do tasks of the run that a coordinator started with the same
    /// arguments hands out, until the run ends.
    #[arg(long, requires = "queue")]
    worker: bool,
    /// Coordinate only: leave every task to the workers.
    #[arg(long, requires = "queue", conflicts_with = "worker")]
    no_local_tasks: bool,
}

/// Reads a key of at least 32 bytes written as hex. `name` names it in errors.
fn read_key(name: &str, path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {name} file {}", path.display()))?;
    let key = data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.trim().as_bytes())
        .map_err(|_| {
            anyhow::anyhow!(
                "the {name} file {} does not hold hex digits; write the key as hex",
                path.display()
            )
        })?;
    if key.len() < 32 {
        anyhow::bail!(
            "the {name} in {} has {} bytes; use at least 32 bytes (64 hex digits)",
            path.display(),
            key.len()
        );
    }
    Ok(key)
}

/// The lists of one registry as the lists file writes them.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ListsEntry {
    #[serde(default)]
    excluded: Vec<String>,
    #[serde(default)]
    consented: Option<Vec<String>>,
}

fn decode_hashes(
    path: &std::path::Path,
    registry: &str,
    hashes: &[String],
) -> anyhow::Result<HashSet<[u8; 32]>> {
    hashes
        .iter()
        .enumerate()
        .map(|(position, text)| {
            data_encoding::HEXLOWER_PERMISSIVE
                .decode(text.as_bytes())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "entry {position} of registry `{registry}` in the lists file {} is not \
                         a 64-digit hex hash; write each person as the hex HMAC-SHA256 of \
                         the number",
                        path.display()
                    )
                })
        })
        .collect()
}

fn read_lists(path: &std::path::Path, platform_key: Vec<u8>) -> anyhow::Result<PersonLists> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the lists file {}", path.display()))?;
    let entries: BTreeMap<String, ListsEntry> = serde_json::from_str(&text).with_context(|| {
        format!(
            "the lists file {} is not a JSON object of registry names to \
             {{\"excluded\": [...], \"consented\": [...]}}",
            path.display()
        )
    })?;
    let mut registries = BTreeMap::new();
    for (name, entry) in entries {
        let excluded = decode_hashes(path, &name, &entry.excluded)?;
        let consented = match &entry.consented {
            Some(hashes) => Some(decode_hashes(path, &name, hashes)?),
            None => None,
        };
        registries.insert(
            name,
            RegistryLists {
                excluded,
                consented,
            },
        );
    }
    Ok(PersonLists {
        platform_key,
        registries,
    })
}

/// Names a run after everything that decides its output, so that the
/// coordinator and its workers, started with the same arguments, meet on
/// the same queues, and a worker with other inputs or keys finds no tasks.
fn run_id(args: &LinkArgs, project_key: &[u8]) -> anyhow::Result<String> {
    let mut digest = Sha256::new();
    let mut add = |part: &[u8]| {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part);
    };
    add(b"hap linkage run 1");
    let mut files = vec![&args.spine, &args.criteria];
    files.extend(&args.registries);
    files.extend(&args.lists);
    files.extend(&args.platform_key_file);
    for path in files {
        let absolute = std::path::absolute(path)
            .with_context(|| format!("resolving the path {}", path.display()))?;
        add(absolute.as_os_str().as_encoded_bytes());
        add(&std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
    }
    let out = std::path::absolute(&args.out)
        .with_context(|| format!("resolving the path {}", args.out.display()))?;
    add(out.as_os_str().as_encoded_bytes());
    add(args.policy.to_string().as_bytes());
    add(args.profile.to_string().as_bytes());
    add(project_key);
    let hex = data_encoding::HEXLOWER.encode(&digest.finalize());
    Ok(hex[..32].to_owned())
}

#[allow(clippy::print_stdout)]
pub fn run_link(args: LinkArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let spine = SpineDescriptor::load(&args.spine)?;
    let registries = args
        .registries
        .iter()
        .map(|path| RegistryDescriptor::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let criteria_text = std::fs::read_to_string(&args.criteria)
        .with_context(|| format!("reading the criteria file {}", args.criteria.display()))?;
    let criteria_json: serde_json::Value = serde_json::from_str(&criteria_text)
        .with_context(|| format!("the criteria file {} is not JSON", args.criteria.display()))?;
    let criterion = Criterion::parse(&criteria_json)
        .with_context(|| format!("checking the criteria file {}", args.criteria.display()))?;
    let master_key = read_key("master key", &args.master_key_file)?;
    let lists = match (&args.lists, &args.platform_key_file) {
        (Some(lists), Some(key)) => Some(read_lists(lists, read_key("platform key", key)?)?),
        _ => None,
    };
    let project_key = hap_linkage::project_key(&master_key, args.project.as_bytes());
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let plan = RunPlan {
        spine: &spine,
        registries: &registries,
        criterion: &criterion,
        rules: Rules::new(args.policy, args.profile),
        project_key: &project_key,
        lists: lists.as_ref(),
        threads,
    };
    let report = match &args.queue {
        None => run(&plan, &args.out)?,
        Some(url) => {
            let id = run_id(&args, &project_key)?;
            if args.worker {
                let worker = Worker::open(&plan, &args.out)?;
                let done = serve(url, &id, &worker, threads)?;
                println!(
                    "did {done} tasks of run {id} in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            let local = if args.no_local_tasks { 0 } else { threads };
            let mut runner = QueueRunner::connect(url, &id, local)?;
            eprintln!(
                "hapctl: run {id} waits for workers; start them with the same arguments and --worker"
            );
            run_with(&plan, &args.out, &mut runner)?
        }
    };
    println!(
        "linked {} registries, cohort {} persons, in {:.1} s; wrote {}",
        report.registries.len(),
        serde_json::to_string(&report.cohort_persons)?,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

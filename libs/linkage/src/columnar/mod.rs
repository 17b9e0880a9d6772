//! Descriptor-driven linkage at national scale: registry extracts in CSV
//! or Parquet described by [`RegistryDescriptor`]s, a spine with identity
//! history, cohort criteria as a [`Criterion`] expression, and output as
//! Parquet with one pseudonym per person.
//!
//! A run reads the spine, selects the cohort (one pass over each registry
//! that an event criterion names), hashes each spine person once, then
//! streams every registry again and writes the rows of cohort persons.
//! Parquet extracts split into parts of whole row groups that threads
//! process in parallel; each part writes its own output file, so the
//! output is the same whatever the number of threads.
//!
//! - `descriptor`: the JSON descriptors.
//! - `source`: reading CSV (`,` or `;`, UTF-8 or Latin-1) and Parquet as Arrow batches.
//! - `guard`: calls into the Parquet reader, with its panics turned into read errors.
//! - `spine`, `index`, `resolve`: the spine, its packed index of numbers,
//!   identity history and unlinked reasons.
//! - `cohort`: criteria checked against the descriptors and evaluated.
//! - `lists`: the persons a permit leaves out of each registry.
//! - `pseudonyms`, `deliver`, `persons`: hashing and the output files.
//! - `report`: [`RunReport`].
//! - [`work`]: the run as tasks, which threads or the workers of other
//!   processes do.

mod calendar;
mod cohort;
mod deliver;
pub mod descriptor;
pub mod error;
mod folder;
mod guard;
mod index;
mod lists;
mod parallel;
mod persons;
mod pseudonyms;
pub mod report;
pub mod resolve;
mod source;
mod spine;
pub mod work;

use std::path::Path;

use hap_contracts::criteria::Criterion;
use hap_identity::Rules;

use crate::columnar::cohort::CohortPlan;
use crate::columnar::deliver::{PartOutcome, registry_report, write_error};
use crate::columnar::lists::LeftOutSets;
use crate::columnar::report::{Count, Overlap, RunReport};
use crate::columnar::spine::Spine;
use crate::columnar::work::{LocalRunner, Worker, work_folder};

pub use descriptor::{RegistryDescriptor, SpineDescriptor};
pub use error::RunError;
pub use folder::registry_folder;
pub use guard::inside_reader_guard;
pub use lists::{PersonLists, RegistryLists};
pub use persons::PERSONS_FILE;
pub use report::{FeasibilityCount, RegistryReport, RowCounts};
pub use resolve::Unlinked;
pub use work::{Task, TaskOutcome, TaskRunner};

/// File name of the report in the output folder.
pub const REPORT_FILE: &str = "report.json";

/// The inputs of one run.
pub struct RunPlan<'a> {
    pub spine: &'a SpineDescriptor,
    pub registries: &'a [RegistryDescriptor],
    pub criterion: &'a Criterion,
    pub rules: Rules,
    /// Key of the project's pseudonyms.
    pub project_key: &'a [u8],
    /// The persons left out of each registry. `None` leaves no person out.
    pub lists: Option<&'a PersonLists>,
    /// Worker threads; the output does not depend on it.
    pub threads: usize,
}

/// Checks the plan before anything is read: registry names unique, the
/// criteria valid against the descriptors, the key not empty.
pub(crate) fn check(plan: &RunPlan<'_>) -> Result<CohortPlan, RunError> {
    for (index, registry) in plan.registries.iter().enumerate() {
        if plan.registries[..index]
            .iter()
            .any(|earlier| earlier.name == registry.name)
        {
            return Err(RunError::Descriptor {
                path: registry.file.path.clone(),
                message: format!(
                    "registry `{}` is given twice; give each registry once",
                    registry.name
                ),
            });
        }
    }
    if let Some(lists) = plan.lists {
        lists.check(plan.registries)?;
    }
    Ok(CohortPlan::check(
        plan.criterion,
        plan.spine,
        plan.registries,
    )?)
}

/// Returns the persons the plan's lists leave out of each registry.
pub(crate) fn left_out(plan: &RunPlan<'_>, spine: &Spine) -> LeftOutSets {
    match plan.lists {
        Some(lists) => LeftOutSets::compute(spine, lists, plan.registries, plan.threads),
        None => LeftOutSets::none(plan.registries.len()),
    }
}

/// Returns the number of persons the criteria select, without writing.
pub fn cohort_size(plan: &RunPlan<'_>) -> Result<u64, RunError> {
    let cohort_plan = check(plan)?;
    let spine = Spine::read(plan.spine, plan.rules, plan.threads)?;
    let left_out = left_out(plan, &spine);
    Ok(cohort_plan
        .select(&spine, &left_out, plan.registries, plan.threads)?
        .size)
}

/// Runs the linkage on this process's threads and writes
/// `persons.parquet`, one folder of Parquet parts per registry and
/// `report.json` to `out_dir`, which must be new or empty. The same inputs
/// and key give byte-identical files.
pub fn run(plan: &RunPlan<'_>, out_dir: &Path) -> Result<RunReport, RunError> {
    run_with(plan, out_dir, &mut LocalRunner)
}

/// Runs the linkage as [`run`] does, with `runner` doing the tasks, which
/// may hand them to workers in other processes. The files do not depend
/// on which process does a task.
pub fn run_with(
    plan: &RunPlan<'_>,
    out_dir: &Path,
    runner: &mut dyn TaskRunner,
) -> Result<RunReport, RunError> {
    check(plan)?;
    if plan.project_key.is_empty() {
        return Err(RunError::Descriptor {
            path: out_dir.to_path_buf(),
            message: "the project key is empty; pass the key of the project".to_owned(),
        });
    }
    prepare_output(out_dir)?;

    let worker = Worker::open(plan, out_dir)?;
    let finished = work::coordinate(&worker, runner)?;
    let spine = worker.spine();

    let mut parts: Vec<Vec<PartOutcome>> = plan.registries.iter().map(|_| Vec::new()).collect();
    for (task, outcome) in finished.delivered {
        if let Task::Deliver { registry, .. } = task {
            parts[registry].push(outcome);
        }
    }
    let mut presence: Vec<Vec<u64>> = Vec::with_capacity(plan.registries.len());
    let mut registries = Vec::with_capacity(plan.registries.len());
    for (descriptor, parts) in plan.registries.iter().zip(&parts) {
        let mut present = vec![0_u64; spine.len().div_ceil(64)];
        for part in parts {
            for (mine, theirs) in present.iter_mut().zip(&part.present) {
                *mine |= theirs;
            }
        }
        registries.push(registry_report(descriptor, parts));
        presence.push(present);
    }
    persons::write_persons(out_dir, spine, finished.cohort, finished.pseudonyms)?;

    let mut overlap = Vec::new();
    for (first, a) in plan.registries.iter().enumerate() {
        for (second, b) in plan.registries.iter().enumerate().skip(first + 1) {
            let persons = presence[first]
                .iter()
                .zip(&presence[second])
                .map(|(x, y)| u64::from((x & y).count_ones()))
                .sum();
            overlap.push(Overlap {
                registries: [a.name.clone(), b.name.clone()],
                persons: Count(persons),
            });
        }
    }
    let report = RunReport {
        spine: spine.report.clone(),
        registries,
        overlap,
        cohort_persons: Count(finished.cohort.size),
    };
    let path = out_dir.join(REPORT_FILE);
    let mut json = serde_json::to_vec_pretty(&report).map_err(|error| write_error(&path, error))?;
    json.push(b'\n');
    std::fs::write(&path, json).map_err(|error| write_error(&path, error))?;
    let work = work_folder(out_dir);
    std::fs::remove_dir_all(&work).map_err(|error| write_error(&work, error))?;
    Ok(report)
}

fn prepare_output(out_dir: &Path) -> Result<(), RunError> {
    match std::fs::read_dir(out_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(RunError::OutputNotEmpty {
                    path: out_dir.to_path_buf(),
                });
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(out_dir).map_err(|error| write_error(out_dir, error))
        }
        Err(error) => Err(write_error(out_dir, error)),
    }
}

//! A run as tasks that any process holding the run's inputs can do:
//! selecting the persons of one part of a registry, and delivering one part
//! of a registry. The local run does the tasks on threads; a work queue
//! lets several processes share them, each opening its own [`Worker`].
//!
//! A coordinator owns the run ([`run_with`]). It hands out the select
//! tasks and combines their hits into the cohort, which it writes to the
//! run's work folder for the other workers. Then it hands out the deliver
//! tasks and writes the persons file and the report. A task done twice, as after a
//! worker dies before acknowledging it, writes the same bytes again.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::columnar::cohort::{Cohort, CohortPlan, Hits};
use crate::columnar::deliver::{Delivery, PartOutcome, write_error};
use crate::columnar::error::RunError;
use crate::columnar::lists::LeftOutSets;
use crate::columnar::parallel::run_parts;
use crate::columnar::pseudonyms::Pseudonyms;
use crate::columnar::report::{ReasonCounts, RowCounts};
use crate::columnar::source::Extract;
use crate::columnar::spine::Spine;
use crate::columnar::{RunPlan, check, left_out};

/// Folder inside the output folder that contains the files the workers of
/// a run share. The run removes it when it ends.
pub const WORK_FOLDER: &str = ".hap-work";
/// The cohort bit set in the work folder.
const COHORT_FILE: &str = "cohort.bits";
/// First bytes of the cohort file.
const COHORT_MAGIC: &[u8; 8] = b"HAPCOH01";

/// One unit of work of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
pub enum Task {
    /// Marks the persons whose rows in one part of a registry meet the
    /// event criteria.
    Select { registry: usize, part: usize },
    /// Writes the cohort rows of one part of a registry and counts its rows.
    Deliver { registry: usize, part: usize },
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::Select { registry, part } => {
                write!(f, "select registry {registry} part {part}")
            }
            Task::Deliver { registry, part } => {
                write!(f, "deliver registry {registry} part {part}")
            }
        }
    }
}

/// The result of one task: the hits of a select task, or the counts of a
/// deliver task. [`Worker::encode`] and [`Worker::decode`] carry it between
/// processes.
pub struct TaskOutcome(Outcome);

enum Outcome {
    Selected(Hits),
    Delivered(PartOutcome),
}

/// Does tasks of one run. Opening one reads the spine and the lists, so a
/// process opens one worker per run and keeps it for every task.
pub struct Worker<'a> {
    plan: &'a RunPlan<'a>,
    cohort_plan: CohortPlan,
    spine: Spine,
    left_out: LeftOutSets,
    out_dir: PathBuf,
    /// The cohort and the pseudonyms, once the select tasks are done.
    delivery: OnceLock<(Cohort, Pseudonyms)>,
    /// Held while the cohort file is read and the pseudonyms computed, so
    /// that threads waiting for them do that work once.
    loading: Mutex<()>,
}

impl<'a> Worker<'a> {
    /// Checks the plan and reads the spine and the lists. `out_dir` is the
    /// run's output folder, which every worker of the run shares.
    pub fn open(plan: &'a RunPlan<'a>, out_dir: &Path) -> Result<Self, RunError> {
        let cohort_plan = check(plan)?;
        let spine = Spine::read(plan.spine, plan.rules, plan.threads)?;
        let left_out = left_out(plan, &spine);
        Ok(Self {
            plan,
            cohort_plan,
            spine,
            left_out,
            out_dir: out_dir.to_path_buf(),
            delivery: OnceLock::new(),
            loading: Mutex::new(()),
        })
    }

    /// Threads the plan allows this process.
    pub fn threads(&self) -> usize {
        self.plan.threads
    }

    /// Returns the select tasks: every part of every registry an event
    /// criterion names.
    pub fn select_tasks(&self) -> Result<Vec<Task>, RunError> {
        let mut tasks = Vec::new();
        for registry in self.cohort_plan.registries_read() {
            let parts = Extract::open(&self.plan.registries[registry].file)?.part_count();
            tasks.extend((0..parts).map(|part| Task::Select { registry, part }));
        }
        Ok(tasks)
    }

    /// Returns the deliver tasks: every part of every registry.
    pub fn deliver_tasks(&self) -> Result<Vec<Task>, RunError> {
        let mut tasks = Vec::new();
        for (registry, descriptor) in self.plan.registries.iter().enumerate() {
            let parts = Extract::open(&descriptor.file)?.part_count();
            tasks.extend((0..parts).map(|part| Task::Deliver { registry, part }));
        }
        Ok(tasks)
    }

    /// Does one task.
    pub fn run(&self, task: Task) -> Result<TaskOutcome, RunError> {
        match task {
            Task::Select { registry, part } => {
                let descriptor = self.registry(task, registry)?;
                let extract = Extract::open(&descriptor.file)?;
                check_part(task, part, &extract)?;
                let hits = self.cohort_plan.select_part(
                    &self.spine,
                    &self.left_out,
                    (registry, &extract),
                    part,
                )?;
                Ok(TaskOutcome(Outcome::Selected(hits)))
            }
            Task::Deliver { registry, part } => {
                let descriptor = self.registry(task, registry)?;
                let extract = Extract::open(&descriptor.file)?;
                check_part(task, part, &extract)?;
                let (cohort, pseudonyms) = self.delivery_inputs()?;
                let delivery = Delivery {
                    spine: &self.spine,
                    cohort,
                    left_out: &self.left_out,
                    pseudonyms,
                    out_dir: &self.out_dir,
                };
                let outcome = delivery.part((registry, descriptor), &extract, part)?;
                Ok(TaskOutcome(Outcome::Delivered(outcome)))
            }
        }
    }

    fn registry(
        &self,
        task: Task,
        registry: usize,
    ) -> Result<&crate::columnar::RegistryDescriptor, RunError> {
        self.plan
            .registries
            .get(registry)
            .ok_or_else(|| mismatch(task, "the run has fewer registries"))
    }

    /// Returns the cohort and pseudonyms, which the coordinator sets, or
    /// else reads them from the work folder and computes them on the first
    /// deliver task.
    fn delivery_inputs(&self) -> Result<(&Cohort, &Pseudonyms), RunError> {
        if let Some((cohort, pseudonyms)) = self.delivery.get() {
            return Ok((cohort, pseudonyms));
        }
        let _loading = self
            .loading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((cohort, pseudonyms)) = self.delivery.get() {
            return Ok((cohort, pseudonyms));
        }
        let cohort = read_cohort(&self.out_dir, self.spine.len())?;
        let pseudonyms =
            Pseudonyms::compute(&self.spine, self.plan.project_key, self.plan.threads)?;
        let (cohort, pseudonyms) = self.delivery.get_or_init(|| (cohort, pseudonyms));
        Ok((cohort, pseudonyms))
    }

    /// Sets the cohort and pseudonyms of the coordinator's own worker.
    fn set_delivery(&self, cohort: Cohort, pseudonyms: Pseudonyms) {
        let _ = self.delivery.set((cohort, pseudonyms));
    }

    pub(crate) fn spine(&self) -> &Spine {
        &self.spine
    }

    pub(crate) fn cohort_plan(&self) -> &CohortPlan {
        &self.cohort_plan
    }

    /// Encodes an outcome for a work queue.
    pub fn encode(&self, outcome: &TaskOutcome) -> Vec<u8> {
        let mut words = Vec::new();
        match &outcome.0 {
            Outcome::Selected(hits) => {
                words.push(1);
                words.push(hits.events.len() as u64);
                for event in &hits.events {
                    push_list(&mut words, event);
                }
            }
            Outcome::Delivered(outcome) => {
                words.push(2);
                for list in [&outcome.years, &outcome.others] {
                    words.push(list.len() as u64);
                    for counts in list {
                        push_counts(&mut words, counts);
                    }
                }
                push_list(&mut words, &outcome.invalid_values);
                push_list(&mut words, &outcome.present);
            }
        }
        words.iter().flat_map(|word| word.to_le_bytes()).collect()
    }

    /// Decodes the outcome of `task` that another worker encoded, checking
    /// that its sizes fit this run.
    pub fn decode(&self, task: Task, bytes: &[u8]) -> Result<TaskOutcome, RunError> {
        if !bytes.len().is_multiple_of(8) {
            return Err(mismatch(task, "the result is not whole 64-bit words"));
        }
        let words: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut word = [0_u8; 8];
                word.copy_from_slice(chunk);
                u64::from_le_bytes(word)
            })
            .collect();
        let mut reader = WordReader {
            words: &words,
            task,
        };
        let persons = self.spine.len().div_ceil(64);
        let outcome = match (task, reader.next()?) {
            (Task::Select { .. }, 1) => {
                let events = reader.next()?;
                let expected = self.cohort_plan.no_hits(&self.spine);
                if events != expected.events.len() as u64 {
                    return Err(mismatch(task, "the result has another number of criteria"));
                }
                let mut hits = expected;
                for event in &mut hits.events {
                    *event = reader.list(persons)?;
                }
                Outcome::Selected(hits)
            }
            (Task::Deliver { registry, .. }, 2) => {
                let descriptor = self.registry(task, registry)?;
                let mut outcome = PartOutcome::empty(descriptor, self.spine.len());
                for list in [&mut outcome.years, &mut outcome.others] {
                    let length = list.len();
                    if reader.next()? != length as u64 {
                        return Err(mismatch(task, "the result has other row counts"));
                    }
                    for counts in list.iter_mut() {
                        *counts = reader.counts()?;
                    }
                }
                outcome.invalid_values = reader.list(descriptor.variables.len())?;
                outcome.present = reader.list(persons)?;
                Outcome::Delivered(outcome)
            }
            _ => return Err(mismatch(task, "the result is of another kind of task")),
        };
        if !reader.words.is_empty() {
            return Err(mismatch(task, "the result is longer than expected"));
        }
        Ok(TaskOutcome(outcome))
    }
}

fn check_part(task: Task, part: usize, extract: &Extract) -> Result<(), RunError> {
    if part >= extract.part_count() {
        return Err(mismatch(task, "the extract has fewer parts"));
    }
    Ok(())
}

/// Returns the error for a task or result that does not fit the run of
/// this worker, as when a worker was started with other inputs than the
/// coordinator.
fn mismatch(task: Task, reason: &str) -> RunError {
    RunError::Task {
        task: task.to_string(),
        message: format!(
            "{reason} than this worker's run; start every worker of a run with the same \
             descriptors, files, criteria and keys"
        ),
    }
}

fn push_list(words: &mut Vec<u64>, values: &[u64]) {
    words.push(values.len() as u64);
    words.extend_from_slice(values);
}

fn push_counts(words: &mut Vec<u64>, counts: &RowCounts) {
    words.extend([
        counts.records,
        counts.linked,
        counts.remapped,
        counts.delivered,
        counts.excluded,
        counts.without_consent,
    ]);
    words.extend_from_slice(&counts.unlinked.0);
}

struct WordReader<'w> {
    words: &'w [u64],
    task: Task,
}

impl WordReader<'_> {
    fn take(&mut self, count: usize) -> Result<&[u64], RunError> {
        if self.words.len() < count {
            return Err(mismatch(self.task, "the result is shorter"));
        }
        let (taken, rest) = self.words.split_at(count);
        self.words = rest;
        Ok(taken)
    }

    fn next(&mut self) -> Result<u64, RunError> {
        Ok(self.take(1)?[0])
    }

    /// Reads a list that must have `length` values.
    fn list(&mut self, length: usize) -> Result<Vec<u64>, RunError> {
        if self.next()? != length as u64 {
            return Err(mismatch(
                self.task,
                "the result has another number of persons",
            ));
        }
        Ok(self.take(length)?.to_vec())
    }

    fn counts(&mut self) -> Result<RowCounts, RunError> {
        let fields = self.take(6)?;
        let (records, linked, remapped, delivered, excluded, without_consent) = (
            fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
        );
        let mut unlinked = ReasonCounts::default();
        let reasons = unlinked.0.len();
        unlinked.0.copy_from_slice(self.take(reasons)?);
        Ok(RowCounts {
            records,
            linked,
            remapped,
            unlinked,
            delivered,
            excluded,
            without_consent,
        })
    }
}

/// Does tasks for a coordinator: on threads of this process, or through a
/// work queue that other processes share.
pub trait TaskRunner {
    /// Does every task and returns the outcomes in task order. `worker` is
    /// the coordinator's own, for the tasks done in this process.
    fn run_all(
        &mut self,
        worker: &Worker<'_>,
        tasks: &[Task],
    ) -> Result<Vec<TaskOutcome>, RunError>;
}

/// Does every task on the worker's threads.
pub struct LocalRunner;

impl TaskRunner for LocalRunner {
    fn run_all(
        &mut self,
        worker: &Worker<'_>,
        tasks: &[Task],
    ) -> Result<Vec<TaskOutcome>, RunError> {
        run_parts(tasks.len(), worker.threads(), |index| {
            worker.run(tasks[index])
        })
    }
}

/// Path of the work folder of the run writing to `out_dir`.
pub fn work_folder(out_dir: &Path) -> PathBuf {
    out_dir.join(WORK_FOLDER)
}

/// Writes the cohort for the workers of other processes. The file is
/// written under another name and renamed, so no worker reads half of it.
pub(crate) fn write_cohort(out_dir: &Path, cohort: &Cohort) -> Result<(), RunError> {
    let folder = work_folder(out_dir);
    fs::create_dir_all(&folder).map_err(|error| write_error(&folder, error))?;
    let mut bytes = Vec::with_capacity(16 + cohort.bits.len() * 8);
    bytes.extend_from_slice(COHORT_MAGIC);
    bytes.extend_from_slice(&cohort.size.to_le_bytes());
    for word in &cohort.bits {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let partial = folder.join(format!("{COHORT_FILE}.partial-{}", std::process::id()));
    let path = folder.join(COHORT_FILE);
    fs::write(&partial, bytes).map_err(|error| write_error(&partial, error))?;
    fs::rename(&partial, &path).map_err(|error| write_error(&path, error))
}

fn read_cohort(out_dir: &Path, persons: usize) -> Result<Cohort, RunError> {
    let path = work_folder(out_dir).join(COHORT_FILE);
    let bytes = fs::read(&path).map_err(|source| RunError::Io {
        path: path.clone(),
        source,
    })?;
    let words = persons.div_ceil(64);
    if bytes.len() != 16 + words * 8 || &bytes[..8] != COHORT_MAGIC {
        return Err(RunError::Read {
            path,
            message: format!(
                "not the cohort of a spine of {persons} persons; start every worker of a run \
                 with the same spine"
            ),
        });
    }
    let word = |chunk: &[u8]| {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    Ok(Cohort {
        size: word(&bytes[8..16]),
        bits: bytes[16..].chunks_exact(8).map(word).collect(),
    })
}

/// The state a coordinator keeps after the tasks: the cohort, the
/// pseudonyms and the outcomes of the deliver tasks.
pub(crate) struct Finished<'w> {
    pub(crate) cohort: &'w Cohort,
    pub(crate) pseudonyms: &'w Pseudonyms,
    pub(crate) delivered: Vec<(Task, PartOutcome)>,
}

/// Runs the tasks of a run as its coordinator: selection, the cohort, then
/// delivery.
pub(crate) fn coordinate<'w>(
    worker: &'w Worker<'_>,
    runner: &mut dyn TaskRunner,
) -> Result<Finished<'w>, RunError> {
    let select = worker.select_tasks()?;
    let mut hits = worker.cohort_plan().no_hits(worker.spine());
    for (task, outcome) in select.iter().zip(runner.run_all(worker, &select)?) {
        match outcome.0 {
            Outcome::Selected(part) => worker.cohort_plan().merge_hits(&mut hits, &part),
            Outcome::Delivered(_) => {
                return Err(mismatch(*task, "the result is of another kind of task"));
            }
        }
    }
    let cohort = worker.cohort_plan().combine(worker.spine(), &hits);
    write_cohort(&worker.out_dir, &cohort)?;
    let pseudonyms =
        Pseudonyms::compute(worker.spine(), worker.plan.project_key, worker.threads())?;
    worker.set_delivery(cohort, pseudonyms);

    let deliver = worker.deliver_tasks()?;
    let outcomes = runner.run_all(worker, &deliver)?;
    let mut delivered = Vec::with_capacity(outcomes.len());
    for (task, outcome) in deliver.into_iter().zip(outcomes) {
        match outcome.0 {
            Outcome::Delivered(outcome) => delivered.push((task, outcome)),
            Outcome::Selected(_) => {
                return Err(mismatch(task, "the result is of another kind of task"));
            }
        }
    }
    let (cohort, pseudonyms) = worker.delivery_inputs()?;
    Ok(Finished {
        cohort,
        pseudonyms,
        delivered,
    })
}

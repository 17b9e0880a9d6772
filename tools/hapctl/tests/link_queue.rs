#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `hapctl link --queue` as built binaries against the real RabbitMQ: a
//! worker process killed with SIGKILL in the middle of a task, and the run
//! still ends with the files of a run in one process.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use hap_testkit::TestBroker;
use hap_testkit::files::assert_same_files;
use tempfile::TempDir;

/// Maximum wait for a process or a file in this test.
const PATIENCE: Duration = Duration::from_secs(300);

fn hapctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hapctl"))
}

/// A synthetic registry folder with descriptors for its spine and three
/// registries, the criteria, and a master key.
struct Inputs {
    dir: TempDir,
}

impl Inputs {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let registries = dir.path().join("registries");
        let status = hapctl()
            .args(["synth", "--persons", "20000", "--seed", "3", "--out"])
            .arg(&registries)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());

        let write = |name: &str, json: serde_json::Value| {
            fs::write(dir.path().join(name), json.to_string()).unwrap();
        };
        let csv =
            |name: &str| serde_json::json!({"path": format!("registries/{name}"), "format": "csv"});

        write(
            "spine.json",
            serde_json::json!({"file": csv("population.csv"), "identifier": "person_id",
                "sex": "sex", "birth_date": "birth_date", "death_date": "death_date",
                "history": {"file": csv("population.csv"), "from": "former_dnumber", "to": "person_id"}}),
        );
        write(
            "cancer.json",
            serde_json::json!({"name": "cancer", "file": csv("cancer.csv"),
                "identifiers": ["person_id"],
                "variables": [{"name": "icd10", "type": "text"},
                              {"name": "diagnosis_date", "type": "date"}],
                "year": "diagnosis_date"}),
        );
        write(
            "patient.json",
            serde_json::json!({"name": "patient", "file": csv("patient.csv"),
                "identifiers": ["person_id"],
                "variables": [{"name": "episode_start", "type": "date"},
                              {"name": "icd10", "type": "text"}],
                "year": "episode_start"}),
        );
        write(
            "birth.json",
            serde_json::json!({"name": "birth", "file": csv("birth.csv"),
                "identifiers": ["mother_id", "child_id"],
                "variables": [{"name": "birth_date", "type": "date"}],
                "year": "birth_date"}),
        );

        write(
            "criteria.json",
            serde_json::json!({"any": [{"present": "cancer"}, {"present": "patient"}]}),
        );
        fs::write(dir.path().join("master.key"), "ab".repeat(32)).unwrap();
        Self { dir }
    }

    fn link(&self, out: &Path) -> Command {
        let mut command = hapctl();
        command.current_dir(self.dir.path()).args([
            "link",
            "--spine",
            "spine.json",
            "--registry",
            "cancer.json",
            "--registry",
            "patient.json",
            "--registry",
            "birth.json",
            "--criteria",
            "criteria.json",
            "--master-key-file",
            "master.key",
            "--project",
            "0190f1a2-0000-7000-8000-000000000001",
            "--profile",
            "test",
        ]);
        command.arg("--out").arg(out);
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        command
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A started `hapctl`, killed on drop so that a failing test leaves no
/// process behind.
struct Process {
    child: Child,
    name: &'static str,
}

impl Process {
    fn start(mut command: Command, name: &'static str) -> Self {
        Self {
            child: command.spawn().unwrap(),
            name,
        }
    }

    /// Waits for the process to end, failing on a non-zero exit or after
    /// [`PATIENCE`].
    fn finish(self) {
        let name = self.name;
        let (status, stderr) = self.wait();
        assert!(status.success(), "{name} failed: {stderr}");
    }

    /// Waits for the process to end and returns its exit status and
    /// stderr, failing after [`PATIENCE`].
    fn wait(mut self) -> (ExitStatus, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{} did not end within {PATIENCE:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).unwrap();
        }
        (status, stderr)
    }

    /// Kills the process with SIGKILL and waits for it.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until a worker writes a part file of `out` under its temporary
/// name, which it does only while a deliver task runs.
fn wait_for_deliver_task(out: &Path) {
    let partial = out.join(".hap-work").join("partial");
    let started = Instant::now();
    while !fs::read_dir(&partial).is_ok_and(|mut entries| entries.next().is_some()) {
        assert!(
            started.elapsed() < PATIENCE,
            "no deliver task started within {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn worker_killed_mid_task_and_run_completes() {
    let broker = TestBroker::create();
    let inputs = Inputs::new();
    let local = inputs.out("local");
    Process::start(inputs.link(&local), "the local run").finish();

    let out = inputs.out("queued");
    let worker = |threads: &str, name| {
        let mut command = inputs.link(&out);
        command.args(["--queue", broker.url(), "--worker", "--threads", threads]);
        Process::start(command, name)
    };
    let doomed = worker("1", "the first worker");
    let mut coordinator = inputs.link(&out);
    coordinator.args(["--queue", broker.url(), "--no-local-tasks"]);
    let coordinator = Process::start(coordinator, "the coordinator");

    // The only worker writes a part file under another name while a
    // deliver task runs: kill it then.
    wait_for_deliver_task(&out);
    doomed.kill();

    let rescuer = worker("2", "the second worker");
    coordinator.finish();
    rescuer.finish();

    let names = assert_same_files(&local, &out);
    assert!(names.iter().any(|name| name.ends_with("report.json")));
    assert!(
        !names.iter().any(|name| name.starts_with(".hap-work")),
        "{names:?}"
    );
}

#[test]
fn worker_stops_when_coordinator_killed() {
    let broker = TestBroker::create();
    let inputs = Inputs::new();
    let out = inputs.out("queued");
    let mut worker = inputs.link(&out);
    worker.args(["--queue", broker.url(), "--worker", "--threads", "1"]);
    let worker = Process::start(worker, "the worker");
    let mut coordinator = inputs.link(&out);
    coordinator.args(["--queue", broker.url(), "--no-local-tasks"]);
    let coordinator = Process::start(coordinator, "the coordinator");

    wait_for_deliver_task(&out);
    coordinator.kill();

    // The run cannot end, so the worker stops with an error saying why.
    let (status, stderr) = worker.wait();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("coordinator of run"), "{stderr}");
    assert!(stderr.contains("start the run again"), "{stderr}");
}

#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Runs shared through the real RabbitMQ: the files match a run on local
//! threads, a task a dying worker took is done by another, and a worker
//! whose task fails stops the run.

use std::path::PathBuf;

use futures::StreamExt;
use hap_contracts::criteria::Criterion;
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::columnar::work::Worker;
use hap_linkage::columnar::{
    RegistryDescriptor, RunError, RunPlan, SpineDescriptor, registry_folder, run, run_with,
};
use hap_linkage_queue::{QueueRunner, RunQueues, serve};
use hap_testkit::TestBroker;
use hap_testkit::files::assert_same_files;
use lapin::options::{BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use serde_json::json;

/// Synthetic numbers (month plus 80), which only the test profile accepts.
const RULES: Rules = Rules {
    policy: ChecksumPolicy::Allow2032,
    profile: Profile::Test,
};
const PROJECT_KEY: &[u8] = b"project key of the queue tests";

struct Inputs {
    dir: tempfile::TempDir,
    spine: SpineDescriptor,
    registries: Vec<RegistryDescriptor>,
    criterion: Criterion,
}

impl Inputs {
    /// Writes a synthetic registry folder of 2,000 persons: five registries, so
    /// a run has several tasks in each stage.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        hap_synth::generate(&hap_synth::SynthOptions::new(2_000, 7), dir.path()).unwrap();
        let (spine, registries) = registry_folder(dir.path());
        let criterion = Criterion::parse(&json!({"any": [
            {"event": {"registry": "cancer", "icd10": {"column": "icd10", "prefixes": ["C1"]}}},
            {"present": "patient"}
        ]}))
        .unwrap();
        Self {
            dir,
            spine,
            registries,
            criterion,
        }
    }

    fn plan(&self) -> RunPlan<'_> {
        RunPlan {
            spine: &self.spine,
            registries: &self.registries,
            criterion: &self.criterion,
            rules: RULES,
            project_key: PROJECT_KEY,
            lists: None,
            threads: 2,
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[test]
fn queue_run_matches_local_run() {
    let broker = TestBroker::create();
    let inputs = Inputs::new();
    let plan = inputs.plan();
    run(&plan, &inputs.out("local")).unwrap();

    // The coordinator does no task itself: the worker, with its own spine
    // as in another process, does them all.
    let id = run_id();
    let out = inputs.out("queued");
    let remote = Worker::open(&plan, &out).unwrap();
    let served = std::thread::scope(|scope| {
        let worker = scope.spawn(|| serve(broker.url(), &id, &remote, 2));
        let mut runner = QueueRunner::connect(broker.url(), &id, 0).unwrap();
        run_with(&plan, &out, &mut runner).unwrap();
        drop(runner);
        worker.join().unwrap().unwrap()
    });

    let tasks = plan.registries.len() as u64 + 2;
    assert_eq!(
        served, tasks,
        "one select task per criterion registry, one deliver task per registry"
    );
    let names = assert_same_files(&inputs.out("local"), &out);
    assert!(names.iter().any(|name| name.ends_with("report.json")));
    assert!(names.len() > 5, "{names:?}");
}

#[test]
fn task_of_dead_worker_done_by_another() {
    let broker = TestBroker::create();
    let inputs = Inputs::new();
    let plan = inputs.plan();
    run(&plan, &inputs.out("local")).unwrap();

    let id = run_id();
    let queues = RunQueues::for_run(&id).unwrap();
    let out = inputs.out("queued");
    let remote = Worker::open(&plan, &out).unwrap();
    std::thread::scope(|scope| {
        let coordinator = scope.spawn(|| {
            let mut runner = QueueRunner::connect(broker.url(), &id, 0).unwrap();
            run_with(&plan, &out, &mut runner)
        });
        // A worker takes the first task and dies before acknowledging it:
        // its connection closes, as when the process is killed.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let taken_task = runtime.block_on(async {
            let connection = Connection::connect(broker.url(), ConnectionProperties::default())
                .await
                .unwrap();
            let channel = connection.create_channel().await.unwrap();
            channel
                .basic_qos(1, BasicQosOptions::default())
                .await
                .unwrap();
            // Declared as the workers declare it, in case the coordinator
            // has not yet.
            channel
                .queue_declare(
                    queues.tasks().into(),
                    QueueDeclareOptions::default(),
                    FieldTable::default(),
                )
                .await
                .unwrap();
            let mut consumer = channel
                .basic_consume(
                    queues.tasks().into(),
                    "".into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
                .unwrap();
            let delivery = consumer.next().await.unwrap().unwrap();
            connection.close(200, "killed".into()).await.unwrap();
            delivery.data
        });
        assert!(String::from_utf8(taken_task).unwrap().contains("select"));

        let worker = scope.spawn(|| serve(broker.url(), &id, &remote, 2));
        coordinator.join().unwrap().unwrap();
        worker.join().unwrap().unwrap();
    });
    assert_same_files(&inputs.out("local"), &out);
}

#[test]
fn failed_task_stops_the_run_with_its_error() {
    let broker = TestBroker::create();
    let inputs = Inputs::new();
    let plan = inputs.plan();

    // This worker's patient extract is missing, so its tasks on the
    // patient registry fail.
    let mut broken = inputs.registries.clone();
    for registry in &mut broken {
        if registry.name == "patient" {
            registry.file.path = inputs.dir.path().join("missing.csv");
        }
    }
    let broken_plan = RunPlan {
        registries: &broken,
        ..inputs.plan()
    };
    let id = run_id();
    let out = inputs.out("queued");
    let remote = Worker::open(&broken_plan, &out).unwrap();
    let error = std::thread::scope(|scope| {
        let worker = scope.spawn(|| serve(broker.url(), &id, &remote, 1));
        let mut runner = QueueRunner::connect(broker.url(), &id, 0).unwrap();
        let error = run_with(&plan, &out, &mut runner).unwrap_err();
        drop(runner);
        worker.join().unwrap().unwrap();
        error
    });
    match error {
        RunError::Task { task, message } => {
            assert!(task.contains("select"), "{task}");
            assert!(message.contains("missing.csv"), "{message}");
        }
        other => panic!("expected a task error, found {other}"),
    }
}

#[test]
fn second_coordinator_of_a_run_refused() {
    let broker = TestBroker::create();
    let id = run_id();
    let _first = QueueRunner::connect(broker.url(), &id, 1).unwrap();
    let error = QueueRunner::connect(broker.url(), &id, 1)
        .err()
        .expect("a second coordinator");
    assert!(error.to_string().contains("another coordinator"), "{error}");
}

//! The coordinator's side: publish the tasks, serve them on local threads
//! as one more worker, and collect one outcome per task.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use futures::StreamExt;
use hap_linkage::columnar::work::{TaskOutcome, TaskRunner, Worker};
use hap_linkage::columnar::{RunError, Task};
use lapin::Confirmation;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
    QueueDeclareOptions, QueueDeleteOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, Consumer};
use tokio::runtime::Runtime;
use tokio::sync::watch;

use crate::serve::serve_thread;
use crate::{FAILURE, OUTCOME, RunQueues, connect, declare_tasks, queue_error, runtime};

/// Hands the tasks of a run to the workers sharing its task queue, this
/// process among them. Dropping it deletes the task queue, which ends the
/// [`serve`](crate::serve) loops of the workers.
pub struct QueueRunner {
    runtime: Runtime,
    connection: Connection,
    channel: Channel,
    results: Consumer,
    queues: RunQueues,
    local_threads: usize,
}

impl QueueRunner {
    /// Connects to the broker at `url`, empties the task queue of run
    /// `run_id` and opens the result queue. `local_threads` threads of this
    /// process do tasks too; with 0 the workers of other processes do all.
    ///
    /// The result queue is exclusive, so a second coordinator of the same
    /// run fails here instead of taking outcomes that are not its own.
    pub fn connect(url: &str, run_id: &str, local_threads: usize) -> Result<Self, RunError> {
        let queues = RunQueues::for_run(run_id)?;
        let runtime = runtime()?;
        let (connection, channel, results) = runtime.block_on(async {
            let connection = connect(url, &format!("hap-linkage-coordinator:{run_id}")).await?;
            let channel = connection
                .create_channel()
                .await
                .map_err(queue_error("opening a channel"))?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(queue_error("enabling publisher confirms"))?;
            declare_tasks(&channel, &queues).await?;
            channel
                .queue_purge(queues.tasks().into(), QueuePurgeOptions::default())
                .await
                .map_err(queue_error("emptying the task queue"))?;
            channel
                .queue_declare(
                    queues.results().into(),
                    QueueDeclareOptions {
                        exclusive: true,
                        auto_delete: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(|error| RunError::Queue {
                    message: format!(
                        "declaring the result queue {} failed: {error}; another coordinator \
                         may be running the same run",
                        queues.results()
                    ),
                })?;
            let results = channel
                .basic_consume(
                    queues.results().into(),
                    "".into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(queue_error("consuming the result queue"))?;
            Ok::<_, RunError>((connection, channel, results))
        })?;
        Ok(Self {
            runtime,
            connection,
            channel,
            results,
            queues,
            local_threads,
        })
    }

    /// Publishes every task, persistent, with the result queue as its
    /// `reply_to`, and waits for the broker's confirms.
    async fn publish(&self, tasks: &[Task]) -> Result<(), RunError> {
        let mut confirms = Vec::with_capacity(tasks.len());
        for task in tasks {
            let body = serde_json::to_vec(task).map_err(|error| RunError::Queue {
                message: format!("encoding task {task} failed: {error}"),
            })?;
            let properties = BasicProperties::default()
                .with_content_type("application/json".into())
                .with_delivery_mode(2)
                .with_reply_to(self.queues.results().into());
            let confirm = self
                .channel
                .basic_publish(
                    "".into(),
                    self.queues.tasks().into(),
                    BasicPublishOptions::default(),
                    &body,
                    properties,
                )
                .await
                .map_err(queue_error("publishing a task"))?;
            confirms.push(confirm);
        }
        for confirm in confirms {
            let confirmation = confirm.await.map_err(queue_error("confirming a task"))?;
            if let Confirmation::Nack(_) = confirmation {
                return Err(RunError::Queue {
                    message:
                        "publishing a task failed: the broker answered with a nack; check its log \
                              and free disk space"
                            .to_owned(),
                });
            }
        }
        Ok(())
    }
}

impl TaskRunner for QueueRunner {
    fn run_all(
        &mut self,
        worker: &Worker<'_>,
        tasks: &[Task],
    ) -> Result<Vec<TaskOutcome>, RunError> {
        self.runtime.block_on(self.publish(tasks))?;
        let (stop_all, stop) = watch::channel(false);
        let handle = self.runtime.handle().clone();
        let Self {
            connection,
            results,
            queues,
            local_threads,
            ..
        } = self;
        // The coordinator's own threads do not watch for a lost coordinator, so
        // nothing reads this flag.
        let took_task = AtomicBool::new(false);
        let result = std::thread::scope(|scope| {
            let local: Vec<_> = (0..*local_threads)
                .map(|_| {
                    let stop = stop.clone();
                    let (handle, connection, queues) = (&handle, &*connection, &*queues);
                    let took_task = &took_task;
                    scope.spawn(move || {
                        serve_thread(handle, (connection, queues), worker, stop, took_task)
                    })
                })
                .collect();
            let collected = handle.block_on(collect(results, queues, worker, tasks));
            let _ = stop_all.send(true);
            for thread in local {
                match thread.join() {
                    // With every outcome in, a local thread's broker error
                    // changes nothing.
                    Ok(Ok(_)) | Ok(Err(_)) => {}
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            collected
        });
        if result.is_err() {
            // Workers should not start on tasks of a run that has failed.
            let purge = self
                .channel
                .queue_purge(self.queues.tasks().into(), QueuePurgeOptions::default());
            let _ = self.runtime.block_on(purge);
        }
        result
    }
}

impl Drop for QueueRunner {
    fn drop(&mut self) {
        let delete = self
            .channel
            .queue_delete(self.queues.tasks().into(), QueueDeleteOptions::default());
        if let Err(error) = self.runtime.block_on(delete) {
            tracing::warn!(%error, queue = self.queues.tasks(), "deleting the task queue failed");
        }
        let _ = self
            .runtime
            .block_on(self.connection.close(200, "run finished".into()));
    }
}

/// Takes results until every task in `tasks` has an outcome. The first
/// outcome of a task counts; repeats, and outcomes of tasks of an
/// earlier stage, are acknowledged and dropped.
async fn collect(
    results: &mut Consumer,
    queues: &RunQueues,
    worker: &Worker<'_>,
    tasks: &[Task],
) -> Result<Vec<TaskOutcome>, RunError> {
    let mut outcomes: HashMap<Task, TaskOutcome> = HashMap::with_capacity(tasks.len());
    while outcomes.len() < tasks.len() {
        let delivery = match results.next().await {
            Some(Ok(delivery)) => delivery,
            Some(Err(error)) => return Err(queue_error("receiving an outcome")(error)),
            None => {
                return Err(RunError::Queue {
                    message: "the broker closed the result queue; check that RabbitMQ runs, then \
                              empty the output folder and start the run again"
                        .to_owned(),
                });
            }
        };
        let task_text = delivery
            .properties
            .correlation_id()
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default();
        let kind = delivery
            .properties
            .kind()
            .as_ref()
            .map(|kind| kind.as_str().to_owned());
        let task: Option<Task> = serde_json::from_str(&task_text).ok();
        match (kind.as_deref(), task) {
            (Some(FAILURE), _) => {
                return Err(RunError::Task {
                    task: task_text,
                    message: String::from_utf8_lossy(&delivery.data).into_owned(),
                });
            }
            (Some(OUTCOME), Some(task))
                if tasks.contains(&task) && !outcomes.contains_key(&task) =>
            {
                outcomes.insert(task, worker.decode(task, &delivery.data)?);
            }
            (Some(OUTCOME), Some(_)) => {}
            _ => {
                return Err(RunError::Queue {
                    message: format!(
                        "the result queue {} holds a message that is no task outcome \
                         (type {kind:?}, correlation id `{task_text}`)",
                        queues.results()
                    ),
                });
            }
        }
        delivery
            .ack(BasicAckOptions::default())
            .await
            .map_err(queue_error("acknowledging an outcome"))?;
    }
    Ok(tasks
        .iter()
        .filter_map(|task| outcomes.remove(task))
        .collect())
}

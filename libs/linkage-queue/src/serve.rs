//! The worker side: take a task, do it, publish its outcome to the
//! coordinator, then acknowledge the task.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use hap_linkage::columnar::work::Worker;
use hap_linkage::columnar::{RunError, Task};
use lapin::Confirmation;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ErrorKind};
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::{FAILURE, OUTCOME, RunQueues, connect, declare_tasks, queue_error, runtime};

/// Time between two checks that the run's coordinator is still there.
const WATCH_INTERVAL: Duration = Duration::from_secs(2);

/// Serves the tasks of run `run_id` with `worker` on `threads` threads
/// until the coordinator deletes the task queue at the end of the run.
/// Returns the number of tasks done.
///
/// Start it with the same plan as the coordinator's; a worker whose inputs
/// differ fails the tasks it takes, and the coordinator stops the run.
/// When the coordinator's result queue, once seen, disappears while the
/// task queue remains, the coordinator has died: the worker stops with an
/// error instead of waiting for a run that cannot end.
pub fn serve(
    url: &str,
    run_id: &str,
    worker: &Worker<'_>,
    threads: usize,
) -> Result<u64, RunError> {
    let queues = RunQueues::for_run(run_id)?;
    let runtime = runtime()?;
    let connection = runtime.block_on(async {
        let connection = connect(url, &format!("hap-linkage-worker:{run_id}")).await?;
        let channel = connection
            .create_channel()
            .await
            .map_err(queue_error("opening a channel"))?;
        declare_tasks(&channel, &queues).await?;
        Ok::<_, RunError>(connection)
    })?;
    // The loops end when the queue goes away, or when the watcher finds
    // the coordinator gone and sends `true`.
    let (stop_all, stop) = watch::channel(false);
    let (finished, serving) = watch::channel(false);
    let took_task = AtomicBool::new(false);
    let done = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let stop = stop.clone();
                let (handle, connection, queues) = (runtime.handle(), &connection, &queues);
                let took_task = &took_task;
                scope.spawn(move || {
                    serve_thread(handle, (connection, queues), worker, stop, took_task)
                })
            })
            .collect();
        let watcher = scope.spawn(|| {
            let watched = watch_coordinator(&connection, &queues, serving, &took_task);
            let coordinator_gone = runtime.block_on(watched);
            if coordinator_gone {
                let _ = stop_all.send(true);
            }
            coordinator_gone
        });
        let mut done = 0;
        let mut first_error = None;
        for handle in handles {
            match handle.join() {
                Ok(Ok(count)) => done += count,
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        let _ = finished.send(true);
        let coordinator_gone = match watcher.join() {
            Ok(coordinator_gone) => coordinator_gone,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if coordinator_gone {
            first_error.get_or_insert(RunError::Queue {
                message: format!(
                    "the coordinator of run {run_id} is gone (its result queue {} was \
                     deleted) while tasks remain; empty the output folder and start the run \
                     again",
                    queues.results()
                ),
            });
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(done),
        }
    });
    runtime.block_on(async {
        let _ = connection.close(200, "run served".into()).await;
    });
    done
}

/// Checks every [`WATCH_INTERVAL`] whether the coordinator is still there.
///
/// Returns `true` when the coordinator's result queue is gone while the
/// task queue remains, after the queue was seen or a task was taken
/// (`took_task`). Returns `false` when the run ends normally, since the
/// coordinator deletes the task queue before its result queue goes, or
/// when `finished` turns true.
async fn watch_coordinator(
    connection: &Connection,
    queues: &RunQueues,
    mut finished: watch::Receiver<bool>,
    took_task: &AtomicBool,
) -> bool {
    let mut seen = false;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(WATCH_INTERVAL) => {}
            _ = finished.changed() => return false,
        }
        if *finished.borrow() {
            return false;
        }
        seen |= took_task.load(Ordering::Relaxed);
        match queue_exists(connection, queues.results()).await {
            Some(true) => seen = true,
            Some(false) if seen => {
                return queue_exists(connection, queues.tasks()).await == Some(true);
            }
            _ => {}
        }
    }
}

/// Returns whether queue `name` exists, from a passive declare on a
/// channel of its own (a missing queue closes the channel), or `None`
/// when the check failed otherwise.
async fn queue_exists(connection: &Connection, name: &str) -> Option<bool> {
    let channel = connection.create_channel().await.ok()?;
    let declared = channel
        .queue_declare(
            name.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await;
    match declared {
        Ok(_) => {
            let _ = channel.close(200, "checked".into()).await;
            Some(true)
        }
        Err(error) if matches!(error.kind(), ErrorKind::ProtocolError(amqp) if amqp.get_id() == 404) => {
            Some(false)
        }
        Err(_) => None,
    }
}

/// Runs one thread's loop: a channel of its own that takes one task at a time,
/// until the task queue is deleted or `stop` turns true. Returns the
/// number of tasks done.
pub(crate) fn serve_thread(
    handle: &Handle,
    (connection, queues): (&Connection, &RunQueues),
    worker: &Worker<'_>,
    mut stop: watch::Receiver<bool>,
    took_task: &AtomicBool,
) -> Result<u64, RunError> {
    let (channel, mut consumer) = handle.block_on(async {
        let channel = connection
            .create_channel()
            .await
            .map_err(queue_error("opening a channel"))?;
        channel
            .basic_qos(1, BasicQosOptions::default())
            .await
            .map_err(queue_error("setting the prefetch"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(queue_error("enabling publisher confirms"))?;
        let consumer = channel
            .basic_consume(
                queues.tasks().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(queue_error("consuming the task queue"))?;
        Ok::<_, RunError>((channel, consumer))
    })?;

    let mut done = 0;
    loop {
        let next = handle.block_on(async {
            if *stop.borrow() {
                return None;
            }
            tokio::select! {
                next = consumer.next() => next,
                _ = stop.changed() => None,
            }
        });
        let delivery = match next {
            None => break,
            Some(Ok(delivery)) => delivery,
            Some(Err(error)) => return Err(queue_error("receiving a task")(error)),
        };
        took_task.store(true, Ordering::Relaxed);
        let reply = answer(worker, &delivery);
        handle.block_on(reply_and_ack(&channel, &delivery, reply))?;
        done += 1;
    }
    handle.block_on(async {
        let _ = channel.close(200, "stopped".into()).await;
    });
    Ok(done)
}

/// The result message of one task: its `type`, the task as the
/// correlation id, and the body.
struct Reply {
    kind: &'static str,
    task: String,
    body: Vec<u8>,
}

/// Does the task of `delivery`. Every failure becomes a failure reply, so
/// the coordinator learns of it and the task does not return to the queue
/// to fail again.
fn answer(worker: &Worker<'_>, delivery: &Delivery) -> Reply {
    let task: Task = match serde_json::from_slice(&delivery.data) {
        Ok(task) => task,
        Err(error) => {
            return Reply {
                kind: FAILURE,
                task: String::from_utf8_lossy(&delivery.data).into_owned(),
                body: format!("the task is not a task of this version of the linkage: {error}")
                    .into_bytes(),
            };
        }
    };
    let task_text = serde_json::to_string(&task).unwrap_or_default();
    match worker.run(task) {
        Ok(outcome) => Reply {
            kind: OUTCOME,
            task: task_text,
            body: worker.encode(&outcome),
        },
        Err(error) => {
            tracing::warn!(%task, %error, "linkage task failed");
            Reply {
                kind: FAILURE,
                task: task_text,
                body: error.to_string().into_bytes(),
            }
        }
    }
}

/// Publishes the reply to the task's `reply_to` queue, waits for the
/// broker's confirm, then acknowledges the task.
async fn reply_and_ack(
    channel: &Channel,
    delivery: &Delivery,
    reply: Reply,
) -> Result<(), RunError> {
    if let Some(reply_to) = delivery.properties.reply_to() {
        let properties = BasicProperties::default()
            .with_type(reply.kind.into())
            .with_correlation_id(reply.task.as_str().into());
        let confirm = channel
            .basic_publish(
                "".into(),
                reply_to.as_str().into(),
                BasicPublishOptions::default(),
                &reply.body,
                properties,
            )
            .await
            .map_err(queue_error("publishing an outcome"))?
            .await
            .map_err(queue_error("confirming an outcome"))?;
        if let Confirmation::Nack(_) = confirm {
            return Err(RunError::Queue {
                message: format!(
                    "publishing the outcome of task {} failed: the broker answered with a nack; \
                     check its log and free disk space",
                    reply.task
                ),
            });
        }
    }
    delivery
        .ack(BasicAckOptions::default())
        .await
        .map(drop)
        .map_err(queue_error("acknowledging a task"))
}

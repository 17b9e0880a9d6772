//! The worker side: take a task, do it, publish its outcome to the
//! coordinator, then acknowledge the task.

use futures::StreamExt;
use hap_linkage::columnar::work::Worker;
use hap_linkage::columnar::{RunError, Task};
use lapin::Confirmation;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::{FAILURE, OUTCOME, RunQueues, connect, declare_tasks, queue_error, runtime};

/// Serves the tasks of run `run_id` with `worker` on `threads` threads
/// until the coordinator deletes the task queue at the end of the run.
/// Returns the number of tasks done.
///
/// Start it with the same plan as the coordinator's; a worker whose inputs
/// differ fails the tasks it takes, and the coordinator stops the run.
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
    // Never sent: the loops end when the queue goes away.
    let (_keep, stop) = watch::channel(false);
    let done = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let stop = stop.clone();
                let (handle, connection, queues) = (runtime.handle(), &connection, &queues);
                scope.spawn(move || serve_thread(handle, connection, queues, worker, stop))
            })
            .collect();
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

/// Runs one thread's loop: a channel of its own that takes one task at a time,
/// until the task queue is deleted or `stop` turns true. Returns the
/// number of tasks done.
pub(crate) fn serve_thread(
    handle: &Handle,
    connection: &Connection,
    queues: &RunQueues,
    worker: &Worker<'_>,
    mut stop: watch::Receiver<bool>,
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

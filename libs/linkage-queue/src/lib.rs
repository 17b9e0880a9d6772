//! Sharing one descriptor-driven linkage run between processes through a
//! RabbitMQ work queue.
//!
//! The coordinator ([`QueueRunner`], passed to
//! [`hap_linkage::columnar::run_with`]) publishes the run's tasks to the
//! run's task queue and collects their outcomes from its result queue. Each
//! worker process opens the same plan ([`Worker::open`]) and calls
//! [`serve`], which takes one task per thread at a time, does it and
//! replies. A task is acknowledged only after its outcome is published, so
//! the tasks of a worker that dies go back to the queue for another worker.
//! The coordinator keeps the first outcome of each task and ignores
//! repeats, and a task done twice writes the same bytes.
//!
//! Both sides name the queues after a run id, which the caller derives from
//! the run's inputs so that a worker started with other inputs finds no
//! tasks. Every process must mount the same output folder, such as a
//! shared volume, because the workers write their part files there and
//! read the cohort from it.
//!
//! Module map:
//! - `names`: [`RunQueues`], the queue names of a run.
//! - `serve`: [`serve`], the loop of a worker thread.
//! - `runner`: [`QueueRunner`], the coordinator's side.

mod names;
mod runner;
mod serve;

pub use names::RunQueues;
pub use runner::QueueRunner;
pub use serve::serve;

use std::time::Duration;

use hap_linkage::columnar::RunError;
use hap_messaging::redact::redact_url;
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};

/// Time allowed to open the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Value of the `type` property of a result carrying an outcome.
const OUTCOME: &str = "outcome";
/// Value of the `type` property of a result carrying a failure message.
const FAILURE: &str = "failure";

fn queue_error(action: &str) -> impl Fn(lapin::Error) -> RunError + '_ {
    move |error| RunError::Queue {
        message: format!("{action}: {error}"),
    }
}

/// Opens a connection to the broker at `url`.
async fn connect(url: &str, name: &str) -> Result<Connection, RunError> {
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    match tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(url, properties)).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(RunError::Queue {
            message: format!(
                "connecting to {} failed: {error}; check the broker URL and that RabbitMQ runs",
                redact_url(url)
            ),
        }),
        Err(_) => Err(RunError::Queue {
            message: format!(
                "connecting to {} took more than {} s; check the broker URL and that RabbitMQ runs",
                redact_url(url),
                CONNECT_TIMEOUT.as_secs()
            ),
        }),
    }
}

/// Declares the task queue of a run. Workers and the coordinator declare
/// it with the same options, so whichever starts first creates it.
async fn declare_tasks(channel: &Channel, queues: &RunQueues) -> Result<(), RunError> {
    channel
        .queue_declare(
            queues.tasks().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .map(drop)
        .map_err(queue_error("declaring the task queue"))
}

/// Builds a runtime for the broker's futures, driven from the calling threads.
fn runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| RunError::Queue {
            message: format!("the async runtime could not start: {error}"),
        })
}

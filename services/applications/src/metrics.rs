//! The `applications` gauge: how many applications are in each state, read
//! from the database every few seconds so that every replica reports the
//! same figures.

use std::time::Duration;

use diesel::dsl::count_star;
use diesel::prelude::*;
use hap_kit::db::{DbError, PgPool, blocking};
use prometheus::{IntGaugeVec, Opts, Registry};
use tokio::task::JoinHandle;

use crate::schema::applications;

/// How often the counts are read.
const INTERVAL: Duration = Duration::from_secs(15);

/// Stops the counting task when dropped.
pub struct StateGaugeGuard(JoinHandle<()>);

impl Drop for StateGaugeGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Registers the gauge and starts the task that keeps it current.
pub fn spawn_state_gauge(
    pool: PgPool,
    registry: &Registry,
) -> Result<StateGaugeGuard, prometheus::Error> {
    let gauge = IntGaugeVec::new(
        Opts::new("applications", "Applications in each state"),
        &["state"],
    )?;
    registry.register(Box::new(gauge.clone()))?;
    let task = tokio::spawn(async move {
        let mut timer = tokio::time::interval(INTERVAL);
        loop {
            timer.tick().await;
            match blocking(&pool, count_by_state).await {
                Ok(counts) => {
                    // States that emptied since the last reading go to zero.
                    gauge.reset();
                    for (state, count) in counts {
                        gauge.with_label_values(&[state.as_str()]).set(count);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "applications by state could not be counted");
                }
            }
        }
    });
    Ok(StateGaugeGuard(task))
}

fn count_by_state(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, DbError> {
    Ok(applications::table
        .group_by(applications::state)
        .select((applications::state, count_star()))
        .load(conn)?)
}

//! Automatic expiry: a periodic job moves approved and delivered
//! applications whose project period has ended to `expired`, through the
//! same `expire` command a service account can issue, so the audit trail,
//! the timeline, `application.state_changed` and the webhooks record it.
//!
//! Every replica runs the job. Each application is taken with
//! `FOR UPDATE SKIP LOCKED` in its own transaction, so two replicas never
//! expire the same one and neither waits for the other.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date};
use hap_kit::auth::{Principal, Role};
use hap_kit::db::{PgPool, blocking};
use hap_kit::http::ApiError;
use hap_messaging::OutboxNotifier;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::commands::{CommandInput, execute};
use crate::domain::{Command, State};
use crate::schema::applications;
use crate::settings::CaseSettings;

/// The `sub` the audit trail and the timeline name as the actor.
pub const ACTOR: &str = "applications-expiry";

/// The states the job expires from once the period has ended. A case in
/// preparation is left to the pipeline, and a service account may still
/// expire it with the `expire` command.
pub const EXPIRING: [State; 3] = [
    State::Approved,
    State::ApprovedWithConditions,
    State::Delivered,
];

/// The outcome of one run of the job.
#[derive(Debug, Default)]
pub struct ExpiryRun {
    pub expired: Vec<Uuid>,
    /// Applications whose expiry failed, with the error; the next run
    /// tries them again.
    pub failed: Vec<(Uuid, String)>,
}

/// Stops the job when dropped.
pub struct ExpiryGuard(JoinHandle<()>);

impl Drop for ExpiryGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the job on the current Tokio runtime: a run right away, then one
/// per `interval`.
pub fn spawn_expiry(
    pool: PgPool,
    cases: CaseSettings,
    interval: Duration,
    relay_wake: OutboxNotifier,
) -> ExpiryGuard {
    let task = tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            let cases = cases.clone();
            let today = Utc::now().date_naive();
            let run = blocking(&pool, move |conn| {
                Ok::<_, ApiError>(expire_due(conn, &cases, today))
            })
            .await;
            match run {
                Ok(run) => {
                    if !run.expired.is_empty() {
                        relay_wake.notify();
                        tracing::info!(count = run.expired.len(), "applications expired");
                    }
                    for (id, error) in &run.failed {
                        tracing::error!(application_id = %id, %error, "automatic expiry failed; retrying on the next run");
                    }
                }
                Err(error) => tracing::error!(%error, "automatic expiry could not run"),
            }
        }
    });
    ExpiryGuard(task)
}

/// Expires, one transaction each, every application in an [`EXPIRING`]
/// state whose period ended before `today`.
pub fn expire_due(conn: &mut PgConnection, cases: &CaseSettings, today: NaiveDate) -> ExpiryRun {
    let mut run = ExpiryRun::default();
    loop {
        let skipped: Vec<Uuid> = run.failed.iter().map(|(id, _)| *id).collect();
        match expire_next(conn, cases, today, &skipped) {
            Ok(Some(id)) => run.expired.push(id),
            Ok(None) => return run,
            Err((Some(id), error)) => run.failed.push((id, error)),
            Err((None, error)) => {
                run.failed.push((Uuid::nil(), error));
                return run;
            }
        }
    }
}

/// Locks the next due application that no other transaction holds and
/// expires it. Returns `None` when none is left.
fn expire_next(
    conn: &mut PgConnection,
    cases: &CaseSettings,
    today: NaiveDate,
    skipped: &[Uuid],
) -> Result<Option<Uuid>, (Option<Uuid>, String)> {
    let states: Vec<&str> = EXPIRING.into_iter().map(State::as_str).collect();
    let mut taken = None;
    let result = conn.transaction(|conn| {
        let due =
            sql::<Bool>("(applications.content->>'period_end')::date < ").bind::<Date, _>(today);
        let next: Option<Uuid> = applications::table
            .filter(applications::state.eq_any(&states))
            .filter(due)
            .filter(applications::id.ne_all(skipped))
            .select(applications::id)
            .order(applications::id)
            .limit(1)
            .for_update()
            .skip_locked()
            .first(conn)
            .optional()?;
        let Some(id) = next else {
            return Ok(None);
        };
        taken = Some(id);
        let input = CommandInput {
            reason: Some("the project period ended".into()),
            ..CommandInput::default()
        };
        execute(conn, id, Command::Expire, &principal(), &input, cases)?;
        Ok::<_, ApiError>(Some(id))
    });
    result.map_err(|error| (taken, error.to_string()))
}

fn principal() -> Principal {
    Principal {
        subject: ACTOR.to_owned(),
        roles: vec![Role::Service],
        registries: Vec::new(),
    }
}

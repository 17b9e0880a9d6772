//! Deletes every delivery under a permit as soon as the permit is revoked,
//! and remembers the revocation so that a release arriving later is not
//! delivered.

use diesel::prelude::*;
use hap_contracts::events::{self, DeletionReason, PermitRevoked};
use hap_messaging::{Context, Envelope, Handler, HandlerError};
use tokio::runtime::Handle;

use crate::lifecycle::{self, AVAILABLE, Ending};
use crate::schema::{deliveries, revoked_permits};
use crate::store::DeliveryStore;

pub const ROUTING_KEYS: &[&str] = &[events::PERMIT_REVOKED];

pub struct RevokedHandler {
    pub deliveries: DeliveryStore,
    pub runtime: Handle,
}

impl Handler for RevokedHandler {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let revoked: PermitRevoked = envelope.payload_as()?;
        let endings: Vec<Ending> = deliveries::table
            .filter(deliveries::permit_id.eq(revoked.permit_id))
            .filter(deliveries::state.eq(AVAILABLE))
            .select(Ending::as_select())
            .load(ctx.conn())?;

        let mut deleted = Vec::with_capacity(endings.len());
        for ending in endings {
            let objects = self
                .runtime
                .block_on(lifecycle::delete_objects(&self.deliveries, &ending))
                .map_err(HandlerError::transient)?;
            deleted.push((ending, objects));
        }

        let actor = format!("permit.revoked by {}", revoked.revoked_by);
        ctx.complete(|conn| {
            diesel::insert_into(revoked_permits::table)
                .values((
                    revoked_permits::permit_id.eq(revoked.permit_id),
                    revoked_permits::application_id.eq(revoked.application_id),
                    revoked_permits::reason.eq(&revoked.reason),
                    revoked_permits::revoked_by.eq(&revoked.revoked_by),
                    revoked_permits::revoked_at.eq(revoked.revoked_at),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            for (ending, objects) in &deleted {
                lifecycle::record_deletion(
                    conn,
                    ending,
                    DeletionReason::Revoked,
                    &actor,
                    *objects,
                    Some(envelope),
                )?;
            }
            Ok(())
        })?;
        tracing::info!(
            permit_id = %revoked.permit_id,
            deliveries = deleted.len(),
            "permit revoked; its deliveries were deleted"
        );
        Ok(())
    }
}

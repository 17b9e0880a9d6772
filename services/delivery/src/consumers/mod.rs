//! Message handlers of the delivery service.

pub mod released;
pub mod revoked;

//! Message handlers of the delivery service.

pub mod released;

//! Message handlers of the applications service.

pub mod pipeline;
pub mod withdrawals;

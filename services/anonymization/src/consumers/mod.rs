//! Message handlers of the anonymization service.

pub mod linked;

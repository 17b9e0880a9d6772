//! Message handlers of the consent service.

pub mod applications;

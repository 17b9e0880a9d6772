//! Message handlers of the linkage service.

pub mod cleared;

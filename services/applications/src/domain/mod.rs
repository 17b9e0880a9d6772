//! The application and its lifecycle, free of HTTP and database code.

pub mod attachments;
pub mod calendar;
pub mod content;
pub mod deadline;
pub mod diff;
pub mod files;
pub mod state;
pub mod statistics;

pub use content::ApplicationContent;
pub use state::{Command, State};

//! The application and its lifecycle, free of HTTP and database code.

pub mod content;
pub mod state;

pub use content::ApplicationContent;
pub use state::{Command, State};

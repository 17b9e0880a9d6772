//! Legal basis rules and consent import parsing, free of HTTP and database code.

pub mod assessment;
pub mod basis;
pub mod import;

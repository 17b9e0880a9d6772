//! Legal basis rules, consent histories, exclusions and consent import
//! parsing, free of HTTP and database code.

pub mod assessment;
pub mod basis;
pub mod consent;
pub mod duo;
pub mod exclusion;
pub mod import;

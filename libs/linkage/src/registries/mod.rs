//! The non-spine registries: each file's layout and the per-person values
//! its linked rows give the catalogue variables.

pub(crate) mod birth;
pub(crate) mod cancer;
pub(crate) mod patient;
pub(crate) mod quality;

//! Object storage shared by the services that keep files: one interface for
//! a local folder and S3-compatible object storage (object_store 0.14).
//!
//! An object becomes visible under its key only when complete. In a folder
//! it is written under a temporary key and renamed. In S3 it is a single or
//! multipart upload, which the server shows only once it is completed.

mod settings;
mod store;

pub use settings::{Backend, S3Settings};
pub use store::{Store, StoreError};

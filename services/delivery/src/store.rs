//! The delivery store: where encrypted packages are kept until they expire,
//! in the folder `store.delivery_dir` or the bucket of `[store.s3]`, through
//! the shared [`hap_objects::Store`].

pub use hap_objects::{Store as DeliveryStore, StoreError};

use crate::settings::StoreSettings;

/// Opens the store that `settings` configure, creating the local folder
/// when needed. Builds no connection: S3 is first reached on use.
pub fn open(settings: &StoreSettings) -> Result<DeliveryStore, StoreError> {
    DeliveryStore::open(
        settings.delivery_backend,
        &settings.delivery_dir,
        &settings.s3,
    )
}

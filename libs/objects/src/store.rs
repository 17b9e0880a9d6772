//! The [`Store`]: objects under string keys in a folder or a bucket.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{
    GetOptions, GetRange, GetResult, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::settings::{Backend, S3Settings};

/// Size of the parts of an upload; S3 requires at least 5 MiB except for the last.
const PART_SIZE: usize = 8 * 1024 * 1024;

/// Parts uploaded at the same time.
const PARALLEL_PARTS: usize = 4;

/// A failure of the object store, naming the key or setting involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object store settings are invalid: {0}")]
    Settings(String),
    #[error("object `{key}` in the object store: {source}")]
    Object {
        key: String,
        source: object_store::Error,
    },
    #[error("local file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::Object {
                source: object_store::Error::NotFound { .. },
                ..
            }
        )
    }
}

/// Objects in a folder or a bucket.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    backend: Backend,
}

impl Store {
    /// Opens the store of `backend`: the folder `dir`, created when needed,
    /// or the bucket of `s3`. Builds no connection: S3 is first reached on use.
    pub fn open(backend: Backend, dir: &str, s3: &S3Settings) -> Result<Store, StoreError> {
        let inner: Arc<dyn ObjectStore> = match backend {
            Backend::Local => {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::File {
                    path: dir.to_owned(),
                    source,
                })?;
                let local = LocalFileSystem::new_with_prefix(dir)
                    .map_err(|error| StoreError::Settings(error.to_string()))?;
                Arc::new(local)
            }
            Backend::S3 => {
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret.expose());
                }
                let bucket = builder
                    .build()
                    .map_err(|error| StoreError::Settings(error.to_string()))?;
                if s3.prefix.trim_matches('/').is_empty() {
                    Arc::new(bucket)
                } else {
                    let prefix = ObjectPath::from(s3.prefix.trim_matches('/'));
                    Arc::new(object_store::prefix::PrefixStore::new(bucket, prefix))
                }
            }
        };
        Ok(Store { inner, backend })
    }

    /// Uploads the local file `source` as `key`. The object appears under
    /// `key` only once all of it is stored; a failed upload leaves none.
    pub async fn put_file(&self, key: &str, source: &Path) -> Result<u64, StoreError> {
        let target = ObjectPath::from(key);
        let uploaded_as = match self.backend {
            Backend::Local => ObjectPath::from(format!("{key}.tmp-{}", uuid::Uuid::new_v4())),
            Backend::S3 => target.clone(),
        };
        let object_error = |source| StoreError::Object {
            key: key.to_owned(),
            source,
        };

        let upload = self
            .inner
            .put_multipart(&uploaded_as)
            .await
            .map_err(object_error)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        match copy_into(key, source, &mut writer).await {
            Ok(()) => {}
            Err(error) => {
                let _ = writer.abort().await;
                return Err(error);
            }
        }
        writer.finish().await.map_err(object_error)?;

        if uploaded_as != target {
            self.inner
                .rename(&uploaded_as, &target)
                .await
                .map_err(object_error)?;
        }
        Ok(self.inner.head(&target).await.map_err(object_error)?.size)
    }

    /// Opens `key`, or the bytes `range` of it.
    pub async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<GetResult, StoreError> {
        let options = GetOptions::new().with_range(range.map(GetRange::Bounded));
        self.inner
            .get_opts(&ObjectPath::from(key), options)
            .await
            .map_err(|source| StoreError::Object {
                key: key.to_owned(),
                source,
            })
    }

    /// Writes the object `key` into the local file `target`.
    pub async fn download_to(&self, key: &str, target: &Path) -> Result<(), StoreError> {
        let file_error = |source| StoreError::File {
            path: target.display().to_string(),
            source,
        };
        let mut stream = self.get(key, None).await?.into_stream();
        let mut file = tokio::fs::File::create(target).await.map_err(file_error)?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|source| StoreError::Object {
                key: key.to_owned(),
                source,
            })?;
            file.write_all(&chunk).await.map_err(file_error)?;
        }
        file.flush().await.map_err(file_error)?;
        Ok(())
    }

    /// Stores `bytes` as `key` in one request. The object appears under
    /// `key` only once all of it is stored: object_store writes a local
    /// file under a staging name and renames it, and S3 stores a single PUT
    /// whole or not at all.
    pub async fn put_bytes(&self, key: &str, bytes: bytes::Bytes) -> Result<(), StoreError> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|source| StoreError::Object {
                key: key.to_owned(),
                source,
            })
    }

    /// Reads the whole object `key` into memory.
    pub async fn get_bytes(&self, key: &str) -> Result<bytes::Bytes, StoreError> {
        self.get(key, None)
            .await?
            .bytes()
            .await
            .map_err(|source| StoreError::Object {
                key: key.to_owned(),
                source,
            })
    }

    /// Deletes the object `key`; deleting a missing object succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(StoreError::Object {
                key: key.to_owned(),
                source,
            }),
        }
    }

    /// Lists the keys under `prefix`, temporary ones included.
    pub async fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let prefix_path = ObjectPath::from(prefix);
        let mut listing = self.inner.list(Some(&prefix_path));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|source| StoreError::Object {
                key: prefix.to_owned(),
                source,
            })?;
            keys.push(meta.location.to_string());
        }
        keys.sort();
        Ok(keys)
    }

    /// Deletes every object under `prefix` and returns how many there were.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<u64, StoreError> {
        let keys = self.keys(prefix).await?;
        for key in &keys {
            self.delete(key).await?;
        }
        Ok(keys.len() as u64)
    }
}

/// Streams the local file `source` into a multipart upload.
async fn copy_into(
    key: &str,
    source: &Path,
    writer: &mut WriteMultipart,
) -> Result<(), StoreError> {
    let file_error = |error| StoreError::File {
        path: source.display().to_string(),
        source: error,
    };
    let mut file = tokio::fs::File::open(source).await.map_err(file_error)?;
    let mut buffer = vec![0_u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer).await.map_err(file_error)?;
        if read == 0 {
            return Ok(());
        }
        writer
            .wait_for_capacity(PARALLEL_PARTS)
            .await
            .map_err(|source| StoreError::Object {
                key: key.to_owned(),
                source,
            })?;
        writer.write(&buffer[..read]);
    }
}

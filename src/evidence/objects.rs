//! The bytes of evidence files, kept by their SHA-256 through the
//! `object_store` crate: a local directory by default (the embedded service
//! stays one binary and one folder), any S3-compatible bucket by
//! configuration. The same content is kept once; an object no record refers
//! to (its upload's change never committed) is swept once old enough.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use super::received::Received;
use crate::config::{EvidenceConfig, EvidenceStore};

#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("evidence store: {0}")]
    Store(#[from] object_store::Error),
    #[error("evidence store: {0}")]
    Io(#[from] std::io::Error),
    #[error("evidence configuration: {0}")]
    Config(&'static str),
}

/// A file up to this size is kept with one write (one PutObject on S3):
/// parts cost an S3 server more than they save below it.
const ONE_PUT: usize = 16 * 1024 * 1024;

/// A larger file goes to S3 in parts of this size (at least 5 MiB, S3's
/// smallest part), at most `PARTS_IN_FLIGHT` at a time: what an upload
/// holds in memory while it is kept.
const PART: usize = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

/// The chunk a local object is read in for a download.
const DOWNLOAD_CHUNK: usize = 256 * 1024;

/// An object's content as it is read.
pub type ObjectStream = BoxStream<'static, Result<Bytes, ObjectsError>>;

/// Where every object lives under the store's root.
const PREFIX: &str = "sha256";

/// The store of evidence objects.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    /// A local store's directory of objects, where an interrupted write
    /// leaves its staging file.
    local: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Objects({})", self.store)
    }
}

/// The hex SHA-256 of `bytes`: an object's name.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn key(sha256: &str) -> Path {
    Path::from(format!("{PREFIX}/{}/{sha256}", sha256.get(..2).unwrap_or("00")))
}

impl Objects {
    /// Opens the configured store (creating the local directory).
    pub fn open(c: &EvidenceConfig) -> Result<Self, ObjectsError> {
        let local = (c.store == EvidenceStore::Local).then(|| c.path.join(PREFIX));
        let store: Arc<dyn ObjectStore> = match c.store {
            EvidenceStore::Local => {
                std::fs::create_dir_all(&c.path)?;
                Arc::new(LocalFileSystem::new_with_prefix(&c.path)?)
            }
            EvidenceStore::S3 => {
                let endpoint = c.s3_endpoint.as_deref().ok_or(ObjectsError::Config("s3_endpoint is required"))?;
                let bucket = c.s3_bucket.as_deref().ok_or(ObjectsError::Config("s3_bucket is required"))?;
                let access = c.s3_access_key.as_deref().ok_or(ObjectsError::Config("s3_access_key is required"))?;
                let secret = c.s3_secret_key.as_ref().ok_or(ObjectsError::Config("s3_secret_key is required"))?;
                Arc::new(
                    AmazonS3Builder::new()
                        .with_endpoint(endpoint)
                        .with_bucket_name(bucket)
                        .with_region(&c.s3_region)
                        .with_access_key_id(access)
                        .with_secret_access_key(secret.expose_secret())
                        .with_allow_http(c.s3_allow_http)
                        .with_virtual_hosted_style_request(false)
                        .build()?,
                )
            }
        };
        Ok(Self { store, local })
    }

    /// Keeps `bytes` under its SHA-256 and returns it. The same content
    /// is one object; writing it again renews it, so a sweep never takes
    /// an old unnamed copy from under an upload about to name it.
    pub async fn put(&self, bytes: Bytes) -> Result<String, ObjectsError> {
        let sha256 = digest(&bytes);
        self.store.put(&key(&sha256), PutPayload::from_bytes(bytes)).await?;
        Ok(sha256)
    }

    /// Keeps a received file under its SHA-256 and returns it, streamed
    /// from where it was received (a large one as a multipart upload).
    pub async fn put_received(&self, file: &Received) -> Result<String, ObjectsError> {
        if file.len() <= ONE_PUT as u64 {
            let bytes = file.bytes().await?;
            self.store.put(&key(file.sha256()), PutPayload::from_bytes(bytes)).await?;
            return Ok(file.sha256().to_owned());
        }
        let mut writer = BufWriter::with_capacity(self.store.clone(), key(file.sha256()), PART)
            .with_max_concurrency(PARTS_IN_FLIGHT);
        if let Err(e) = put_chunks(&mut writer, file).await {
            // A multipart upload begun is cancelled, not left to the bucket.
            writer.abort().await.ok();
            return Err(e);
        }
        writer.shutdown().await?;
        Ok(file.sha256().to_owned())
    }

    /// The content kept as `sha256`.
    pub async fn get(&self, sha256: &str) -> Result<Bytes, ObjectsError> {
        Ok(self.store.get(&key(sha256)).await?.bytes().await?)
    }

    /// The content kept as `sha256` as it is read, and its size: a
    /// download is never held whole.
    pub async fn stream(&self, sha256: &str) -> Result<(u64, ObjectStream), ObjectsError> {
        let got = self.store.get(&key(sha256)).await?;
        let size = got.meta.size;
        let stream = match got.payload {
            // object_store reads a local file in 8 KiB chunks; a download
            // goes four times faster in larger ones.
            GetResultPayload::File(file, _) => {
                let file = tokio::fs::File::from_std(file);
                ReaderStream::with_capacity(file, DOWNLOAD_CHUNK).map_err(ObjectsError::from).boxed()
            }
            GetResultPayload::Stream(stream) => stream.map_err(ObjectsError::from).boxed(),
        };
        Ok((size, stream))
    }

    /// Deletes the objects not in `kept` last written before `before`;
    /// returns how many.
    pub async fn sweep(&self, kept: &HashSet<String>, before: DateTime<Utc>) -> Result<usize, ObjectsError> {
        let listed: Vec<_> = self.store.list(Some(&Path::from(PREFIX))).try_collect().await?;
        let mut deleted = 0;
        for meta in listed {
            let name = meta.location.filename().unwrap_or_default();
            if meta.last_modified < before && !kept.contains(name) {
                self.store.delete(&meta.location).await?;
                deleted += 1;
            }
        }
        if let Some(root) = &self.local {
            deleted += sweep_staged(root, before).await?;
        }
        Ok(deleted)
    }
}

async fn put_chunks(writer: &mut BufWriter, file: &Received) -> Result<(), ObjectsError> {
    let mut chunks = file.chunks().await?;
    while let Some(chunk) = chunks.next().await? {
        writer.put(chunk).await?;
    }
    Ok(())
}

/// The staging files a local store's interrupted writes left, last written
/// before `before`: `object_store` writes `name#n` and then renames it, and
/// its listing never shows one a crash left behind. Returns how many.
async fn sweep_staged(root: &std::path::Path, before: DateTime<Utc>) -> Result<usize, ObjectsError> {
    let mut deleted = 0;
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        while let Some(entry) = entries.next_entry().await? {
            let meta = entry.metadata().await?;
            if meta.is_dir() {
                dirs.push(entry.path());
                continue;
            }
            let staged = entry.file_name().to_string_lossy().contains('#');
            if staged && DateTime::<Utc>::from(meta.modified()?) < before {
                tokio::fs::remove_file(entry.path()).await?;
                deleted += 1;
            }
        }
    }
    Ok(deleted)
}

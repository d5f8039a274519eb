//! `[evidence]`: where evidence files (photos, documents, captures, samples)
//! are kept and how large each class may be.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::domain::attachment::SizeLimits;

/// Where the files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceStore {
    /// A directory beside the database: the embedded default, one folder.
    Local,
    /// Any S3-compatible bucket: what several instances must share.
    S3,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceConfig {
    pub store: EvidenceStore,
    /// The directory of the local store.
    pub path: PathBuf,
    /// The S3 endpoint, e.g. `https://oss-cn-chengdu.aliyuncs.com`.
    pub s3_endpoint: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_region: String,
    pub s3_access_key: Option<String>,
    /// Only from `ONSITE_EVIDENCE__S3_SECRET_KEY`.
    #[serde(skip_serializing, default)]
    pub s3_secret_key: Option<SecretString>,
    /// Plain HTTP to the endpoint (a store on the same host or network).
    pub s3_allow_http: bool,
    /// The largest image, in MiB.
    pub max_image_mib: u64,
    /// The largest PDF, Office document, text or log, in MiB.
    pub max_document_mib: u64,
    /// The largest packet capture or zip archive, in MiB.
    pub max_bulk_mib: u64,
    /// Objects no record refers to (an upload whose change never committed)
    /// are deleted once this old.
    #[serde(with = "humantime_serde")]
    pub sweep_after: Duration,
    /// How long an upload may take to arrive and be kept (instead of
    /// `[http] request_timeout`): a capture over a slow field link.
    #[serde(with = "humantime_serde")]
    pub upload_timeout: Duration,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            store: EvidenceStore::Local,
            path: PathBuf::from("data/evidence"),
            s3_endpoint: None,
            s3_bucket: None,
            s3_region: "us-east-1".into(),
            s3_access_key: None,
            s3_secret_key: None,
            s3_allow_http: false,
            max_image_mib: 20,
            max_document_mib: 50,
            max_bulk_mib: 200,
            sweep_after: Duration::from_secs(24 * 3600),
            upload_timeout: Duration::from_secs(600),
        }
    }
}

impl EvidenceConfig {
    pub fn limits(&self) -> SizeLimits {
        let mib = |n: u64| n.saturating_mul(1024 * 1024);
        SizeLimits {
            image: mib(self.max_image_mib),
            document: mib(self.max_document_mib),
            bulk: mib(self.max_bulk_mib),
        }
    }

    /// Where an upload too large for memory is received before it is kept
    /// (as unnamed files the system removes when they are closed).
    pub fn incoming(&self) -> PathBuf {
        self.path.join("incoming")
    }

    /// The largest upload of any class: the body limit of the upload routes.
    pub fn largest(&self) -> u64 {
        let l = self.limits();
        l.image.max(l.document).max(l.bulk)
    }
}

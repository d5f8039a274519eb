//! The `[database]` section of the configuration: the store reads it when
//! it opens, so it lives with the store.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://data/onsite.db` (the embedded default) or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// The audit chain's key: only from `ONSITE_DATABASE__AUDIT_KEY`.
    /// Without it, the key file below (created on first start).
    #[serde(skip_serializing, default)]
    pub audit_key: Option<SecretString>,
    /// Where the audit key is kept when not in the environment; by default
    /// `audit.key` beside the SQLite file, or `data/audit.key`.
    #[serde(default)]
    pub audit_key_file: Option<PathBuf>,
}

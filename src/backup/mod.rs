//! Backups of the embedded deployment, taken while it runs: one file,
//! `onsite-<UTC time>.tar`, holding a consistent copy of the SQLite
//! database (checked before it is written: SQLite's integrity check and the
//! audit chain), the audit chain's key when it is the key file beside the
//! database, and the local evidence store's objects the copy names. A
//! restore goes only into an empty data directory and checks the same
//! again before the service may start on it. PostgreSQL is backed up with
//! its own tools (`deploy/pg-backup.sh`); an S3 evidence bucket with the
//! bucket's own (versioning, replication).

mod archive;
mod restore;
mod take;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use restore::restore;
pub use take::take;

use crate::config::{Config, DatabaseConfig};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The copy failed a check; nothing was written (or restored).
    #[error("{0}")]
    Unsound(String),
    /// A restore that would overwrite something, or a deployment onsite
    /// does not back up itself.
    #[error("{0}")]
    Refused(String),
}

/// What a backup holds, written first in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The layout's version.
    pub format: u32,
    /// The onsite version that wrote it.
    pub onsite: String,
    pub taken_at: DateTime<Utc>,
    /// Rows per table in the copy.
    pub rows: Vec<(String, u64)>,
    /// Audit entries chained and verified in the copy.
    pub audit_entries: u64,
    /// Whether the audit key file is in the backup (not when the key comes
    /// from `ONSITE_DATABASE__AUDIT_KEY`: it must be set again to restore).
    pub audit_key: bool,
    /// Evidence objects in the backup (a local store's); `None` when the
    /// files are in an S3 bucket, which the backup does not copy.
    pub evidence_objects: Option<usize>,
}

/// The layout this version writes and reads.
pub const FORMAT: u32 = 1;

/// A backup written.
#[derive(Debug)]
pub struct Taken {
    pub file: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
    /// Older backups deleted to keep the configured number.
    pub pruned: usize,
}

/// A database copy's rows per table, its audit entries verified, and the
/// evidence objects its records name.
type Checked = (Vec<(String, u64)>, u64, HashSet<String>);

/// Opens the database copy `db` with the audit chain's `key` and checks it:
/// SQLite's integrity check, then the audit chain (its tail not yet chained
/// is chained first, as the service would).
async fn checked(config: &Config, db: &Path, key: SecretString) -> Result<Checked, BackupError> {
    let database = DatabaseConfig {
        url: format!("sqlite://{}", db.display()),
        audit_key: Some(key),
        audit_key_file: None,
        max_connections: 1,
        ..config.database.clone()
    };
    // The copy writes no pages: the wording's zone does not matter.
    let tz = config.timezone().unwrap_or(chrono_tz::Asia::Shanghai);
    let wording = Arc::new(crate::notify::message::Wording { tz });
    let copy = Store::connect(&database, wording).await?;
    let found = check(&copy).await;
    copy.close().await?;
    found
}

async fn check(copy: &Store) -> Result<Checked, BackupError> {
    let problems = copy.integrity_problems().await?;
    if !problems.is_empty() {
        return Err(BackupError::Unsound(format!("SQLite integrity check / 完整性检查: {}", problems.join("; "))));
    }
    copy.seal_audit().await?;
    let entries = copy.verify_audit(&[]).await?.map_err(|tamper| {
        BackupError::Unsound(format!("the audit chain does not verify / 审计链校验失败: {tamper}"))
    })?;
    let rows = copy.row_counts().await?.into_iter().map(|(t, n)| (t.to_owned(), n)).collect();
    Ok((rows, entries, copy.referenced_objects().await?))
}

/// The file a backup taken at `at` is written to in `dir`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("onsite-{}.tar", at.format("%Y%m%dT%H%M%SZ"))
}

/// Deletes the oldest backups in `dir` beyond the newest `keep` (by name,
/// which sorts by time); returns how many.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<usize> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("onsite-") && n.ends_with(".tar"))
        })
        .collect();
    backups.sort();
    let surplus = backups.len().saturating_sub(keep);
    for old in &backups[..surplus] {
        std::fs::remove_file(old)?;
    }
    Ok(surplus)
}

impl std::fmt::Display for Manifest {
    /// The summary an operator reads, in both languages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        writeln!(f, "  taken 备份时间: {}", self.taken_at.format("%Y-%m-%d %H:%M:%S UTC"))?;
        writeln!(f, "  rows 记录: {}", rows.join(", "))?;
        writeln!(f, "  audit chain 审计链: {} entries verified 条已校验", self.audit_entries)?;
        match self.evidence_objects {
            Some(n) => writeln!(f, "  evidence 附件: {n} objects 个对象")?,
            None => writeln!(f, "  evidence 附件: in the S3 bucket, not copied 位于 S3 存储桶，未复制")?,
        }
        if self.audit_key {
            write!(f, "  audit key 审计密钥: included 已包含")
        } else {
            write!(f, "  audit key 审计密钥: from ONSITE_DATABASE__AUDIT_KEY, set it again to restore 恢复时需再次设置")
        }
    }
}

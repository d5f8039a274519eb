//! `[backup]`: where `onsite backup` writes, and the backups the service
//! takes by itself (SQLite; PostgreSQL is backed up with `pg_dump`).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Where backups are written (`onsite backup` without `--to`, and the
    /// scheduled ones).
    pub dir: PathBuf,
    /// Take a backup this often while serving; none when unset.
    #[serde(with = "humantime_serde")]
    pub every: Option<Duration>,
    /// How many scheduled backups are kept in `dir`; older ones are deleted.
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self { dir: PathBuf::from("data/backups"), every: None, keep: 7 }
    }
}

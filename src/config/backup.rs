//! `[backup]`: where `onsite backup` writes, and the backups the service
//! takes by itself (SQLite; PostgreSQL is backed up with `pg_dump`);
//! `[retention]`: what the service forgets with time.

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

/// `[retention]`: how long settled rows are kept before the engine deletes
/// them (assignments, timelines, reports and the audit log are kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Pages (each delivery's history) once sent, failed or cancelled.
    #[serde(with = "humantime_serde")]
    pub pages: Duration,
    /// Web sessions once expired.
    #[serde(with = "humantime_serde")]
    pub web_sessions: Duration,
    /// Telegram updates once handled.
    #[serde(with = "humantime_serde")]
    pub telegram_updates: Duration,
}

const DAY: u64 = 24 * 3600;

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            pages: Duration::from_secs(180 * DAY),
            web_sessions: Duration::from_secs(30 * DAY),
            telegram_updates: Duration::from_secs(30 * DAY),
        }
    }
}

impl RetentionConfig {
    pub fn retention(&self) -> crate::store::retention::Retention {
        let days = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        crate::store::retention::Retention {
            pages: days(self.pages),
            web_sessions: days(self.web_sessions),
            telegram_updates: days(self.telegram_updates),
        }
    }

    /// The shortest any of them may be.
    pub const SHORTEST: Duration = Duration::from_secs(DAY);
}

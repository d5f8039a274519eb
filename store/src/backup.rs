//! What a backup needs of the database: a consistent copy of a SQLite
//! file taken while the service runs, and the copy's own checks. A
//! PostgreSQL deployment is backed up with its own tools (`pg_dump`,
//! `deploy/pg-backup.sh`).

use std::path::{Path, PathBuf};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};

use super::{Store, StoreError, StoreResult, sqlite_path};

impl Store {
    /// The SQLite file this store is, when it is one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        sqlite_path(&self.url).map(PathBuf::from)
    }

    /// Writes a consistent copy of the database to `to` (which must not
    /// exist) with `VACUUM INTO`: a read transaction on a connection of its
    /// own, so the service's writes go on while it runs (WAL).
    pub async fn copy_sqlite_to(&self, to: &Path) -> StoreResult<()> {
        if self.sqlite_file().is_none() {
            return Err(StoreError::Corrupt(
                "only a SQLite database is copied by onsite; back PostgreSQL up with pg_dump (deploy/pg-backup.sh)"
                    .into(),
            ));
        }
        let mut opts = ConnectOptions::new(self.url.clone());
        opts.max_connections(1).min_connections(1).sqlx_logging(false);
        opts.map_sqlx_sqlite_opts(|o| o.busy_timeout(std::time::Duration::from_secs(30)));
        let own = Database::connect(opts).await?;
        let target = to.to_str().ok_or_else(|| StoreError::Corrupt(format!("{} is not UTF-8", to.display())))?;
        let sql = format!("VACUUM INTO '{}'", target.replace('\'', "''"));
        let copied = own.execute_unprepared(&sql).await;
        own.close().await?;
        copied?;
        Ok(())
    }

    /// SQLite's `PRAGMA integrity_check`: what it found wrong (nothing when
    /// the file is sound). PostgreSQL has no such check; its answer is empty.
    pub async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        if self.sqlite_file().is_none() {
            return Ok(Vec::new());
        }
        let db = self.reader();
        let rows =
            db.query_all_raw(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check")).await?;
        let found: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
        Ok(found.into_iter().filter(|line| line != "ok").collect())
    }

    /// How many rows each of the kept records has: what a backup and its
    /// restore report, and compare.
    pub async fn row_counts(&self) -> StoreResult<Vec<(&'static str, u64)>> {
        let db = self.reader();
        let mut counts = Vec::new();
        for table in COUNTED {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
            let n = row.and_then(|r| r.try_get_by_index::<i64>(0).ok()).unwrap_or(0);
            counts.push((table, u64::try_from(n).unwrap_or(0)));
        }
        Ok(counts)
    }

    /// Closes the store's connections; a SQLite file is left whole, its
    /// write-ahead log folded in and gone (rollback journal mode), so the
    /// file alone is the database: what a backup's copy must be.
    pub async fn close(self) -> StoreResult<()> {
        if self.sqlite_file().is_none() {
            return Ok(self.db.close().await?);
        }
        self.reader.close().await?;
        self.db.execute_unprepared("PRAGMA journal_mode = DELETE").await?;
        Ok(self.db.close().await?)
    }
}

/// The tables whose rows a backup counts.
const COUNTED: [&str; 8] =
    ["units", "people", "notices", "assignments", "timeline_events", "closure_reports", "attachments", "audit_log"];

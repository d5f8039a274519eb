//! Persistence on sea-orm: SQLite (embedded default, WAL) or PostgreSQL.
//! One module per aggregate; every state change is one transaction that
//! writes the new state together with its timeline event.

pub use onsite_domain as domain;
use onsite_domain::crypto;

pub mod assignments;
pub mod attachments;
pub mod audit;
pub mod audit_key;
pub mod backup;
pub mod board;
/// Histories written in bulk for the benchmark (feature `bench`).
#[cfg(feature = "bench")]
pub mod bulk;
pub mod channels;
pub mod closure_reports;
mod code_list;
mod config;
pub mod contacts;
pub mod credential_notices;
mod dispatches;
mod duty;
pub mod duty_facts;
pub mod enterprises;
mod entities;
pub mod handovers;
pub mod instances;
pub mod instruction_follow_ups;
pub mod instructions;
mod intake;
mod json_text;
mod leases;
pub mod notices;
pub mod outbox;
pub mod page_reports;
pub mod pages;
pub mod peers;
mod planning;
pub mod profiles;
pub mod protection;
pub mod rate_limits;
pub mod receipts;
mod recipients;
mod records;
pub mod registry_import;
mod reminders;
pub mod reply_codes;
pub mod report_cells;
mod report_rows;
pub mod reports;
pub mod retention;
mod review_events;
pub mod rosters;
pub mod screening;
pub mod sessions;
pub mod special_reports;
pub mod telegram;
pub mod test_pages;
pub mod threat_findings;
pub mod threat_reports;
pub mod timeline;
pub mod timers;
pub mod units;
pub mod users;
pub mod work_reports;

use audit_key::AuditKey;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use tokio::sync::Notify;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use crate::config::DatabaseConfig;
use crate::domain::DomainError;
use crate::domain::page::PageWriter;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, or outside the actor's scope (the two look the same on purpose).
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: i64 },
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A concurrent change won; the caller may retry.
    #[error("the {entity} was changed concurrently; try again")]
    Concurrent { entity: &'static str },
    #[error("database: {0}")]
    Db(DbErr),
    /// A stored value the code does not understand (a bug or a manual edit).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e {
            // A stored value that does not decode (a code this version does
            // not know): the same error wherever it is read.
            DbErr::Type(_) | DbErr::TryIntoErr { .. } => StoreError::Corrupt(e.to_string()),
            other => StoreError::Db(other),
        }
    }
}

impl StoreError {
    pub fn not_found(entity: &'static str, id: i64) -> Self {
        Self::NotFound { entity, id }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database handle the services share.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Where the database is, for the sessions `peers` opens beside the pool.
    url: String,
    /// The number this process's claims carry (`instances`).
    instance: i64,
    /// Where heavy reads go (reports, the board). On a SQLite file, a pool
    /// of read-only connections: WAL lets them read while the one writer
    /// writes, so a report does not queue every page and timer behind it.
    /// Elsewhere the same pool as `db`.
    reader: DatabaseConnection,
    /// Woken after a commit that created due work: the timer loop and the
    /// outbox loop each wait on their own.
    wake: [Arc<Notify>; 2],
    /// Bumped after every committed change to an assignment, here or (on
    /// PostgreSQL) at a peer: the live board's SSE streams watch it.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Bumped when this process ends web sessions (sign-out, a new
    /// password): the live board's streams look again whether theirs lives.
    sessions_ended: Arc<tokio::sync::watch::Sender<u64>>,
    /// The calendar a report's months and settled figures follow.
    tz: Tz,
    /// Keys the audit chain (kept outside the database).
    audit_key: Arc<AuditKey>,
    /// Writes what a page says (`notify`'s words); the store only gathers
    /// the facts.
    page_writer: Arc<dyn PageWriter>,
    /// Notices waiting to be written together.
    intake: Arc<intake::Intake>,
    /// When the outbox next looks for leases that ran out.
    leases: Arc<leases::LeaseWatch>,
}

/// Prepared statements kept per connection: room for every statement the
/// service runs often and for a batch of notices' inserts at each size
/// (sqlx keeps 100).
const STATEMENT_CACHE: usize = 400;

/// The PostgreSQL advisory lock key held while migrating ("onsite-migrate").
const MIGRATION_LOCK_KEY: i64 = 0x6f6e_7369_7465_6d31;

impl Store {
    /// Connects and, for SQLite, makes sure the file's folder exists and the
    /// connection runs in WAL mode with foreign keys enforced.
    pub async fn connect(config: &DatabaseConfig, page_writer: Arc<dyn PageWriter>) -> StoreResult<Self> {
        let mut opts = ConnectOptions::new(config.url.clone());
        opts.connect_timeout(config.connect_timeout).acquire_timeout(config.connect_timeout).sqlx_logging(false);
        if config.url.starts_with("sqlite:") {
            if let Some(path) = sqlite_path(&config.url)
                && let Some(dir) = Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
            // One writer at a time is SQLite's model; a single connection
            // serialises transactions instead of failing them with SQLITE_BUSY.
            opts.max_connections(1).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                o.statement_cache_capacity(STATEMENT_CACHE)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        } else {
            opts.max_connections(config.max_connections);
            opts.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(STATEMENT_CACHE));
        }
        let audit_key = Arc::new(AuditKey::load(config)?);
        let db = Database::connect(opts).await?;
        let reader = match sqlite_path(&config.url) {
            Some(_) => {
                let mut opts = ConnectOptions::new(config.url.clone());
                opts.connect_timeout(config.connect_timeout)
                    .acquire_timeout(config.connect_timeout)
                    .sqlx_logging(false)
                    .max_connections(config.max_connections.clamp(1, 8))
                    .min_connections(0);
                opts.map_sqlx_sqlite_opts(|o| o.read_only(true).busy_timeout(Duration::from_secs(5)));
                Database::connect(opts).await?
            }
            None => db.clone(),
        };
        Ok(Self {
            db,
            url: config.url.clone(),
            instance: Store::new_instance(),
            reader,
            wake: [Arc::new(Notify::new()), Arc::new(Notify::new())],
            changes: Arc::new(tokio::sync::watch::channel(0).0),
            sessions_ended: Arc::new(tokio::sync::watch::channel(0).0),
            tz: chrono_tz::Asia::Shanghai,
            audit_key,
            page_writer,
            intake: Arc::new(intake::Intake::default()),
            leases: Arc::default(),
        })
    }

    /// Sets the calendar of the reports' months.
    pub fn with_zone(mut self, tz: Tz) -> Self {
        self.tz = tz;
        self
    }

    /// The audit chain's key.
    pub fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn page_writer(&self) -> &dyn PageWriter {
        self.page_writer.as_ref()
    }

    /// The signals the engine's two loops wait on (timers, outbox).
    pub fn wake_signals(&self) -> [Arc<Notify>; 2] {
        self.wake.clone()
    }

    /// Wakes this process's engine and live boards (call after committing
    /// new work or a change).
    pub fn wake(&self) {
        for w in &self.wake {
            w.notify_one();
        }
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Watches for committed changes (the live board).
    pub fn watch_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// How many changes this process has seen committed: what the board
    /// shows is the same while this is.
    pub fn changes_seen(&self) -> u64 {
        *self.changes.borrow()
    }

    /// Watches for web sessions this process ended.
    pub fn watch_session_ends(&self) -> tokio::sync::watch::Receiver<u64> {
        self.sessions_ended.subscribe()
    }

    fn sessions_ended(&self) {
        self.sessions_ended.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The connection itself: the store's modules write through it; outside
    /// the store only tests use it, to edit rows by hand as an intruder or an
    /// operator would.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The connection for reads that may take long and need not see an
    /// uncommitted write of their own (reports, the board).
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock keeps two
    /// instances starting together from migrating at once.
    pub async fn migrate(&self) -> StoreResult<()> {
        if self.backend() == DbBackend::Postgres {
            // A transaction-scoped lock: released by commit or by a dropped
            // connection, never left behind on a pooled session.
            let txn = self.db.begin().await?;
            txn.execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"),
            ))
            .await?;
            migrations::Migrator::up(&txn, None).await?;
            txn.commit().await?;
        } else {
            migrations::Migrator::up(&self.db, None).await?;
        }
        Ok(())
    }

    /// Answers whether the database is reachable (for `/readyz`).
    pub async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await?;
        Ok(())
    }
}

/// The file of a SQLite URL (`sqlite://data/onsite.db?mode=rwc` → `data/onsite.db`).
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(sqlite_path("sqlite://data/onsite.db").as_deref(), Some("data/onsite.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc").as_deref(), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

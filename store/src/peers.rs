//! Instances sharing one PostgreSQL database: a commit that leaves new work
//! wakes every instance (NOTIFY, LISTEN), and work only one instance may do
//! at a time (polling Telegram) is held under a session advisory lock that
//! dies with its holder. On SQLite there is one process and none of this.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::sqlx::{Connection, PgConnection};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::sync::watch;

use super::{Store, StoreResult};

/// The PostgreSQL channel that wakes every instance's engine.
const WAKE_CHANNEL: &str = "onsite_wake";

/// Held while this instance does work only one instance may do; dropping it
/// (or the process dying) lets another instance take over.
#[derive(Debug)]
pub struct Exclusive {
    /// The session that holds the advisory lock (none on SQLite).
    _session: Option<PgConnection>,
}

impl Store {
    /// Inside a transaction: on PostgreSQL, wake every instance once it commits.
    pub async fn notify_peers<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT pg_notify('{WAKE_CHANNEL}', '')"),
            ))
            .await?;
        }
        Ok(())
    }

    /// Wakes this instance whenever a peer commits new work, until `stop`;
    /// a lost connection is logged and made again (polling covers the gap).
    pub async fn listen_for_peers(&self, mut stop: watch::Receiver<bool>) {
        if self.backend() != DbBackend::Postgres {
            return;
        }
        loop {
            let mut listener = match PgListener::connect(&self.url).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for peers; polling meanwhile");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(2)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            if let Err(e) = listener.listen(WAKE_CHANNEL).await {
                tracing::warn!(error = %e, "LISTEN failed");
                continue;
            }
            loop {
                tokio::select! {
                    n = listener.recv() => match n {
                        Ok(_) => self.wake(),
                        Err(e) => {
                            tracing::warn!(error = %e, "peer listener lost; reconnecting");
                            break;
                        }
                    },
                    _ = stop.changed() => return,
                }
            }
        }
    }

    /// The work named by `key`, if no other instance holds it now.
    pub async fn try_exclusive(&self, key: i64) -> Option<Exclusive> {
        if self.backend() != DbBackend::Postgres {
            return Some(Exclusive { _session: None });
        }
        let mut session = PgConnection::connect(&self.url).await.ok()?;
        let (locked,): (bool,) =
            sea_orm::sqlx::query_as("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut session).await.ok()?;
        locked.then_some(Exclusive { _session: Some(session) })
    }
}

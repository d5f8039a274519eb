//! Which instances are alive, so that a dead one's pages are sent by a
//! survivor within seconds rather than after their lease. On PostgreSQL each
//! instance holds a session advisory lock named by its number
//! (`Store::instance`) on a connection of its own: the server drops the
//! lock the moment that connection dies, kill -9 included, so the locks
//! held are the instances alive. A page being sent names the instance that
//! claimed it; a claim by an instance that holds no lock is released.
//! Timers need none of this: a timer's claim is a row lock inside an open
//! transaction, which dies with its connection.
//! On SQLite one process serves the file, so any claim not its own is a
//! previous run's, released when the engine starts.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::{Connection, PgConnection};
use sea_orm::{ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter};
use tokio::sync::watch;

use super::entities::page;
use super::{Store, StoreResult};
use crate::domain::event::DeliveryStatus;

/// The advisory locks' first key (classid) for instances ("onsi").
const LIVENESS_CLASS: i32 = 0x6f6e_7369;

/// This instance's liveness lock, held while the value lives.
#[derive(Debug)]
pub struct Liveness {
    store: Store,
    /// The session holding the lock (none on SQLite).
    session: Option<PgConnection>,
}

impl Store {
    /// A number for this process's claims, unique among the instances
    /// sharing the database (fits PostgreSQL's 32-bit advisory lock key).
    pub(super) fn new_instance() -> i64 {
        rand::Rng::gen_range(&mut rand::thread_rng(), 1..=i64::from(i32::MAX))
    }

    /// The number this instance's claims carry.
    pub fn instance(&self) -> i64 {
        self.instance
    }

    /// Takes this instance's liveness lock; claims made before it is held
    /// would look dead to a peer.
    pub async fn take_liveness(&self) -> StoreResult<Liveness> {
        let session = match self.backend() {
            DbBackend::Postgres => Some(self.lock_liveness().await?),
            _ => None,
        };
        Ok(Liveness { store: self.clone(), session })
    }

    async fn lock_liveness(&self) -> StoreResult<PgConnection> {
        let mut session = PgConnection::connect(&self.url).await.map_err(lost)?;
        sea_orm::sqlx::query("SELECT pg_advisory_lock($1, $2)")
            .bind(LIVENESS_CLASS)
            .bind(i32::try_from(self.instance).unwrap_or(i32::MAX))
            .execute(&mut session)
            .await
            .map_err(lost)?;
        Ok(session)
    }

    /// Releases the claims on pages of instances that are gone (their
    /// lease made due now, so the outbox takes them at once); how many.
    /// A claim naming no instance (made before instances named theirs)
    /// waits out its lease.
    pub async fn release_dead_claims(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut dead = Condition::all().add(page::Column::ClaimedBy.ne(self.instance));
        if self.backend() == DbBackend::Postgres {
            dead = dead.add(Expr::cust_with_values(
                "claimed_by NOT IN (SELECT objid::bigint FROM pg_locks \
                 WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted)",
                [i64::from(LIVENESS_CLASS)],
            ));
        }
        let released = page::Entity::update_many()
            .col_expr(page::Column::LeaseUntil, Expr::value(now))
            .filter(page::Column::Status.eq(DeliveryStatus::Sending))
            .filter(page::Column::LeaseUntil.gt(now))
            .filter(page::Column::ClaimedBy.is_not_null())
            .filter(dead)
            .exec(self.db())
            .await?
            .rows_affected;
        if released > 0 {
            tracing::warn!(released, "took back the pages of an instance that is gone");
            self.leases.now();
            self.wake();
        }
        Ok(released)
    }
}

fn lost(e: sea_orm::sqlx::Error) -> sea_orm::DbErr {
    sea_orm::DbErr::Custom(format!("liveness session: {e}"))
}

impl Liveness {
    /// Keeps the lock held until `stop`: the session is checked every
    /// `check`, and a lost one is made again (meanwhile peers may take this
    /// instance's claims; a page sent twice is the worst of it, and the
    /// outbox's record notices the lost claim).
    pub async fn keep(mut self, check: Duration, mut stop: watch::Receiver<bool>) {
        let Some(mut session) = self.session.take() else { return };
        loop {
            tokio::select! {
                () = tokio::time::sleep(check) => {}
                _ = stop.changed() => return,
            }
            if session.ping().await.is_ok() {
                continue;
            }
            tracing::error!("lost the liveness session; peers may take this instance's pages until it is back");
            match self.store.lock_liveness().await {
                Ok(again) => session = again,
                Err(e) => tracing::warn!(error = %e, "cannot take the liveness lock again yet"),
            }
        }
    }
}

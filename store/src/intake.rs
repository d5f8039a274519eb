//! Group commit for notices. Notices that arrive while others are being
//! written wait their turn and are then written together, in one
//! transaction with one insert per table: a burst costs the one writer
//! (SQLite's connection, a PostgreSQL commit's flush) a handful of
//! statements per batch instead of per notice. A notice that arrives alone
//! is written at once. A batch that fails is written again one notice to a
//! transaction, so a bad notice fails only itself; each notice still
//! commits with its assignments, timers, pages and events.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::{DbBackend, TransactionTrait};
use tokio::sync::oneshot;

use super::dispatches::Plan;
use super::notices::NoticeRecord;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;

/// Notices written per transaction at most (so a batch's few insert
/// statements, one text per size, stay in the connection's statement
/// cache).
const BATCH: usize = 32;

/// Batches written side by side on PostgreSQL (one time measured 195–226
/// notices/s in a burst, four 431–455, eight 363–373); SQLite has one
/// writer.
const POSTGRES_WRITERS: usize = 4;

/// A planned notice waiting to be written.
pub(super) struct Issue {
    pub(super) by: By,
    pub(super) plan: Plan,
    pub(super) now: DateTime<Utc>,
}

type Reply = oneshot::Sender<StoreResult<NoticeRecord>>;

/// The notices waiting, and the turns to write them: one on SQLite (one
/// writer), a few on PostgreSQL, whose transactions run side by side.
pub(super) struct Intake {
    waiting: Mutex<Vec<(Issue, Reply)>>,
    turns: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Intake").field("waiting", &waiting).finish_non_exhaustive()
    }
}

impl Intake {
    pub(super) fn new(backend: DbBackend) -> Self {
        let writers = if backend == DbBackend::Postgres { POSTGRES_WRITERS } else { 1 };
        Self { waiting: Mutex::default(), turns: tokio::sync::Semaphore::new(writers) }
    }

    fn take(&self, most: usize) -> Vec<(Issue, Reply)> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let n = waiting.len().min(most);
        waiting.drain(..n).collect()
    }
}

impl Store {
    /// Writes a planned notice, with whatever else is waiting when its turn
    /// comes.
    pub(super) async fn write_planned(&self, issue: Issue) -> StoreResult<NoticeRecord> {
        let (reply, mut answer) = oneshot::channel();
        self.intake.waiting.lock().unwrap_or_else(PoisonError::into_inner).push((issue, reply));
        // The semaphore is never closed: a turn always comes.
        let turn = self.intake.turns.acquire().await.map_err(|_| unanswered())?;
        loop {
            let batch = self.intake.take(BATCH);
            if batch.is_empty() {
                break;
            }
            // On a task of its own: a caller that goes away mid-write (its
            // client hung up) does not take the others' notices with it.
            let store = self.clone();
            if tokio::spawn(async move { store.write_batch(batch).await }).await.is_err() {
                break;
            }
            match answer.try_recv() {
                Ok(written) => return written,
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => break,
            }
        }
        drop(turn);
        answer.await.map_err(|_| unanswered())?
    }

    async fn write_batch(&self, batch: Vec<(Issue, Reply)>) {
        let (issues, replies): (Vec<Issue>, Vec<Reply>) = batch.into_iter().unzip();
        match self.write_together(&issues).await {
            Ok(records) => {
                self.wake();
                for (reply, record) in replies.into_iter().zip(records) {
                    let _ = reply.send(Ok(record));
                }
            }
            Err(e) if issues.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, notices = issues.len(), "a batch of notices failed; writing each alone");
                for (issue, reply) in issues.iter().zip(replies) {
                    let written = self.write_together(std::slice::from_ref(issue)).await;
                    if written.is_ok() {
                        self.wake();
                    }
                    let _ = reply.send(written.and_then(|mut r| r.pop().ok_or_else(missing)));
                }
            }
        }
    }

    /// Writes `issues` in one transaction.
    async fn write_together(&self, issues: &[Issue]) -> StoreResult<Vec<NoticeRecord>> {
        let txn = self.db().begin().await?;
        let records = self.write_notices(&txn, issues).await?;
        Store::notify_peers(&txn).await?;
        txn.commit().await?;
        Ok(records)
    }
}

fn unanswered() -> StoreError {
    StoreError::Corrupt("a notice's write ended without an answer".into())
}

fn missing() -> StoreError {
    StoreError::Corrupt("a written notice came back missing".into())
}

//! Group commit for notices. Notices that arrive while others are being
//! planned or written wait their turn and are then handled together: a
//! batch is planned with one query per table (off the writer), then
//! written in one transaction with one insert per table, so a burst costs
//! the database a handful of statements per batch instead of per notice.
//! Planning and writing are two stages, so one batch is planned while the
//! one before it is written. A notice that arrives alone goes through at
//! once. A batch that fails is done again one notice at a time, so a bad
//! notice fails only itself; each notice still commits with its
//! assignments, timers, pages and events.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use tokio::sync::{Semaphore, oneshot};

use super::notices::Issued;
use super::planning::{self, Asked, Plan};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;

/// Notices per batch at most (so a batch's few statements, one text per
/// size, stay in the connection's statement cache).
const BATCH: usize = 32;

/// Batches planned side by side, on the readers.
const PLANNERS: usize = 2;

/// Batches written side by side: one, on both databases. SQLite has one
/// writer; on PostgreSQL in a burst one measured as well as two or four
/// (BENCHMARKS.md, session 26), with batches growing as notices wait
/// instead of more, smaller transactions contending for the same cores.
const WRITERS: usize = 1;

/// A planned notice waiting to be written.
pub(super) struct Issue {
    pub(super) by: By,
    pub(super) plan: Plan,
    pub(super) now: DateTime<Utc>,
}

type Reply<O> = oneshot::Sender<StoreResult<O>>;

/// A stage's answers for a batch: the batch's error, or each item's.
type Answers<'a, O> = Pin<Box<dyn Future<Output = StoreResult<Vec<StoreResult<O>>>> + Send + 'a>>;

/// One stage: the items waiting, and the turns to handle them.
struct Stage<I, O> {
    waiting: Mutex<Vec<(I, Reply<O>)>>,
    turns: Semaphore,
}

impl<I: Send + 'static, O: Send + 'static> Stage<I, O> {
    fn new(turns: usize) -> Self {
        Self { waiting: Mutex::default(), turns: Semaphore::new(turns) }
    }

    fn waiting(&self) -> usize {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Hands `item` to the stage and waits for its answer. Whoever holds a
    /// turn runs `work` on every batch waiting until its own item is done;
    /// `work` answers each item of its batch. An item done in another's
    /// turn needs no turn of its own.
    async fn run<W, F>(&self, item: I, work: W) -> StoreResult<O>
    where
        W: Fn(Vec<(I, Reply<O>)>) -> F,
        F: Future<Output = ()> + Send + 'static,
    {
        let (reply, mut answer) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner).push((item, reply));
        let turn = tokio::select! {
            done = &mut answer => return done.map_err(|_| unanswered())?,
            // The semaphore is never closed: a turn always comes.
            turn = self.turns.acquire() => turn.map_err(|_| unanswered())?,
        };
        loop {
            match answer.try_recv() {
                Ok(done) => return done,
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => break,
            }
            let batch = {
                let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
                let n = waiting.len().min(BATCH);
                waiting.drain(..n).collect::<Vec<_>>()
            };
            if batch.is_empty() {
                break;
            }
            // On a task of its own: a caller that goes away midway (its
            // client hung up) does not take the others' notices with it.
            if tokio::spawn(work(batch)).await.is_err() {
                break;
            }
        }
        drop(turn);
        answer.await.map_err(|_| unanswered())?
    }
}

/// The notices being planned and written.
pub(super) struct Intake {
    planning: Stage<Asked, Plan>,
    writing: Stage<Issue, Issued>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("planning", &self.planning.waiting())
            .field("writing", &self.writing.waiting())
            .finish_non_exhaustive()
    }
}

impl Default for Intake {
    fn default() -> Self {
        Self { planning: Stage::new(PLANNERS), writing: Stage::new(WRITERS) }
    }
}

impl Store {
    /// Plans a notice with whatever else is waiting when its turn comes.
    pub(super) async fn plan_queued(&self, asked: Asked) -> StoreResult<Plan> {
        self.intake
            .planning
            .run(asked, |batch| {
                let store = self.clone();
                async move { store.plan_batch(batch).await }
            })
            .await
    }

    /// Writes a planned notice with whatever else is waiting when its turn
    /// comes.
    pub(super) async fn write_queued(&self, issue: Issue) -> StoreResult<Issued> {
        self.intake
            .writing
            .run(issue, |batch| {
                let store = self.clone();
                async move { store.write_batch(batch).await }
            })
            .await
    }

    async fn plan_batch(&self, batch: Vec<(Asked, Reply<Plan>)>) {
        answer_each(batch, "planning", |asked| {
            let store = self.clone();
            Box::pin(async move { planning::plans(store.reader(), asked).await })
        })
        .await;
    }

    async fn write_batch(&self, batch: Vec<(Issue, Reply<Issued>)>) {
        answer_each(batch, "writing", |issues| {
            let store = self.clone();
            Box::pin(async move {
                let records = store.write_together(issues).await?;
                store.wake();
                Ok(records.into_iter().map(Ok).collect())
            })
        })
        .await;
    }

    /// Writes `issues` in one transaction.
    async fn write_together(&self, issues: &[Issue]) -> StoreResult<Vec<Issued>> {
        let txn = self.db().begin().await?;
        let records = self.write_notices(&txn, issues).await?;
        Store::notify_peers(&txn).await?;
        txn.commit().await?;
        Ok(records)
    }
}

/// Answers each item of `batch` from `run` over all of them; if that
/// fails, from `run` over each alone, so that a bad item fails only itself.
async fn answer_each<I, O>(batch: Vec<(I, Reply<O>)>, stage: &str, run: impl for<'a> Fn(&'a [I]) -> Answers<'a, O>) {
    let (items, replies): (Vec<I>, Vec<Reply<O>>) = batch.into_iter().unzip();
    match run(&items).await {
        Ok(answers) => {
            let mut answers = answers.into_iter();
            for reply in replies {
                let _ = reply.send(answers.next().unwrap_or_else(|| Err(missing())));
            }
        }
        Err(e) if items.len() == 1 => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, notices = items.len(), stage, "a batch of notices failed; doing each alone");
            for (item, reply) in items.iter().zip(replies) {
                let alone = run(std::slice::from_ref(item)).await;
                let _ = reply.send(alone.and_then(|mut a| a.pop().unwrap_or_else(|| Err(missing()))));
            }
        }
    }
}

fn unanswered() -> StoreError {
    StoreError::Corrupt("a notice's batch ended without an answer".into())
}

fn missing() -> StoreError {
    StoreError::Corrupt("a notice came back missing from its batch".into())
}

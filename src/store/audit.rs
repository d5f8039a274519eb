//! The audit log (the `audit_log` migration says what it holds). An entry
//! is inserted inside the transaction of the change it records, unsealed;
//! `seal_audit` (the engine, every poll interval, and `verify-audit`) then
//! chains the committed entries in one transaction under the head's lock,
//! one statement per batch.
//! Writers never wait for one another on the chain: with every change
//! locking one head row, PostgreSQL serialised all writers (100,000 timers
//! fell seconds late in the benchmark). An entry is tamper-evident once
//! sealed, within the engine's poll interval (5 s by default).

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, TransactionTrait,
};

use super::entities::{audit_entry, audit_head};
use super::timeline::By;
use super::{Store, StoreError, StoreResult};
use crate::domain::audit::{Content, Tamper, Verifier, digest};

/// The head's one row.
const HEAD: i64 = 1;

/// Entries chained per sealing transaction.
const SEAL_BATCH: u64 = 1_000;

/// Rows read per statement while verifying.
const VERIFY_PAGE: u64 = 10_000;

/// One thing to record: who (`by`), what (`action`, e.g.
/// `assignment.on_site` or `user.created`), to what (`subject`, e.g.
/// `assignment:12`), and any detail.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub by: &'a By,
    pub action: String,
    pub subject: String,
    pub data: Option<serde_json::Value>,
}

impl<'a> Audit<'a> {
    pub fn new(by: &'a By, action: impl Into<String>, subject: impl Into<String>) -> Self {
        Self { by, action: action.into(), subject: subject.into(), data: None }
    }

    pub fn with(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// What a sealed entry's hash covers (`seq` is given while sealing).
fn content(e: &audit_entry::Model, seq: i64) -> Content<'_> {
    Content {
        seq,
        at: e.at,
        source: &e.source,
        actor: &e.actor,
        user_id: e.user_id,
        person_id: e.person_id,
        address: e.address.as_deref(),
        action: &e.action,
        subject: &e.subject,
        data: e.data.as_deref(),
    }
}

/// Inserts an entry, unsealed, inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(conn: &C, a: Audit<'_>, now: DateTime<Utc>) -> StoreResult<()> {
    let row = audit_entry::ActiveModel {
        seq: Set(None),
        // Stored to the microsecond on both databases: hashed the same way.
        at: Set(now.trunc_subsecs(6)),
        source: Set(a.by.source.code().to_owned()),
        actor: Set(a.by.label.clone()),
        user_id: Set(a.by.user_id),
        person_id: Set(a.by.person_id),
        address: Set(a.by.address.map(|ip| ip.to_string())),
        action: Set(a.action),
        subject: Set(a.subject),
        data: Set(a.data.map(|d| d.to_string())),
        prev_hash: Set(None),
        hash: Set(None),
        ..Default::default()
    };
    audit_entry::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(())
}

/// One statement that gives every entry of a batch its `seq`, `prev_hash`
/// and `hash`: a round trip per entry kept the sealing transaction (and the
/// head's lock) open long enough to slow every writer on PostgreSQL.
fn seal_statement(backend: DbBackend, chained: Vec<(i64, i64, String, String)>) -> Statement {
    let postgres = backend == DbBackend::Postgres;
    let mut rows = Vec::with_capacity(chained.len());
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chained.len() * 4);
    for (id, seq, prev, hash) in chained {
        let n = values.len();
        rows.push(if postgres {
            format!("(${}::bigint, ${}::bigint, ${}, ${})", n + 1, n + 2, n + 3, n + 4)
        } else {
            "(?, ?, ?, ?)".to_owned()
        });
        values.extend([id.into(), seq.into(), prev.into(), hash.into()]);
    }
    // VALUES columns are named column1… on both databases.
    let sql = format!(
        "UPDATE audit_log SET seq = v.column2, prev_hash = v.column3, hash = v.column4 \
         FROM (VALUES {}) AS v WHERE audit_log.id = v.column1",
        rows.join(", ")
    );
    Statement::from_sql_and_values(backend, sql, values)
}

impl Store {
    /// Chains the committed unsealed entries, oldest first, under the
    /// head's lock; returns how many were sealed.
    pub async fn seal_audit(&self) -> StoreResult<u64> {
        let txn = self.db().begin().await?;
        let head = audit_head::Entity::find_by_id(HEAD)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the audit log's head row is missing".into()))?;
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.is_null())
            .order_by_asc(audit_entry::Column::Id)
            .limit(SEAL_BATCH)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let (mut seq, mut prev) = (head.seq, head.hash);
        let mut chained = Vec::with_capacity(rows.len());
        for e in &rows {
            seq += 1;
            let hash = digest(&content(e, seq), &prev);
            chained.push((e.id, seq, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        txn.execute_raw(seal_statement(self.backend(), chained)).await?;
        audit_head::Entity::update_many()
            .set(audit_head::ActiveModel { seq: Set(seq), hash: Set(prev), ..Default::default() })
            .filter(audit_head::Column::Id.eq(HEAD))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Seals what is waiting; the engine's pass. Asks to run again at once
    /// when a whole batch was sealed (more may be waiting), else waits the
    /// poll interval.
    pub async fn seal_audit_pass(&self, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        Ok((self.seal_audit().await? == SEAL_BATCH).then_some(now))
    }

    /// Walks the sealed log in sequence and names the first entry that was
    /// edited, deleted or moved; returns how many entries were checked.
    pub async fn verify_audit(&self) -> StoreResult<Result<u64, Tamper>> {
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows = audit_entry::Entity::find()
                .filter(audit_entry::Column::Seq.gt(after))
                .order_by_asc(audit_entry::Column::Seq)
                .limit(VERIFY_PAGE)
                .all(self.reader())
                .await?;
            let Some(last) = rows.last().and_then(|r| r.seq) else { break };
            for e in &rows {
                let seq = e.seq.unwrap_or_default();
                let (prev, hash) = (e.prev_hash.as_deref().unwrap_or_default(), e.hash.as_deref().unwrap_or_default());
                if let Err(t) = v.row(e.id, &content(e, seq), prev, hash) {
                    return Ok(Err(t));
                }
            }
            after = last;
        }
        let head = audit_head::Entity::find_by_id(HEAD).one(self.reader()).await?;
        Ok(match head {
            Some(h) => v.finish(h.seq, &h.hash),
            None => Err(Tamper::HeadMissing),
        })
    }

    /// The latest entries, newest first (the admin page).
    pub async fn audit_entries(&self, limit: u64) -> StoreResult<Vec<audit_entry::Model>> {
        Ok(audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id).limit(limit).all(self.reader()).await?)
    }
}

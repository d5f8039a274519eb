//! The audit log (the `audit_log` migration says what it holds). An entry
//! is inserted inside the transaction of the change it records, unsealed
//! but carrying the MAC it was written with; `seal_audit` (the engine, every
//! poll interval, and `verify-audit`) then chains the committed entries in
//! one transaction under the head's lock, one statement per batch, and
//! refuses any row without a valid MAC (it was inserted around onsite).
//! Writers never wait for one another on the chain: with every change
//! locking one head row, PostgreSQL serialised all writers (100,000 timers
//! fell seconds late in the benchmark). An entry is tamper-evident once
//! sealed, within the engine's poll interval (5 s by default).

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};

use super::audit_key::AuditKey;
use super::entities::{audit_entry, audit_head};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::audit::{Checkpoint, Content, Tamper, Verifier, entry_mac, head_mac, keyed_digest};
use crate::domain::record::AuditEntry;

/// What a row the sealer refused keeps in `hash`: it stays out of the chain
/// and out of the sealer's way, and `verify-audit` names it.
const REFUSED: &str = "refused: not written by onsite";

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

/// Inserts an entry, unsealed and signed with `key`, inside the caller's
/// transaction.
pub async fn record<C: ConnectionTrait>(conn: &C, key: &AuditKey, a: Audit<'_>, now: DateTime<Utc>) -> StoreResult<()> {
    audit_entry::Entity::insert(row(key, a, now)).exec_without_returning(conn).await?;
    Ok(())
}

/// An entry's row, unsealed and signed with `key` (for writers that insert
/// many entries in one statement).
pub(super) fn row(key: &AuditKey, a: Audit<'_>, now: DateTime<Utc>) -> audit_entry::ActiveModel {
    // Stored to the microsecond on both databases: hashed the same way.
    let at = now.trunc_subsecs(6);
    let address = a.by.address.map(|ip| ip.to_string());
    let data = a.data.map(|d| d.to_string());
    let written = Content {
        seq: 0,
        at,
        source: a.by.source.code(),
        actor: &a.by.label,
        user_id: a.by.user_id,
        person_id: a.by.person_id,
        address: address.as_deref(),
        action: &a.action,
        subject: &a.subject,
        data: data.as_deref(),
    };
    let mac = entry_mac(key.bytes(), &written);
    audit_entry::ActiveModel {
        seq: Set(None),
        at: Set(at),
        source: Set(a.by.source.code().to_owned()),
        actor: Set(a.by.label.clone()),
        user_id: Set(a.by.user_id),
        person_id: Set(a.by.person_id),
        address: Set(address),
        action: Set(a.action),
        subject: Set(a.subject),
        data: Set(data),
        prev_hash: Set(None),
        hash: Set(None),
        entry_mac: Set(Some(mac)),
        ..Default::default()
    }
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
    /// The last audit entry committed (0 before any): every change a report
    /// counts is audited in its own transaction, so a report worked out at
    /// one position holds until the position moves.
    pub async fn audit_position(&self) -> StoreResult<i64> {
        let last: Option<Option<i64>> = audit_entry::Entity::find()
            .select_only()
            .column_as(audit_entry::Column::Id.max(), "last")
            .into_tuple()
            .one(self.reader())
            .await?;
        Ok(last.flatten().unwrap_or(0))
    }

    /// Records `a` inside the caller's transaction with this store's key.
    pub(super) async fn audit<C: ConnectionTrait>(
        &self,
        conn: &C,
        a: Audit<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        record(conn, self.audit_key(), a, now).await
    }

    /// Inserts a new row and the audit entry `entry` makes of it, in one
    /// transaction: a registry record is never written unaudited.
    pub(super) async fn insert_audited<'b, A>(
        &self,
        row: A,
        now: DateTime<Utc>,
        entry: impl FnOnce(&<A::Entity as EntityTrait>::Model) -> Audit<'b>,
    ) -> StoreResult<<A::Entity as EntityTrait>::Model>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    {
        let txn = self.db().begin().await?;
        let saved = row.insert(&txn).await?;
        self.audit(&txn, entry(&saved), now).await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Chains the committed unsealed entries, oldest first, under the
    /// head's lock; returns how many were sealed. A row without a valid
    /// entry MAC is refused (marked, never chained), and a head whose MAC is
    /// not this key's stops sealing: both are for `verify-audit` to report.
    pub async fn seal_audit(&self) -> StoreResult<u64> {
        let key = self.audit_key().bytes();
        let txn = self.db().begin().await?;
        let head = audit_head::Entity::find_by_id(HEAD)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the audit log's head row is missing".into()))?;
        let keyed_from = match &head.mac {
            // Keyed from the next entry on; what was sealed before keeps its plain chain.
            None => head.seq + 1,
            Some(mac) if *mac == head_mac(key, head.seq, &head.hash, head.keyed_from) => head.keyed_from,
            Some(_) => {
                txn.rollback().await?;
                return Err(StoreError::Corrupt(Tamper::HeadForged.to_string()));
            }
        };
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.is_null())
            .filter(audit_entry::Column::Hash.is_null())
            .order_by_asc(audit_entry::Column::Id)
            .limit(SEAL_BATCH)
            .all(&txn)
            .await?
            .into_iter()
            .map(AuditEntry::from)
            .collect::<Vec<_>>();
        if rows.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let (mut seq, mut prev) = (head.seq, head.hash);
        let mut chained = Vec::with_capacity(rows.len());
        let mut refused = Vec::new();
        for e in &rows {
            if e.entry_mac.as_deref() != Some(entry_mac(key, &e.content(0)).as_str()) {
                refused.push(e.id);
                continue;
            }
            seq += 1;
            let hash = keyed_digest(key, e.id, &e.content(seq), &prev);
            chained.push((e.id, seq, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        let sealed = chained.len() as u64;
        if !chained.is_empty() {
            txn.execute_raw(seal_statement(self.backend(), chained)).await?;
        }
        if let Some(first) = refused.first() {
            tracing::error!(rows = refused.len(), first, "audit rows not written by onsite: refused, not sealed");
            audit_entry::Entity::update_many()
                .col_expr(audit_entry::Column::Hash, sea_orm::sea_query::Expr::value(REFUSED))
                .filter(audit_entry::Column::Id.is_in(refused))
                .exec(&txn)
                .await?;
        }
        let mac = head_mac(key, seq, &prev, keyed_from);
        audit_head::Entity::update_many()
            .set(audit_head::ActiveModel {
                seq: Set(seq),
                hash: Set(prev),
                keyed_from: Set(keyed_from),
                mac: Set(Some(mac)),
                ..Default::default()
            })
            .filter(audit_head::Column::Id.eq(HEAD))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(sealed)
    }

    /// Seals what is waiting; the engine's pass. Asks to run again at once
    /// when a whole batch was sealed (more may be waiting), else waits the
    /// poll interval.
    pub async fn seal_audit_pass(&self, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        Ok((self.seal_audit().await? == SEAL_BATCH).then_some(now))
    }

    /// Walks the sealed log in sequence and names the first entry that was
    /// edited, deleted, moved or inserted around onsite, then holds the log
    /// against the operator's signed `checkpoints`; returns how many
    /// entries were checked.
    pub async fn verify_audit(&self, checkpoints: &[Checkpoint]) -> StoreResult<Result<u64, Tamper>> {
        let key = self.audit_key().bytes();
        let Some(head) = audit_head::Entity::find_by_id(HEAD).one(self.reader()).await? else {
            return Ok(Err(Tamper::HeadMissing));
        };
        let keyed_from = match &head.mac {
            Some(mac) if *mac != head_mac(key, head.seq, &head.hash, head.keyed_from) => {
                return Ok(Err(Tamper::HeadForged));
            }
            Some(_) => head.keyed_from,
            None => {
                // Not keyed yet, so no entry may carry a MAC: if one does,
                // the head's MAC was removed to verify the chain unkeyed.
                let signed = audit_entry::Entity::find()
                    .filter(audit_entry::Column::Seq.is_not_null())
                    .filter(audit_entry::Column::EntryMac.is_not_null())
                    .one(self.reader())
                    .await?;
                if signed.is_some() {
                    return Ok(Err(Tamper::HeadForged));
                }
                0
            }
        };
        let mut v = Verifier::new(key, keyed_from);
        let wanted: std::collections::HashSet<i64> = checkpoints.iter().map(|c| c.seq).collect();
        let mut seen = std::collections::HashMap::new();
        let mut after = 0i64;
        loop {
            let rows = audit_entry::Entity::find()
                .filter(audit_entry::Column::Seq.gt(after))
                .order_by_asc(audit_entry::Column::Seq)
                .limit(VERIFY_PAGE)
                .all(self.reader())
                .await?
                .into_iter()
                .map(AuditEntry::from)
                .collect::<Vec<_>>();
            let Some(last) = rows.last().and_then(|r| r.seq) else { break };
            for e in &rows {
                let seq = e.seq.unwrap_or_default();
                let (prev, hash) = (e.prev_hash.as_deref().unwrap_or_default(), e.hash.as_deref().unwrap_or_default());
                if let Err(t) = v.row(e.id, &e.content(seq), prev, hash, e.entry_mac.as_deref()) {
                    return Ok(Err(t));
                }
                if wanted.contains(&seq) {
                    seen.insert(seq, hash.to_owned());
                }
            }
            after = last;
        }
        let unsealed = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.is_null())
            .order_by_asc(audit_entry::Column::Id)
            .all(self.reader())
            .await?
            .into_iter()
            .map(AuditEntry::from)
            .collect::<Vec<_>>();
        if let Some(e) =
            unsealed.iter().find(|e| e.entry_mac.as_deref() != Some(entry_mac(key, &e.content(0)).as_str()))
        {
            return Ok(Err(Tamper::Inserted { id: e.id }));
        }
        let checked = match v.finish(head.seq, &head.hash) {
            Ok(n) => n,
            Err(t) => return Ok(Err(t)),
        };
        for (i, c) in checkpoints.iter().enumerate() {
            let line = i + 1;
            if !c.genuine(key) {
                return Ok(Err(Tamper::CheckpointForged { line }));
            }
            match seen.get(&c.seq) {
                None => return Ok(Err(Tamper::CheckpointBeyondEnd { line, seq: c.seq, last: head.seq })),
                Some(hash) if *hash != c.hash => return Ok(Err(Tamper::CheckpointMismatch { line, seq: c.seq })),
                Some(_) => {}
            }
        }
        Ok(Ok(checked))
    }

    /// The end of the chain now, signed: for the operator to keep where the
    /// database cannot reach (`onsite admin audit-checkpoint`).
    pub async fn audit_checkpoint(&self, now: DateTime<Utc>) -> StoreResult<Checkpoint> {
        self.seal_audit().await?;
        let head = audit_head::Entity::find_by_id(HEAD)
            .one(self.db())
            .await?
            .ok_or_else(|| StoreError::Corrupt("the audit log's head row is missing".into()))?;
        Ok(Checkpoint::new(self.audit_key().bytes(), head.seq, head.hash, now))
    }

    /// The latest entries, newest first (the admin page).
    pub async fn audit_entries(&self, limit: u64) -> StoreResult<Vec<AuditEntry>> {
        let rows =
            audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id).limit(limit).all(self.reader()).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}

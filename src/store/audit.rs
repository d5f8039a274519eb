//! The audit log (the `audit_log` migration says what it holds). Entries
//! are written inside the transaction of the change they record; the head
//! row is locked first, so concurrent writers (other instances on
//! PostgreSQL) take turns and the chain never forks.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::{audit_entry, audit_head};
use super::timeline::By;
use super::{Store, StoreError, StoreResult};
use crate::domain::audit::{Content, Tamper, Verifier, digest};

/// The head's one row.
const HEAD: i64 = 1;

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

fn content(e: &audit_entry::Model) -> Content<'_> {
    Content {
        seq: e.seq,
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

/// Appends an entry inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(conn: &C, a: Audit<'_>, now: DateTime<Utc>) -> StoreResult<()> {
    let head = audit_head::Entity::find_by_id(HEAD)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the audit log's head row is missing".into()))?;
    let address = a.by.address.map(|ip| ip.to_string());
    let data = a.data.map(|d| d.to_string());
    let mut entry = audit_entry::Model {
        id: 0,
        seq: head.seq + 1,
        // Stored to the microsecond on both databases: hashed the same way.
        at: now.trunc_subsecs(6),
        source: a.by.source.code().to_owned(),
        actor: a.by.label.clone(),
        user_id: a.by.user_id,
        person_id: a.by.person_id,
        address,
        action: a.action,
        subject: a.subject,
        data,
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    entry.hash = digest(&content(&entry), &head.hash);
    let (seq, hash) = (entry.seq, entry.hash.clone());
    let mut row: audit_entry::ActiveModel = entry.into();
    row.id = sea_orm::ActiveValue::NotSet;
    row.insert(conn).await?;
    audit_head::ActiveModel { id: Set(HEAD), seq: Set(seq), hash: Set(hash) }.update(conn).await?;
    Ok(())
}

impl Store {
    /// Walks the whole log in id order and names the first row that was
    /// edited, deleted or moved; returns how many rows were checked.
    pub async fn verify_audit(&self) -> StoreResult<Result<u64, Tamper>> {
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows = audit_entry::Entity::find()
                .filter(audit_entry::Column::Id.gt(after))
                .order_by_asc(audit_entry::Column::Id)
                .limit(VERIFY_PAGE)
                .all(self.reader())
                .await?;
            let Some(last) = rows.last().map(|r| r.id) else { break };
            for e in &rows {
                if let Err(t) = v.row(e.id, &content(e), &e.prev_hash, &e.hash) {
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

//! Duty hand-over messages, written: the rosters the engine reads for
//! changes of duty, and one hand-over's messages (to whoever comes on, or,
//! for a gap, to the unit's support leads) written once, under a key naming
//! the branch, the instant and the person, so a second pass or a second
//! instance never doubles them.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, SqlErr, TransactionTrait};

use super::entities::{branch, page, person, roster, unit};
use super::pages::enqueue_to_person;
use super::rosters::load;
use super::{Store, StoreError, StoreResult};
use crate::domain::escalation::PageReason;
use crate::domain::page::DutyContext;
use crate::domain::people::Role;
use crate::domain::roster::{Handover, Roster};

impl Store {
    /// Every branch's roster, with its overrides from `since` on: what the
    /// engine reads each pass to find the changes of duty to announce.
    pub async fn rosters_since(&self, since: DateTime<Utc>) -> StoreResult<Vec<(i64, Roster)>> {
        // Scanned through the readers (every few seconds, every roster); each
        // message is checked and written on the writer.
        let mut out = Vec::new();
        for r in roster::Entity::find().all(self.reader()).await? {
            if let Some((roster, _)) = load(self.reader(), r.branch_id, since).await? {
                out.push((r.branch_id, roster));
            }
        }
        Ok(out)
    }

    /// Writes one hand-over's messages unless they are written already: to
    /// whoever comes on, or, for a gap, to the unit's support leads.
    pub async fn announce_handover(&self, branch_id: i64, h: &Handover, now: DateTime<Utc>) -> StoreResult<usize> {
        let txn = self.db().begin().await?;
        let Some(b) = branch::Entity::find_by_id(branch_id).one(&txn).await? else { return Ok(0) };
        let told = match h.person_id {
            Some(id) => person::Entity::find_by_id(id).one(&txn).await?.into_iter().filter(|p| p.active).collect(),
            None => {
                person::Entity::find()
                    .filter(person::Column::UnitId.eq(b.unit_id))
                    .filter(person::Column::Role.eq(Role::SupportLead))
                    .filter(person::Column::Active.eq(true))
                    .all(&txn)
                    .await?
            }
        };
        let unit_name = unit::Entity::find_by_id(b.unit_id).one(&txn).await?.map(|u| u.name).unwrap_or_default();
        let after = match h.after {
            Some(id) => person::Entity::find_by_id(id).one(&txn).await?.map(|p| p.name),
            None => None,
        };
        let (reason, gap) =
            if h.person_id.is_some() { (PageReason::DutyStart, false) } else { (PageReason::DutyGap, true) };
        let mut pages = 0;
        for p in told {
            let key = format!("duty:b{branch_id}:{}:p{}", h.at.timestamp(), p.id);
            if page::Entity::find().filter(page::Column::MessageKey.eq(&key)).one(&txn).await?.is_some() {
                continue;
            }
            let ctx = DutyContext {
                person_name: p.name.clone(),
                unit_name: unit_name.clone(),
                branch_name: b.name.clone(),
                from: h.at,
                until: h.until,
                after: after.clone(),
                gap,
            };
            let body = self.page_writer().duty_start(&ctx);
            tracing::info!(branch_id, person = %p.name, at = %h.at, gap, "announcing a change of duty");
            match enqueue_to_person(&txn, &p, reason, &key, &body, now).await {
                Ok(n) => pages += n,
                // A peer instance wrote it first: it wrote the rest too.
                Err(StoreError::Db(e)) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Ok(0);
                }
                Err(e) => return Err(e),
            }
        }
        if pages > 0 {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        if pages > 0 {
            self.wake();
        }
        Ok(pages)
    }
}

//! What the duties' reminders share: whom in a unit to tell, marking a
//! reminder sent once (a unique row a peer may have written first), and
//! committing its messages and waking the outbox.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr, SqlErr};

use super::entities::person;
use super::instructions::reachable;
use super::pages::enqueue_to_person;
use super::{Store, StoreResult};
use crate::domain::escalation::PageReason;
use crate::domain::page::PageBody;
use crate::domain::people::Role;

/// A unit's liaisons, or its support leads when it has no liaison to
/// reach; with `and_leads`, its support leads as well.
pub(super) async fn unit_contacts(
    txn: &DatabaseTransaction,
    unit_id: i64,
    and_leads: bool,
) -> StoreResult<Vec<person::Model>> {
    let mut people = reachable(txn, unit_id, Role::Liaison).await?;
    if people.is_empty() || and_leads {
        people.extend(reachable(txn, unit_id, Role::SupportLead).await?);
    }
    Ok(people)
}

/// Whether the marker row was written: `false` when a peer wrote it first.
pub(super) fn first<T>(inserted: Result<T, DbErr>) -> StoreResult<bool> {
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Writes one message to each of `people` (keyed `{key}:p{person}`), the
/// words from `body`, then commits and wakes the outbox.
pub(super) async fn tell_and_commit(
    store: &Store,
    txn: DatabaseTransaction,
    people: &[person::Model],
    reason: PageReason,
    key: &str,
    body: impl Fn(&person::Model) -> PageBody,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    let mut pages = 0;
    for p in people {
        pages += enqueue_to_person(&txn, p, reason, &format!("{key}:p{}", p.id), &body(p), now).await?;
    }
    if pages > 0 {
        Store::notify_peers(&txn).await?;
    }
    txn.commit().await?;
    if pages > 0 {
        store.wake();
    }
    Ok(pages)
}

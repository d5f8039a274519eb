//! Changing who can be reached, and how: replacing or removing a person's
//! channel, and deactivating a person. Each change stops paging at once and
//! makes the action links already sent over it stop working.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::audit::Audit;
use super::entities::{channel, person};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::people::{ChannelDraft, ChannelKind, ChannelStatus};
use crate::domain::record::{Channel, Person};

/// A person found by one of their channels' addresses, and that channel
/// (whose action link a door may hand back).
#[derive(Debug, Clone)]
pub struct Reached {
    pub person: Person,
    pub channel_id: i64,
}

impl Store {
    /// A channel whose person is in `scope`.
    pub async fn channel(&self, scope: Scope, id: i64) -> StoreResult<Channel> {
        let found = channel::Entity::find_by_id(id).one(self.db()).await?;
        let Some(c) = found.filter(|c| c.status != ChannelStatus::Removed) else {
            return Err(StoreError::not_found("channel", id));
        };
        self.person(scope, c.person_id).await.map_err(|_| StoreError::not_found("channel", id))?;
        Ok(c.into())
    }

    /// The active person an active channel of `kind` at `address` reaches:
    /// who pressed a chat app's button or answered a call. `None` for an
    /// address nobody here holds; an address two people share (a typing
    /// mistake) proves neither.
    pub async fn person_reached_at(
        &self,
        scope: Scope,
        kind: ChannelKind,
        address: &str,
    ) -> StoreResult<Option<Reached>> {
        let channels = channel::Entity::find()
            .filter(channel::Column::Kind.eq(kind))
            .filter(channel::Column::Address.eq(address))
            .filter(channel::Column::Status.ne(ChannelStatus::Removed))
            .all(self.db())
            .await?;
        let [only] = channels.as_slice() else { return Ok(None) };
        let person = person::Entity::find_by_id(only.person_id).one(self.db()).await?;
        let person = person.filter(|p| p.active && scope.allows_unit(p.unit_id)).map(Person::from);
        Ok(person.map(|person| Reached { person, channel_id: only.id }))
    }

    /// Replaces a channel's kind and address (written, never read back): the
    /// old address is paged no more, and a channel the provider had refused
    /// is tried again.
    pub async fn replace_channel(
        &self,
        by: &By,
        scope: Scope,
        channel_id: i64,
        channel: ChannelDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Channel> {
        self.change_channel(by, scope, channel_id, "channel.replaced", now, |row| {
            row.kind = Set(channel.kind);
            row.address = Set(channel.address);
            row.status = Set(ChannelStatus::Active);
            row.status_reason = Set(None);
        })
        .await
    }

    /// Takes a channel out of paging for good.
    pub async fn remove_channel(&self, by: &By, scope: Scope, channel_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        self.change_channel(by, scope, channel_id, "channel.removed", now, |row| {
            row.status = Set(ChannelStatus::Removed)
        })
        .await
        .map(|_| ())
    }

    /// One change to a channel and its audit entry, in one transaction.
    #[tracing::instrument(skip_all, fields(channel_id, action))]
    async fn change_channel(
        &self,
        by: &By,
        scope: Scope,
        channel_id: i64,
        action: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut channel::ActiveModel),
    ) -> StoreResult<Channel> {
        let old = self.channel(scope, channel_id).await?;
        let txn = self.db().begin().await?;
        let mut row = channel::ActiveModel { id: Set(old.id), ..Default::default() };
        change(&mut row);
        let saved = row.update(&txn).await?;
        let detail = serde_json::json!({ "person_id": old.person_id, "kind": saved.kind, "was": old.kind });
        self.audit(&txn, Audit::new(by, action, format!("channel:{channel_id}")).with(detail), now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// Deactivates (or reactivates) a person: an inactive person is not
    /// paged, put on duty, or let in by an action link.
    #[tracing::instrument(skip_all, fields(person_id))]
    pub async fn set_person_active(
        &self,
        by: &By,
        scope: Scope,
        person_id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Person> {
        let old = self.person(scope, person_id).await?;
        let txn = self.db().begin().await?;
        let row = person::ActiveModel { id: Set(old.id), active: Set(active), ..Default::default() };
        let saved = row.update(&txn).await?;
        let action = if active { "person.reactivated" } else { "person.deactivated" };
        self.audit(&txn, Audit::new(by, action, format!("person:{person_id}")), now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }
}

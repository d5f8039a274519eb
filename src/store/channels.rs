//! Changing who can be reached, and how: replacing or removing a person's
//! channel, and deactivating a person. Each change stops paging at once and
//! makes the action links already sent over it stop working.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

use super::audit::{self, Audit};
use super::entities::{channel, person};
use super::timeline::By;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Scope;
use crate::domain::people::ChannelKind;

/// The status of a channel taken out of paging. The row stays, so the pages
/// sent over it still name it.
pub const CHANNEL_REMOVED: &str = "removed";

impl Store {
    /// A channel whose person is in `scope`.
    pub async fn channel(&self, scope: Scope, id: i64) -> StoreResult<channel::Model> {
        let found = channel::Entity::find_by_id(id).one(self.db()).await?;
        let Some(c) = found.filter(|c| c.status != CHANNEL_REMOVED) else {
            return Err(StoreError::not_found("channel", id));
        };
        self.person(scope, c.person_id).await.map_err(|_| StoreError::not_found("channel", id))?;
        Ok(c)
    }

    /// Replaces a channel's kind and address (written, never read back): the
    /// old address is paged no more, and a channel the provider had refused
    /// is tried again.
    #[tracing::instrument(skip_all, fields(channel_id))]
    pub async fn replace_channel(
        &self,
        by: &By,
        channel_id: i64,
        kind: ChannelKind,
        address: String,
        now: DateTime<Utc>,
    ) -> StoreResult<channel::Model> {
        let old = self.channel(Scope::All, channel_id).await?;
        let txn = self.db().begin().await?;
        let mut row: channel::ActiveModel = old.clone().into();
        row.kind = Set(kind.code().to_owned());
        row.address = Set(address);
        row.status = Set("active".to_owned());
        row.status_reason = Set(None);
        let saved = row.update(&txn).await?;
        let detail = serde_json::json!({ "person_id": old.person_id, "kind": saved.kind, "was": old.kind });
        audit::record(
            &txn,
            self.audit_key(),
            Audit::new(by, "channel.replaced", format!("channel:{channel_id}")).with(detail),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Takes a channel out of paging for good.
    #[tracing::instrument(skip_all, fields(channel_id))]
    pub async fn remove_channel(&self, by: &By, channel_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let old = self.channel(Scope::All, channel_id).await?;
        let txn = self.db().begin().await?;
        let mut row: channel::ActiveModel = old.clone().into();
        row.status = Set(CHANNEL_REMOVED.to_owned());
        row.update(&txn).await?;
        let detail = serde_json::json!({ "person_id": old.person_id, "kind": old.kind });
        audit::record(
            &txn,
            self.audit_key(),
            Audit::new(by, "channel.removed", format!("channel:{channel_id}")).with(detail),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deactivates (or reactivates) a person: an inactive person is not
    /// paged, put on duty, or let in by an action link.
    #[tracing::instrument(skip_all, fields(person_id))]
    pub async fn set_person_active(
        &self,
        by: &By,
        person_id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<person::Model> {
        let old = self.person(Scope::All, person_id).await?;
        let txn = self.db().begin().await?;
        let mut row: person::ActiveModel = old.into();
        row.active = Set(active);
        let saved = row.update(&txn).await?;
        let action = if active { "person.reactivated" } else { "person.deactivated" };
        audit::record(&txn, self.audit_key(), Audit::new(by, action, format!("person:{person_id}")), now).await?;
        txn.commit().await?;
        Ok(saved)
    }
}

//! The bureau's contacts: duty officers and managers paged on escalation,
//! warnings and breaches, each on one channel.

use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, QueryOrder, Set};

use super::audit::Audit;
use super::entities::bureau_contact;
use super::{Store, StoreResult};
use crate::domain::access::By;
use crate::domain::people::ContactDraft;
use crate::domain::record::BureauContact;
use crate::records;

impl Store {
    /// Adds a contact and its audit entry.
    pub async fn create_bureau_contact(
        &self,
        by: &By,
        draft: ContactDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<BureauContact> {
        let ContactDraft { name, role, channel } = draft;
        let row = bureau_contact::ActiveModel {
            name: Set(name),
            role: Set(role),
            kind: Set(channel.kind),
            address: Set(channel.address),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        };
        self.insert_audited(row, now, |saved| {
            Audit::new(by, "bureau_contact.created", format!("bureau_contact:{}", saved.id))
                .with(serde_json::json!({ "role": saved.role, "kind": saved.kind }))
        })
        .await
        .map(BureauContact::from)
    }

    pub async fn bureau_contacts(&self) -> StoreResult<Vec<BureauContact>> {
        Ok(records::all(bureau_contact::Entity::find().order_by_asc(bureau_contact::Column::Id).all(self.db()).await?))
    }
}

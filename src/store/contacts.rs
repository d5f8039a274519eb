//! The bureau's contacts: duty officers and managers paged on escalation,
//! warnings and breaches, each on one channel.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

use super::entities::bureau_contact;
use super::{Store, StoreResult};
use crate::domain::people::{BureauRole, ChannelKind};

impl Store {
    pub async fn create_bureau_contact(
        &self,
        name: String,
        role: BureauRole,
        kind: ChannelKind,
        address: String,
        now: DateTime<Utc>,
    ) -> StoreResult<bureau_contact::Model> {
        Ok(bureau_contact::ActiveModel {
            name: Set(name),
            role: Set(role.code().to_owned()),
            kind: Set(kind.code().to_owned()),
            address: Set(address),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(self.db())
        .await?)
    }

    pub async fn bureau_contacts(&self) -> StoreResult<Vec<bureau_contact::Model>> {
        Ok(bureau_contact::Entity::find().order_by_asc(bureau_contact::Column::Id).all(self.db()).await?)
    }
}

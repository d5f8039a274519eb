//! `pages` table.

use sea_orm::entity::prelude::*;

use crate::domain::escalation::PageReason;
use crate::domain::event::{DeliveryFailure, DeliveryStatus, Receipt};
use crate::domain::page::PageBody;
use crate::domain::people::ChannelKind;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: Option<i64>,
    pub person_id: Option<i64>,
    pub bureau_contact_id: Option<i64>,
    pub unit_channel_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub channel_kind: ChannelKind,
    pub address: String,
    pub recipient: String,
    pub reason: PageReason,
    pub message_key: String,
    pub body: JsonText<PageBody>,
    pub idempotency_key: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    /// The instance whose claim `lease_until` is (`Store::instance`).
    pub claimed_by: Option<i64>,
    pub sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub last_error_code: Option<DeliveryFailure>,
    pub provider_message_id: Option<String>,
    pub receipt: Option<Receipt>,
    pub receipt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! The numbers of reply codes: a page about an assignment sent to a phone
//! (SMS) or a chat (the DingTalk app's robot) carries a number that stands
//! for that assignment on that channel only; the same number comes back in
//! the engineer's reply (`1A`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::entities::sms_reply_code;
use super::{Store, StoreResult};
use crate::domain::reply::MAX_NUMBER;

/// A number answers for this long after the last page that carried it:
/// longer than any assignment stays open without a page.
pub const REPLY_CODE_TTL: Duration = Duration::hours(24);

/// What a number a person replied with stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyTarget {
    Assignment(i64),
    /// It stood for an assignment, longer ago than `REPLY_CODE_TTL`.
    Expired,
    /// No page on this channel carried it.
    Unknown,
}

/// Attempts at a number when another sender took the same one at once.
const ATTEMPTS: usize = 3;

impl Store {
    /// The number for `assignment_id` on channel `channel_id`: the one
    /// it already has there (made fresh again), else the lowest free one,
    /// else the one used longest ago.
    pub async fn reply_number(&self, channel_id: i64, assignment_id: i64, now: DateTime<Utc>) -> StoreResult<i32> {
        let mut last = None;
        for _ in 0..ATTEMPTS {
            match self.try_reply_number(channel_id, assignment_id, now).await {
                Ok(number) => return Ok(number),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    async fn try_reply_number(&self, channel_id: i64, assignment_id: i64, now: DateTime<Utc>) -> StoreResult<i32> {
        let tx = self.db().begin().await?;
        let held = sms_reply_code::Entity::find()
            .filter(sms_reply_code::Column::ChannelId.eq(channel_id))
            .order_by_asc(sms_reply_code::Column::IssuedAt)
            .all(&tx)
            .await?;
        if let Some(mine) = held.iter().find(|r| r.assignment_id == assignment_id) {
            let number = mine.number;
            let mut row: sms_reply_code::ActiveModel = mine.clone().into();
            row.issued_at = Set(now);
            row.update(&tx).await?;
            tx.commit().await?;
            return Ok(number);
        }
        let fresh = |r: &&sms_reply_code::Model| r.issued_at > now - REPLY_CODE_TTL;
        let free = (1..=MAX_NUMBER).find(|n| !held.iter().filter(fresh).any(|r| r.number == *n));
        // Every number in use: the oldest gives way.
        let number = free.or_else(|| held.first().map(|r| r.number)).unwrap_or(1);
        sms_reply_code::Entity::delete_many()
            .filter(sms_reply_code::Column::ChannelId.eq(channel_id))
            .filter(sms_reply_code::Column::Number.eq(number))
            .exec(&tx)
            .await?;
        sms_reply_code::ActiveModel {
            channel_id: Set(channel_id),
            number: Set(number),
            assignment_id: Set(assignment_id),
            issued_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// What `number` stands for on channel `channel_id` at `now`.
    pub async fn reply_target(&self, channel_id: i64, number: i32, now: DateTime<Utc>) -> StoreResult<ReplyTarget> {
        let row = sms_reply_code::Entity::find()
            .filter(sms_reply_code::Column::ChannelId.eq(channel_id))
            .filter(sms_reply_code::Column::Number.eq(number))
            .one(self.db())
            .await?;
        Ok(match row {
            Some(r) if r.issued_at > now - REPLY_CODE_TTL => ReplyTarget::Assignment(r.assignment_id),
            Some(_) => ReplyTarget::Expired,
            None => ReplyTarget::Unknown,
        })
    }
}

//! Telegram state: one-time link codes (stored hashed), chats bound to
//! people with their language and pending location request, and the durable
//! inbox of updates keyed on `update_id`.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use super::audit::Audit;
use super::entities::{channel, person, telegram_chat, telegram_link, telegram_update, unit, unit_channel};
use super::users::token_digest;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::labels::Lang;
use crate::domain::people::{ChannelKind, ChannelStatus};
use crate::domain::record::{TelegramChat, TelegramUpdate};
use crate::records;

/// Letters and digits that cannot be mistaken for one another when typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 10;

/// What a link code binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    /// A person's own chat (sent `/start CODE` in a private chat).
    Person(i64),
    /// A unit's duty group (sent `/start CODE` in the group).
    Unit(i64),
}

/// What a consumed code bound.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkedTo {
    Person { person: person::Model, unit: String },
    DutyGroup { unit: String },
}

/// Why a code does not link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Unknown,
    Expired,
    Used,
}

/// A new random link code.
pub fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// Normalises what a person typed (case, spaces, dashes).
fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

impl Store {
    /// Issues a one-time code that links a chat to a person or a unit's duty group.
    pub async fn create_link_code(
        &self,
        by: &By,
        scope: Scope,
        target: LinkTarget,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<(String, DateTime<Utc>)> {
        let (person_id, unit_id) = match target {
            LinkTarget::Person(id) => (Some(self.person(scope, id).await?.id), None),
            LinkTarget::Unit(id) => (None, Some(self.unit(scope, id).await?.id)),
        };
        let code = new_code();
        let expires_at = now + ttl;
        let subject = match target {
            LinkTarget::Person(id) => format!("person:{id}"),
            LinkTarget::Unit(id) => format!("unit:{id}"),
        };
        let txn = self.db().begin().await?;
        telegram_link::ActiveModel {
            code_hash: Set(token_digest(&code)),
            person_id: Set(person_id),
            unit_id: Set(unit_id),
            created_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
            chat_id: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        // The code itself is never recorded: it is a credential until used.
        self.audit(&txn, Audit::new(by, "telegram.link_code_issued", subject), now).await?;
        txn.commit().await?;
        Ok((code, expires_at))
    }

    /// Consumes a code: binds the Telegram user to its person and adds (or
    /// revives) the person's Telegram channel to `chat_id`, in one transaction.
    /// (`telegram_chats` is keyed by the user: in a private chat the two ids
    /// are the same.)
    pub async fn consume_link_code(
        &self,
        code: &str,
        user_id: i64,
        chat_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<LinkedTo, LinkRefusal>> {
        let code = normalise(code);
        if code.len() != CODE_LEN {
            return Ok(Err(LinkRefusal::Unknown));
        }
        let txn = self.db().begin().await?;
        let Some(link) = telegram_link::Entity::find()
            .filter(telegram_link::Column::CodeHash.eq(token_digest(&code)))
            .one(&txn)
            .await?
        else {
            return Ok(Err(LinkRefusal::Unknown));
        };
        if link.used_at.is_some() {
            return Ok(Err(LinkRefusal::Used));
        }
        if link.expires_at <= now {
            return Ok(Err(LinkRefusal::Expired));
        }
        let chat = chat_id.to_string();
        let used = telegram_link::Entity::update_many()
            .set(telegram_link::ActiveModel {
                used_at: Set(Some(now)),
                chat_id: Set(Some(chat.clone())),
                ..Default::default()
            })
            .filter(telegram_link::Column::Id.eq(link.id))
            .filter(telegram_link::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if used.rows_affected == 0 {
            return Ok(Err(LinkRefusal::Used));
        }
        // Whoever sent the code, as Telegram names them.
        let by = By { label: format!("telegram:{user_id}"), ..By::bot() };
        let linked =
            |subject: String| Audit::new(&by, "telegram.linked", subject).with(serde_json::json!({"chat_id": chat_id}));
        if let Some(unit_id) = link.unit_id {
            let unit = self.bind_duty_group(&txn, unit_id, &chat, now).await?;
            self.audit(&txn, linked(format!("unit:{unit_id}")), now).await?;
            txn.commit().await?;
            return Ok(Ok(LinkedTo::DutyGroup { unit }));
        }
        let person_id = link.person_id.ok_or_else(|| StoreError::Corrupt(format!("link {} names nobody", link.id)))?;
        let person =
            person::Entity::find_by_id(person_id).one(&txn).await?.ok_or(StoreError::not_found("person", person_id))?;
        telegram_chat::Entity::insert(telegram_chat::ActiveModel {
            chat_id: Set(user_id.to_string()),
            person_id: Set(Some(person.id)),
            lang: Set(Lang::Zh),
            awaiting_location_for: Set(None),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(telegram_chat::Column::ChatId)
                .update_columns([telegram_chat::Column::PersonId, telegram_chat::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        let existing = channel::Entity::find()
            .filter(channel::Column::PersonId.eq(person.id))
            .filter(channel::Column::Kind.eq(ChannelKind::Telegram))
            .filter(channel::Column::Address.eq(&chat))
            .one(&txn)
            .await?;
        match existing {
            Some(c) => {
                channel::ActiveModel {
                    id: Set(c.id),
                    status: Set(ChannelStatus::Active),
                    status_reason: Set(None),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
            }
            None => {
                let count = channel::Entity::find().filter(channel::Column::PersonId.eq(person.id)).count(&txn).await?;
                channel::ActiveModel {
                    person_id: Set(person.id),
                    kind: Set(ChannelKind::Telegram),
                    address: Set(chat),
                    priority: Set(i32::try_from(count).unwrap_or(i32::MAX - 1) + 1),
                    status: Set(ChannelStatus::Active),
                    status_reason: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        let unit = unit::Entity::find_by_id(person.unit_id).one(&txn).await?.map(|u| u.name).unwrap_or_default();
        self.audit(&txn, linked(format!("person:{}", person.id)), now).await?;
        txn.commit().await?;
        Ok(Ok(LinkedTo::Person { person, unit }))
    }

    /// Makes `chat` (or revives it as) the unit's duty group channel.
    async fn bind_duty_group<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        unit_id: i64,
        chat: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<String> {
        let existing = unit_channel::Entity::find()
            .filter(unit_channel::Column::UnitId.eq(unit_id))
            .filter(unit_channel::Column::Kind.eq(ChannelKind::Telegram))
            .filter(unit_channel::Column::Address.eq(chat))
            .one(conn)
            .await?;
        match existing {
            Some(c) => {
                unit_channel::ActiveModel {
                    id: Set(c.id),
                    status: Set(ChannelStatus::Active),
                    status_reason: Set(None),
                    ..Default::default()
                }
                .update(conn)
                .await?;
            }
            None => {
                unit_channel::ActiveModel {
                    unit_id: Set(unit_id),
                    kind: Set(ChannelKind::Telegram),
                    address: Set(chat.to_owned()),
                    status: Set(ChannelStatus::Active),
                    status_reason: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
            }
        }
        Ok(unit::Entity::find_by_id(unit_id).one(conn).await?.map(|u| u.name).unwrap_or_default())
    }

    pub async fn telegram_chat(&self, chat_id: i64) -> StoreResult<Option<TelegramChat>> {
        Ok(telegram_chat::Entity::find()
            .filter(telegram_chat::Column::ChatId.eq(chat_id.to_string()))
            .one(self.db())
            .await?
            .map(TelegramChat::from))
    }

    /// Sets a chat's language or pending location request (creating the row).
    pub async fn update_telegram_chat(
        &self,
        chat_id: i64,
        lang: Option<Lang>,
        awaiting: Option<Option<i64>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.telegram_chat(chat_id).await?;
        let mut row = match current {
            Some(c) => telegram_chat::ActiveModel { id: Set(c.id), ..Default::default() },
            None => telegram_chat::ActiveModel {
                chat_id: Set(chat_id.to_string()),
                person_id: Set(None),
                lang: Set(Lang::Zh),
                awaiting_location_for: Set(None),
                ..Default::default()
            },
        };
        if let Some(lang) = lang {
            row.lang = Set(lang);
        }
        if let Some(awaiting) = awaiting {
            row.awaiting_location_for = Set(awaiting);
        }
        row.updated_at = Set(now);
        row.save(self.db()).await?;
        Ok(())
    }

    /// Stores received updates, ignoring ids already stored; commits before
    /// returning so the poller may then move Telegram's offset.
    pub async fn store_updates(&self, updates: &[(i64, String)], now: DateTime<Utc>) -> StoreResult<()> {
        if updates.is_empty() {
            return Ok(());
        }
        let rows = updates.iter().map(|(id, payload)| telegram_update::ActiveModel {
            update_id: Set(*id),
            payload: Set(payload.clone()),
            received_at: Set(now),
            handled_at: Set(None),
            claimed_until: Set(None),
            attempts: Set(0),
            error: Set(None),
            ..Default::default()
        });
        telegram_update::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([telegram_update::Column::UpdateId])
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The offset to poll from: one past the highest stored update.
    pub async fn next_update_offset(&self) -> StoreResult<i64> {
        let last =
            telegram_update::Entity::find().order_by_desc(telegram_update::Column::UpdateId).one(self.db()).await?;
        Ok(last.map_or(0, |u| u.update_id + 1))
    }

    /// Claims the oldest stored update not yet handled (nor held by another
    /// handler whose claim is still running), for `lease`. A handler that
    /// dies leaves it to be handled again when the claim runs out.
    pub async fn claim_update(&self, now: DateTime<Utc>, lease: Duration) -> StoreResult<Option<TelegramUpdate>> {
        for _ in 0..5 {
            let Some(next) = telegram_update::Entity::find()
                .filter(telegram_update::Column::HandledAt.is_null())
                .filter(
                    Condition::any()
                        .add(telegram_update::Column::ClaimedUntil.is_null())
                        .add(telegram_update::Column::ClaimedUntil.lte(now)),
                )
                .order_by_asc(telegram_update::Column::UpdateId)
                .one(self.db())
                .await?
            else {
                return Ok(None);
            };
            let claimed = telegram_update::Entity::update_many()
                .set(telegram_update::ActiveModel {
                    claimed_until: Set(Some(now + lease)),
                    attempts: Set(next.attempts + 1),
                    ..Default::default()
                })
                .filter(telegram_update::Column::Id.eq(next.id))
                .filter(telegram_update::Column::Attempts.eq(next.attempts))
                .filter(telegram_update::Column::HandledAt.is_null())
                .exec(self.db())
                .await?;
            if claimed.rows_affected == 1 {
                return Ok(Some(next.into()));
            }
        }
        Ok(None)
    }

    /// Stored updates not yet handled, oldest first.
    pub async fn unhandled_updates(&self, limit: u64) -> StoreResult<Vec<TelegramUpdate>> {
        Ok(telegram_update::Entity::find()
            .filter(telegram_update::Column::HandledAt.is_null())
            .order_by_asc(telegram_update::Column::UpdateId)
            .limit(limit)
            .all(self.db())
            .await
            .map(records::all)?)
    }

    pub async fn mark_update_handled(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        telegram_update::ActiveModel { id: Set(id), handled_at: Set(Some(now)), ..Default::default() }
            .update(self.db())
            .await?;
        Ok(())
    }

    /// The assignment a Telegram page (by chat and message id) was about.
    pub async fn assignment_of_telegram_message(&self, chat_id: i64, message_id: i32) -> StoreResult<Option<i64>> {
        use super::entities::page;
        Ok(page::Entity::find()
            .filter(page::Column::ChannelKind.eq(ChannelKind::Telegram))
            .filter(page::Column::Address.eq(chat_id.to_string()))
            .filter(page::Column::ProviderMessageId.eq(message_id.to_string()))
            .one(self.db())
            .await?
            .and_then(|p| p.assignment_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_forgiving_to_type() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalise(" abcd-efgh-jk "), "ABCDEFGHJK");
    }
}

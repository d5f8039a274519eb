//! Test pages (测试呼叫): one message to one channel, asked for by whoever
//! keeps the registry, to prove the channel works. Written like any page
//! and audited, but born claimed, so the asker's request sends it at once
//! and no engine takes it first; a crash before the send leaves it to the
//! engine when the claim runs out. It never falls over (`after_failure`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

use super::audit::Audit;
use super::entities::page;
use super::pages::insert_page;
use super::recipients::{Recipient, Target};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::{By, Scope};
use crate::domain::crypto;
use crate::domain::escalation::PageReason;
use crate::domain::event::DeliveryStatus;
use crate::domain::page::TestContext;
use crate::domain::record::Page;

impl Store {
    /// A test page to channel `channel_id` (in `scope`), claimed for
    /// sending until `now + lease`, with its audit entry.
    pub async fn claim_test_page(
        &self,
        by: &By,
        scope: Scope,
        channel_id: i64,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> StoreResult<Page> {
        let channel = self.channel(scope, channel_id).await?;
        let person = self.person(scope, channel.person_id).await?;
        if !person.active {
            return Err(DomainError::conflict(
                "inactive",
                format!("{} is deactivated and is paged on no channel", person.name),
                format!("{}已停用，不会收到任何呼叫", person.name),
            )
            .into());
        }
        let ctx =
            TestContext { person_name: person.name.clone(), channel: channel.kind, by: by.label.clone(), at: now };
        let body = self.page_writer().test(&ctx);
        let recipient = Recipient {
            person_id: Some(person.id),
            contact_id: None,
            group_id: None,
            name: person.name,
            targets: vec![],
        };
        let target = Target { channel_id: Some(channel.id), kind: channel.kind, address: channel.address };
        // Each test is its own message, however quickly they follow.
        let key = format!("test:c{channel_id}:{}", crypto::random_secret("", 8));
        let txn = self.db().begin().await?;
        let queued = insert_page(&txn, None, &recipient, &target, PageReason::Test, &key, &body, now).await?;
        let claimed = page::ActiveModel {
            id: Set(queued.id),
            status: Set(DeliveryStatus::Sending),
            attempts: Set(1),
            lease_until: Set(Some(now + lease)),
            claimed_by: Set(Some(self.instance())),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let detail = serde_json::json!({ "page_id": claimed.id, "kind": channel.kind });
        self.audit(&txn, Audit::new(by, "channel.tested", format!("channel:{channel_id}")).with(detail), now).await?;
        txn.commit().await?;
        Ok(claimed.into())
    }

    /// One page as it now stands (a test page after its send).
    pub async fn page(&self, id: i64) -> StoreResult<Page> {
        page::Entity::find_by_id(id).one(self.db()).await?.map(Page::from).ok_or(StoreError::not_found("page", id))
    }
}

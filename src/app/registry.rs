//! Use cases on the registry (名录): support units, their branches, people
//! and paging channels, a unit's escalation policy, the bureau's contacts,
//! and the one-time codes that link a Telegram chat.

use chrono::{DateTime, Utc};

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::people::{ChannelDraft, ContactDraft};
use crate::domain::policy::{PolicyOverride, SlaPolicy};
use crate::domain::record::{Branch, BureauContact, Channel, Page, Person, Unit};
use crate::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use crate::store::telegram::LinkTarget;

use super::{AppResult, Core};

impl Core {
    pub async fn create_unit(&self, caller: &Caller, draft: UnitDraft) -> AppResult<Unit> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_unit(&By::caller(caller), draft, self.clock.now()).await?)
    }

    pub async fn create_branch(&self, caller: &Caller, unit_id: i64, draft: BranchDraft) -> AppResult<Branch> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_branch(&By::caller(caller), caller.scope(), unit_id, draft, self.clock.now()).await?)
    }

    pub async fn create_person(&self, caller: &Caller, unit_id: i64, draft: PersonDraft) -> AppResult<Person> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_person(&By::caller(caller), caller.scope(), unit_id, draft, self.clock.now()).await?)
    }

    /// Deactivates (or reactivates) a person: an inactive person is not
    /// paged, put on duty, or let in by an action link.
    pub async fn set_person_active(&self, caller: &Caller, person_id: i64, active: bool) -> AppResult<Person> {
        Self::require(caller, Need::Registry)?;
        let now = self.clock.now();
        Ok(self.store.set_person_active(&By::caller(caller), caller.scope(), person_id, active, now).await?)
    }

    /// Adds a channel after the person's existing ones (fallback order).
    pub async fn create_channel(&self, caller: &Caller, person_id: i64, draft: ChannelDraft) -> AppResult<Channel> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_channel(&By::caller(caller), caller.scope(), person_id, draft, self.clock.now()).await?)
    }

    pub async fn replace_channel(&self, caller: &Caller, channel_id: i64, draft: ChannelDraft) -> AppResult<Channel> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.replace_channel(&By::caller(caller), caller.scope(), channel_id, draft, self.clock.now()).await?)
    }

    /// A test page to channel `channel_id`, claimed for the caller's door
    /// to send at once (see `engine::test_page`).
    pub async fn claim_test_page(&self, caller: &Caller, channel_id: i64, lease: chrono::Duration) -> AppResult<Page> {
        Self::require(caller, Need::Registry)?;
        let by = By::caller(caller);
        Ok(self.store.claim_test_page(&by, caller.scope(), channel_id, self.clock.now(), lease).await?)
    }

    pub async fn remove_channel(&self, caller: &Caller, channel_id: i64) -> AppResult<()> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.remove_channel(&By::caller(caller), caller.scope(), channel_id, self.clock.now()).await?)
    }

    /// Sets a unit's escalation policy override; returns the policy now in
    /// effect for it. Running clocks keep the policy they started with.
    pub async fn set_unit_policy(
        &self,
        caller: &Caller,
        unit_id: i64,
        policy: &PolicyOverride,
    ) -> AppResult<SlaPolicy> {
        Self::require(caller, Need::Direct)?;
        let now = self.clock.now();
        Ok(self.store.set_unit_policy(&By::caller(caller), caller.scope(), unit_id, policy, &self.policy, now).await?)
    }

    /// Adds a bureau contact (duty officer or manager) on one channel.
    pub async fn create_bureau_contact(&self, caller: &Caller, draft: ContactDraft) -> AppResult<BureauContact> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_bureau_contact(&By::caller(caller), draft, self.clock.now()).await?)
    }

    /// The bureau's contacts, for readers with the whole province in view.
    pub async fn bureau_contacts(&self, caller: &Caller) -> AppResult<Vec<BureauContact>> {
        Self::require(caller, Need::Bureau)?;
        Ok(self.store.bureau_contacts().await?)
    }

    /// Issues a one-time code that links a Telegram chat to a person or to
    /// a unit's duty group; returns the code and when it expires.
    pub async fn link_code(&self, caller: &Caller, target: LinkTarget) -> AppResult<(String, DateTime<Utc>)> {
        Self::require(caller, Need::Registry)?;
        let now = self.clock.now();
        Ok(self.store.create_link_code(&By::caller(caller), caller.scope(), target, self.link_code_ttl, now).await?)
    }
}

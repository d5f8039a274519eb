//! Issuing a notice (应急响应通知): dispatched to every unit it names, each
//! with its own assignment, clock and pages, in one transaction.

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::notice::NoticeDraft;
use crate::store::notices::Issued;

use super::{AppResult, Core};

impl Core {
    pub async fn issue_notice(&self, caller: &Caller, draft: NoticeDraft) -> AppResult<Issued> {
        Self::require(caller, Need::Direct)?;
        let now = self.clock.now();
        Ok(self.store.issue_notice(&By::caller(caller), draft, &self.policy, now).await?)
    }
}

//! Use cases of instructions (工作指示): the bureau issues one to units;
//! only the unit itself confirms reading it, from a chat button, a signed
//! link, the API or its page.

use crate::domain::access::{By, Caller, Need, Scope};
use crate::domain::instruction::{Instruction, InstructionDraft, InstructionInput};
use crate::store::StoreError;
use crate::store::instructions::Confirmed;

use super::{AppResult, Core};

impl Core {
    /// Issues an instruction and writes its first messages.
    pub async fn issue_instruction(&self, caller: &Caller, input: &InstructionInput) -> AppResult<Instruction> {
        Self::require(caller, Need::Direct)?;
        let now = self.clock.now();
        let draft = InstructionDraft::parse(input, now)?;
        Ok(self.store.issue_instruction(&By::caller(caller), draft, self.follow_up, now).await?)
    }

    /// The caller's unit confirms reading instruction `id`.
    pub async fn confirm_instruction(&self, caller: &Caller, id: i64) -> AppResult<Confirmed> {
        Self::require(caller, Need::OwnUnit)?;
        let Scope::Unit(unit_id) = caller.scope() else { return Err(StoreError::not_found("instruction", id).into()) };
        let receipt = self.store.instruction_receipt_id(id, unit_id).await?;
        self.confirm_receipt(caller, receipt).await
    }

    /// The caller's unit confirms the instruction of receipt `receipt_id`
    /// (what a chat button or a signed link names).
    pub async fn confirm_receipt(&self, caller: &Caller, receipt_id: i64) -> AppResult<Confirmed> {
        Self::require(caller, Need::OwnUnit)?;
        let now = self.clock.now();
        Ok(self.store.confirm_instruction(&By::caller(caller), caller.scope(), receipt_id, now).await?)
    }
}

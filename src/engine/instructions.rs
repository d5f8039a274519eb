//! The follow-up step of unread instructions: every receipt whose follow-up
//! is due is claimed and handled by the store, as the domain's `FollowUp`
//! (configured under `[instructions]`) says.

use crate::AppState;
use crate::store::StoreError;

/// Sends every follow-up due now; returns how many were sent.
#[tracing::instrument(skip_all)]
pub async fn follow_up_due(state: &AppState) -> Result<usize, StoreError> {
    let f = state.app.follow_up();
    let mut sent = 0;
    while let Some(done) = state.store.follow_up_instruction(f, state.clock.now()).await? {
        if let Some(step) = done.step {
            tracing::info!(
                receipt = done.receipt_id,
                step = step.code(),
                pages = done.pages,
                "instruction followed up"
            );
            sent += 1;
        }
    }
    Ok(sent)
}

//! The demo inbox (`onsite serve --demo`): a channel that delivers every
//! page to onsite itself instead of a provider. The page is recorded as
//! sent like any other, and `/demo/inbox` shows it with its action link,
//! so one browser plays both the bureau and the engineer.

use super::{Channel, Delivery, SendError};

/// The provider id a page delivered to the demo inbox carries.
pub const PROVIDER_ID: &str = "demo-inbox";

pub struct DemoInbox;

#[async_trait::async_trait]
impl Channel for DemoInbox {
    async fn send(&self, _: &Delivery) -> Result<Option<String>, SendError> {
        Ok(Some(PROVIDER_ID.to_owned()))
    }
}

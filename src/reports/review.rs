//! A reviewed report's timeline as the API and the documents show it.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::local;
use crate::domain::access::Source;
use crate::domain::review::{ReviewEvent, ReviewStep};

/// One step of a report's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub step: ReviewStep,
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    pub source: Source,
    pub comment: Option<String>,
}

impl StepView {
    pub fn new(e: ReviewEvent, tz: Tz) -> Self {
        Self { step: e.step, at: local(e.at, tz), actor: e.actor, source: e.source, comment: e.comment }
    }
}

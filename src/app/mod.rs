//! The application layer: one function per use case, called by every door
//! (the JSON API, the web pages, the Telegram bot, the action links, and
//! any door added later). Each use case takes the caller and a validated
//! command and decides once, in this order: the caller's role (refused for
//! every subject), then the subject in the caller's scope (not found
//! outside it), then the state (the domain's rules, inside the store's
//! transaction). Doors parse, call and render; none checks a role itself.

pub mod assignments;
pub mod attachments;
pub mod closure;
pub mod enterprises;
pub mod instructions;
pub mod notices;
pub mod profiles;
pub mod protection;
pub mod reads;
pub mod registry;
pub mod registry_sheet;
pub mod rosters;
pub mod special_reports;
pub mod threat_reports;
pub mod users;
pub mod work_reports;

use std::sync::Arc;

use crate::domain::access::{Caller, Need, Scope};
use crate::domain::clock::Clock;
use crate::domain::instruction::FollowUp;
use crate::domain::policy::SlaPolicy;
use crate::domain::work_report::Schedule;
use crate::domain::{DomainError, FieldError};
use crate::evidence::{Evidence, ObjectsError};
use crate::store::{Store, StoreError};

/// The use cases over one store, one clock and the configured policy.
#[derive(Clone)]
pub struct Core {
    store: Store,
    clock: Arc<dyn Clock>,
    /// The policy new assignments are dispatched with.
    policy: Arc<SlaPolicy>,
    /// How long a Telegram link code stays valid.
    link_code_ttl: chrono::Duration,
    /// When unread instructions are followed up.
    follow_up: FollowUp,
    /// When work reports are due and reminded.
    schedule: Schedule,
    /// Where evidence files are kept (none: files are refused as unavailable).
    evidence: Option<Evidence>,
}

/// Why a use case did not happen. Each door turns it into its own answer
/// in one place: problem+json, an error page, a chat reply.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller's role may never do this, whatever the subject.
    #[error("{}", .0.refusal(crate::domain::labels::Lang::En))]
    Denied(Need),
    /// Missing, outside the caller's scope, refused by a rule, or the
    /// database failing: the store's own account of it.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The evidence store failing to keep or return a file.
    #[error(transparent)]
    Evidence(#[from] ObjectsError),
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Store(StoreError::Domain(e))
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        DomainError::Invalid(vec![e]).into()
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl Core {
    pub fn new(store: Store, clock: Arc<dyn Clock>, policy: Arc<SlaPolicy>) -> Self {
        let follow_up = crate::config::InstructionsConfig::default().follow_up();
        let schedule = crate::config::WorkReportsConfig::default().schedule();
        Self { store, clock, policy, link_code_ttl: chrono::Duration::hours(24), follow_up, schedule, evidence: None }
    }

    /// The same use cases on another clock (the demo lives its history on one).
    pub fn on_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self.clone() }
    }

    /// The same with evidence files kept as `evidence` says.
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = Some(evidence);
        self
    }

    fn evidence(&self) -> AppResult<&Evidence> {
        self.evidence.as_ref().ok_or(AppError::Evidence(ObjectsError::Config("no evidence store")))
    }

    /// The same with work reports due and reminded as `schedule` says.
    pub fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// When work reports are due and reminded.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// The same with unread instructions followed up as `follow_up` says.
    pub fn with_follow_up(mut self, follow_up: FollowUp) -> Self {
        self.follow_up = follow_up;
        self
    }

    /// When unread instructions are followed up: what the engine applies.
    pub fn follow_up(&self) -> FollowUp {
        self.follow_up
    }

    /// The same with link codes valid for `ttl`.
    pub fn with_link_code_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.link_code_ttl = chrono::Duration::from_std(ttl).unwrap_or(self.link_code_ttl);
        self
    }

    /// Whether `caller`'s role may ever do what `need` names: for a door
    /// that shows a form only to those whose submission could succeed.
    pub fn may(&self, caller: &Caller, need: Need) -> AppResult<()> {
        Self::require(caller, need)
    }

    /// The role check every use case opens with.
    fn require(caller: &Caller, need: Need) -> AppResult<()> {
        caller.require(need).map_err(AppError::Denied)
    }

    /// The unit a report is filed for: a unit's caller files for their own
    /// (`unit_id` may be left out; another unit's is not found), the bureau
    /// for the unit it names.
    fn reporting_unit(caller: &Caller, unit_id: Option<i64>) -> AppResult<i64> {
        match (caller.scope(), unit_id) {
            (Scope::Unit(own), Some(other)) if other != own => Err(StoreError::not_found("unit", other).into()),
            (Scope::Unit(own), _) => Ok(own),
            (Scope::All, Some(id)) => Ok(id),
            (Scope::All, None) => {
                Err(DomainError::field("unit_id", "required", "name the unit reporting", "请选择报送单位").into())
            }
        }
    }
}

//! Reads for a caller: the one place a door's reads take their scope.
//! A door asks `Core::reads(&caller)` and reads through it; what lies
//! outside the caller's scope is not found, whichever door asks.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::Core;
use crate::domain::access::{Reader, Scope};
use crate::domain::enterprise::Enterprise;
use crate::domain::instruction::{Instruction, Receipt};
use crate::domain::notice::TargetKind;
use crate::domain::people::ChannelKind;
use crate::domain::period::Period;
use crate::domain::profile::UnitProfile;
use crate::domain::profile::credential::Credential;
use crate::domain::protection::ProtectionPeriod;
use crate::domain::record::{
    Assignment, Branch, Channel, ClosureReport, Page, Person, ScreeningTask, TimelineEvent, Unit,
};
use crate::domain::report::duties::DutyFacts;
use crate::domain::report::{Breach, Facts};
use crate::domain::review::{ReviewEvent, ReviewStatus};
use crate::domain::special_report::SpecialReport;
use crate::domain::threat::{SharedIndicator, ThreatFinding, ThreatReport};
use crate::domain::work_report::{Month, WorkReport};
use crate::store::board::BoardRow;
use crate::store::channels::Reached;
use crate::store::notices::{NoticeFilter, NoticeRecord};
use crate::store::reports::{ReportFilter, ReportRows};
use crate::store::rosters::{BranchDuty, DutyNow, StoredRoster};
use crate::store::special_reports::SpecialReportFilter;
use crate::store::threat_findings::FindingFilter;
use crate::store::threat_reports::ThreatReportFilter;
use crate::store::{Store, StoreError, StoreResult};

/// The store as one caller may read it.
#[derive(Clone, Copy)]
pub struct Reads<'a> {
    store: &'a Store,
    scope: Scope,
}

impl Core {
    /// What `reader` may read: everything for the bureau, their own unit's
    /// records for a unit's user or person.
    pub fn reads(&self, reader: &impl Reader) -> Reads<'_> {
        Reads { store: &self.store, scope: reader.scope() }
    }

    /// Reads for a door that is still finding out who calls (a signed
    /// action link, a linked chat): the record the proof names, in any unit.
    pub fn reads_for_proof(&self) -> Reads<'_> {
        Reads { store: &self.store, scope: Scope::All }
    }
}

/// A record of one unit: a unit itself, a branch, a person.
pub trait InUnit {
    fn unit_id(&self) -> i64;
}

impl InUnit for Unit {
    fn unit_id(&self) -> i64 {
        self.id
    }
}

impl InUnit for Branch {
    fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

impl InUnit for UnitProfile {
    fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

impl InUnit for Person {
    fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

/// A read the store scopes itself: the same signature without the scope.
macro_rules! scoped {
    ($( $(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty; )*) => {
        $( $(#[$m])* pub async fn $name(&self, $($arg: $ty),*) -> StoreResult<$ret> {
            self.store.$name(self.scope, $($arg),*).await
        } )*
    };
}

/// Names and titles of records the caller already holds by id: they add
/// nothing a scoped read did not already show.
macro_rules! names {
    ($( $(#[$m:meta])* fn $name:ident; )*) => {
        $( $(#[$m])* pub async fn $name(&self, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
            self.store.$name(ids).await
        } )*
    };
}

impl Reads<'_> {
    scoped! {
        fn assignment(id: i64) -> Assignment;
        fn notice(id: i64) -> NoticeRecord;
        fn notices(filter: &NoticeFilter) -> (Vec<NoticeRecord>, u64);
        fn timeline(assignment_id: i64) -> Vec<TimelineEvent>;
        /// The pages sent about an assignment.
        fn pages(assignment_id: i64) -> Vec<Page>;
        /// The latest pages in scope, newest first.
        fn latest_pages(limit: u64) -> Vec<Page>;
        fn closure_report(assignment_id: i64) -> Option<ClosureReport>;
        fn unit(id: i64) -> Unit;
        fn units() -> Vec<Unit>;
        fn person(id: i64) -> Person;
        fn channel(id: i64) -> Channel;
        /// Who is reached on a chat app or a phone at this address.
        fn person_reached_at(kind: ChannelKind, address: &str) -> Option<Reached>;
        fn branch_in(branch_id: i64) -> Branch;
        fn board() -> Vec<BoardRow>;
        fn roster(branch_id: i64, now: DateTime<Utc>) -> Option<StoredRoster>;
        fn duty_now(now: DateTime<Utc>) -> Vec<DutyNow>;
        fn duty_between(units: Option<&[i64]>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<BranchDuty>;
        fn screening_tasks(period_id: i64) -> Vec<ScreeningTask>;
        /// The screening tasks of a registered enterprise, newest first.
        fn screening_tasks_of_enterprise(enterprise_id: i64) -> Vec<ScreeningTask>;
        fn special_report(id: i64) -> SpecialReport;
        fn special_reports(filter: &SpecialReportFilter) -> Vec<SpecialReport>;
        fn special_report_events(id: i64) -> Vec<ReviewEvent>;
        /// A unit's application-form profile (empty until written).
        fn profile(unit_id: i64) -> UnitProfile;
        /// Credentials of one unit or all, lapsing on or before `until` if given.
        fn credentials(unit_id: Option<i64>, until: Option<NaiveDate>) -> Vec<Credential>;
        fn threat_report(id: i64) -> ThreatReport;
        fn threat_reports(filter: &ThreatReportFilter) -> Vec<ThreatReport>;
        fn threat_report_events(id: i64) -> Vec<ReviewEvent>;
        /// Findings of submitted and accepted reports, with their reports' statuses.
        fn threat_findings(filter: &FindingFilter) -> (Vec<ThreatFinding>, HashMap<i64, ReviewStatus>);
        /// Indicators of these findings other units reported too.
        fn shared_indicators(findings: &[ThreatFinding]) -> Vec<SharedIndicator>;
        /// The report a notice was issued from.
        fn special_report_of_notice(notice_id: i64) -> Option<SpecialReport>;
        fn screening_task(id: i64) -> ScreeningTask;
        /// A unit's work report for a month (not found before one is saved).
        fn work_report(unit_id: i64, month: Month) -> WorkReport;
        /// The work reports of a month in scope.
        fn work_reports(month: Month) -> Vec<WorkReport>;
        /// Instructions, newest first, each counted over the receipts in scope.
        fn instructions() -> Vec<Instruction>;
        /// An instruction with its receipts in scope (a unit's own).
        fn instruction(id: i64) -> (Instruction, Vec<Receipt>);
        fn report_rows(filter: &ReportFilter) -> ReportRows;
        /// The facts the units' other duties are counted from.
        fn duty_facts(unit_id: Option<i64>, period: &Period, months: &[Month]) -> DutyFacts;
        fn breach_sources(filter: &ReportFilter) -> (Vec<Facts>, Vec<String>);
        fn settled_breaches_after(
            filter: &ReportFilter, months: &[String], after: Option<(i64, i64)>, limit: Option<u64>
        ) -> Vec<Breach>;
    }

    names! {
        fn unit_names;
        fn notice_titles;
        fn branch_names;
        fn enterprise_names;
    }

    /// The unit of a record already read, when it is in scope (no query:
    /// the record proves the unit exists).
    fn in_scope(&self, of: &impl InUnit) -> StoreResult<i64> {
        let unit_id = of.unit_id();
        if self.scope.allows_unit(unit_id) { Ok(unit_id) } else { Err(StoreError::not_found("unit", unit_id)) }
    }

    /// The branches of the unit a record belongs to.
    pub async fn branches(&self, of: &impl InUnit) -> StoreResult<Vec<Branch>> {
        self.store.branches(self.in_scope(of)?).await
    }

    /// The people of the unit a record belongs to.
    pub async fn people(&self, of: &impl InUnit) -> StoreResult<Vec<Person>> {
        self.store.people(self.in_scope(of)?).await
    }

    /// A person's channels.
    pub async fn channels(&self, person: &Person) -> StoreResult<Vec<Channel>> {
        self.in_scope(person)?;
        self.store.channels(person.id).await
    }

    /// A unit's open assignments with their notices' titles, when the unit is in scope.
    pub async fn open_assignments(&self, unit_id: i64) -> StoreResult<Vec<(Assignment, String)>> {
        if !self.scope.allows_unit(unit_id) {
            return Err(StoreError::not_found("unit", unit_id));
        }
        self.store.open_assignments(unit_id).await
    }

    /// A branch named on a record already read (an assignment's, a roster's).
    pub async fn branch(&self, id: i64) -> StoreResult<Option<Branch>> {
        Ok(self.store.branch(id).await?.filter(|b| self.scope.allows_unit(b.unit_id)))
    }

    /// Protection periods are the bureau's announcements: everyone reads them.
    pub async fn protection_periods(&self) -> StoreResult<Vec<ProtectionPeriod>> {
        self.store.protection_periods().await
    }

    pub async fn protection_period(&self, id: i64) -> StoreResult<ProtectionPeriod> {
        self.store.protection_period(id).await
    }

    /// The registry of detection objects: everyone picks targets from it.
    pub async fn enterprises(&self, kind: Option<TargetKind>) -> StoreResult<Vec<Enterprise>> {
        self.store.enterprises(kind).await
    }

    pub async fn enterprise(&self, id: i64) -> StoreResult<Enterprise> {
        self.store.enterprise(id).await
    }
}
